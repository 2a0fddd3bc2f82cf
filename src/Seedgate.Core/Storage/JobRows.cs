using System.Data.Common;
using Seedgate.Core.Accounts;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Storage;

/// <summary>
/// The jobs table's row shape, shared by every store: the column list, how a job binds to it and reads back, and
/// times as Unix milliseconds.
/// </summary>
internal static class JobRows
{
    private static readonly string[] ColumnNames =
    [
        "id", "account_id", "status", "requested_model", "model", "engine", "request_json", "priority", "correlation_id",
        "created_at", "updated_at", "started_at", "finished_at", "expires_at", "attempts", "lease_owner", "lease_until",
        "upstream_task_id", "outputs_json", "error_code", "error_message", "error_param", "cost_micros",
        "dialect", "idempotency_key", "request_fingerprint", "checkpoint", "lapses", "files_deleted_at", "segments_json",
        "trace_parent",
    ];

    /// <summary>Every column, in the order <see cref="Read"/> expects.</summary>
    public static readonly string Columns = string.Join(", ", ColumnNames);

    /// <summary>The columns qualified by a table alias (<c>j.id, j.account_id, …</c>).</summary>
    public static string ColumnsOf(string alias) => string.Join(", ", ColumnNames.Select(c => $"{alias}.{c}"));

    /// <summary>The parameter list of a row for an INSERT: <c>(@id, @account_id, …)</c>.</summary>
    public static readonly string Values = "(" + string.Join(", ", ColumnNames.Select(c => "@" + c)) + ")";

    /// <summary>
    /// Two columns for after a row's: the ledger's reserve and charge of the job whose id is <paramref name="idColumn"/>
    /// (<c>jobs.id</c>, <c>page.id</c>), read through the unique (job_id, kind, segment) index by <see cref="ReadWithLedgerAt"/>.
    /// The charge is the job's closing charge with its segments' (a long take's are charged as they finish); null: none yet.
    /// </summary>
    public static string LedgerColumnsOf(string idColumn) =>
        $"(SELECT l.amount_micros FROM ledger_entries l WHERE l.job_id = {idColumn} AND l.kind = '{Ledger.Reserve}'), " +
        $"(SELECT SUM(l.amount_micros) FROM ledger_entries l WHERE l.job_id = {idColumn} AND l.kind IN ('{Ledger.Charge}', '{Ledger.Segment}'))";

    /// <summary>Maps a row in <see cref="Columns"/> order from <paramref name="offset"/> on, followed by <see cref="LedgerColumnsOf"/>.</summary>
    public static Job ReadWithLedgerAt(DbDataReader row, int offset)
    {
        var ledger = offset + ColumnNames.Length;
        return ReadAt(row, offset) with
        {
            ReservedMicros = row.IsDBNull(ledger) ? null : row.GetInt64(ledger),
            ChargedMicros = row.IsDBNull(ledger + 1) ? null : row.GetInt64(ledger + 1),
        };
    }

    /// <summary>Binds every column of <paramref name="job"/> to the parameters of <see cref="Values"/>.</summary>
    public static void Bind(DbCommand command, Job job)
    {
        command.Text("@id", job.Id);
        command.Text("@account_id", job.AccountId);
        command.Text("@status", JobStatusRules.Name(job.Status));
        command.Text("@requested_model", job.RequestedModel);
        command.Text("@model", job.Request.Model);
        command.Text("@engine", job.Engine);
        command.Text("@request_json", JobJson.Serialize(job.Request));
        command.Int4("@priority", job.Request.Priority);
        command.Text("@correlation_id", job.CorrelationId);
        command.Bigint("@created_at", Millis(job.CreatedAt));
        command.Bigint("@updated_at", Millis(job.UpdatedAt));
        command.Bigint("@started_at", Millis(job.StartedAt));
        command.Bigint("@finished_at", Millis(job.FinishedAt));
        command.Bigint("@expires_at", Millis(job.ExpiresAt));
        command.Int4("@attempts", job.Attempts);
        command.Text("@lease_owner", job.LeaseOwner);
        command.Bigint("@lease_until", Millis(job.LeaseUntil));
        command.Text("@upstream_task_id", job.UpstreamTaskId);
        command.Text("@outputs_json", job.Outputs is null ? null : JobJson.Serialize(job.Outputs));
        command.Text("@error_code", job.Error?.Code);
        command.Text("@error_message", job.Error?.Message);
        command.Text("@error_param", job.Error?.Param);
        command.Bigint("@cost_micros", job.CostMicros);
        command.Text("@dialect", job.Dialect);
        command.Text("@idempotency_key", job.Idempotency?.Key);
        command.Text("@request_fingerprint", job.Idempotency?.RequestFingerprint);
        command.Text("@checkpoint", job.Checkpoint);
        command.Int4("@lapses", job.Lapses);
        command.Bigint("@files_deleted_at", Millis(job.FilesDeletedAt));
        command.Text("@segments_json", SegmentsJson(job.Segments));
        command.Text("@trace_parent", job.TraceParent);
    }

    /// <summary>Maps one row whose columns are in <see cref="Columns"/> order.</summary>
    public static Job Read(DbDataReader row) => ReadAt(row, 0);

    /// <summary>Maps one row whose columns, from <paramref name="offset"/> on, are in <see cref="Columns"/> order.</summary>
    public static Job ReadAt(DbDataReader row, int offset)
    {
        var o = offset;
        var status = row.GetString(o + 2);
        if (!JobStatusRules.TryParse(status, out var jobStatus))
        {
            throw new InvalidDataException($"Job {row.GetString(o)} has an unknown status '{status}'.");
        }

        return new Job
        {
            Id = row.GetString(o),
            AccountId = row.GetString(o + 1),
            Status = jobStatus,
            RequestedModel = row.GetString(o + 3),
            Engine = row.GetString(o + 5),
            Request = JobJson.Deserialize<GenerationRequest>(row.GetString(o + 6)),
            CorrelationId = NullableString(row, o + 8),
            CreatedAt = Time(row.GetInt64(o + 9)),
            UpdatedAt = Time(row.GetInt64(o + 10)),
            StartedAt = NullableTime(row, o + 11),
            FinishedAt = NullableTime(row, o + 12),
            ExpiresAt = Time(row.GetInt64(o + 13)),
            Attempts = row.GetInt32(o + 14),
            LeaseOwner = NullableString(row, o + 15),
            LeaseUntil = NullableTime(row, o + 16),
            UpstreamTaskId = NullableString(row, o + 17),
            Outputs = row.IsDBNull(o + 18) ? null : JobJson.Deserialize<JobOutputs>(row.GetString(o + 18)),
            Error = row.IsDBNull(o + 19) ? null : new JobError(row.GetString(o + 19), row.GetString(o + 20), NullableString(row, o + 21)),
            CostMicros = row.IsDBNull(o + 22) ? null : row.GetInt64(o + 22),
            Dialect = row.GetString(o + 23),
            Idempotency = row.IsDBNull(o + 24) ? null : new JobIdempotency(row.GetString(o + 24), row.GetString(o + 25)),
            Checkpoint = NullableString(row, o + 26),
            Lapses = row.GetInt32(o + 27),
            FilesDeletedAt = NullableTime(row, o + 28),
            Segments = row.IsDBNull(o + 29) ? Array.Empty<JobSegment>() : JobJson.Deserialize<List<JobSegment>>(row.GetString(o + 29)),
            TraceParent = NullableString(row, o + 30),
        };
    }

    /// <summary>A long take's finished segments as the segments_json column holds them; null for a job without any.</summary>
    public static string? SegmentsJson(IReadOnlyList<JobSegment> segments) => segments.Count == 0 ? null : JobJson.Serialize(segments);

    public static long Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static long? Millis(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);

    private static DateTimeOffset? NullableTime(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : Time(row.GetInt64(ordinal));

    private static string? NullableString(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);
}
