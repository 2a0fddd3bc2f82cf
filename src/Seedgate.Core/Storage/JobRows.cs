using System.Data.Common;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;

namespace Seedgate.Core.Storage;

/// <summary>
/// The jobs table's row shape, shared by every store: the column order, and times as Unix milliseconds.
/// </summary>
internal static class JobRows
{
    /// <summary>Maps one row whose columns, from <paramref name="offset"/> on, are in the stores' column order.</summary>
    public static Job Read(DbDataReader row, int offset = 0)
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
        };
    }

    public static long Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static long? Millis(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);

    private static DateTimeOffset? NullableTime(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : Time(row.GetInt64(ordinal));

    private static string? NullableString(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);
}
