using System.Text;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Webhooks;

/// <summary>
/// Writes the deliveries a job transition causes into the outbox (<c>webhook_deliveries</c>), inside the transaction
/// of the transition: a crash can neither lose a delivery nor announce a transition that did not commit. One row per
/// event and target: each enabled endpoint of the job's account that subscribed to the event, and the task's
/// <c>callback_url</c> (status changes only, as Ark sends them). The row keeps the job as the transition left it,
/// which is what the delivery's body shows however late it goes out.
/// </summary>
public sealed class WebhookOutbox : IJobEffect
{
    private static readonly string[] Columns =
    [
        "id", "message_id", "account_id", "endpoint_id", "url", "event_type", "job_id", "job_json", "status", "attempts",
        "next_attempt_at", "created_at",
    ];

    public bool AppliesTo(JobTransitionKind kind) => WebhookEvents.CanAnnounce(kind);

    public Task ApplyAsync(JobTransition transition, SqlSession session, CancellationToken cancellationToken) =>
        ApplyAllAsync([transition], session, cancellationToken);

    public async Task ApplyAllAsync(IReadOnlyList<JobTransition> transitions, SqlSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(session);
        var events = transitions.Select(t => (t.Job, Type: WebhookEvents.Of(t))).Where(e => e.Type is not null).ToArray();
        if (events.Length == 0)
        {
            return;
        }

        var accounts = events.Select(e => e.Job.AccountId).Distinct(StringComparer.Ordinal).ToArray();
        var endpoints = await session.QueryAsync(
            $"SELECT id, account_id, url, events FROM webhook_endpoints WHERE enabled = 1 AND account_id IN ({SqlParameters.Placeholders("a", accounts.Length)});",
            c => c.TextEach("a", accounts),
            r => (Id: r.GetString(0), AccountId: r.GetString(1), Url: r.GetString(2), Events: SplitEvents(r.GetString(3))),
            cancellationToken);

        var rows = new List<(WebhookRow Row, string JobJson)>();
        foreach (var (job, type) in events)
        {
            var message = WebhookSecrets.NewMessageId();
            var snapshot = JobJson.Serialize(job);
            foreach (var endpoint in endpoints.Where(e => e.AccountId == job.AccountId && WebhookEvents.Wants(e.Events, type!)))
            {
                rows.Add((new WebhookRow(message, job, endpoint.Id, endpoint.Url, type!), snapshot));
            }

            // A task's own callback hears of its status changes, in its dialect's body; segments are not a status.
            if (job.Request.CallbackUrl is { } callback && type != WebhookEvents.SegmentSucceeded)
            {
                rows.Add((new WebhookRow(message, job, null, callback, type!), snapshot));
            }
        }

        if (rows.Count == 0)
        {
            return;
        }

        var sql = new StringBuilder($"INSERT INTO webhook_deliveries ({string.Join(", ", Columns)}) VALUES ");
        sql.AppendJoin(", ", rows.Select((_, i) => "(" + string.Join(", ", Columns.Select(c => $"@{c}{i}")) + ")"));
        sql.Append(';');
        await session.ExecuteDeferredAsync(
            sql.ToString(),
            c =>
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    var (row, json) = rows[i];
                    c.Text($"@id{i}", WebhookSecrets.NewDeliveryId());
                    c.Text($"@message_id{i}", row.MessageId);
                    c.Text($"@account_id{i}", row.Job.AccountId);
                    c.Text($"@endpoint_id{i}", row.EndpointId);
                    c.Text($"@url{i}", row.Url);
                    c.Text($"@event_type{i}", row.EventType);
                    c.Text($"@job_id{i}", row.Job.Id);
                    c.Text($"@job_json{i}", json);
                    c.Text($"@status{i}", WebhookDeliveryStatus.Pending);
                    c.Int4($"@attempts{i}", 0);
                    c.Bigint($"@next_attempt_at{i}", row.Job.UpdatedAt.ToUnixTimeMilliseconds());
                    c.Bigint($"@created_at{i}", row.Job.UpdatedAt.ToUnixTimeMilliseconds());
                }
            },
            cancellationToken);
    }

    /// <summary>The stored form of an endpoint's event list (comma-separated) read back.</summary>
    internal static string[] SplitEvents(string events) => events.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private sealed record WebhookRow(string MessageId, Job Job, string? EndpointId, string Url, string EventType);
}
