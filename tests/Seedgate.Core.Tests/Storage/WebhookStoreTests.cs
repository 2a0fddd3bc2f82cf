using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Webhooks;

namespace Seedgate.Core.Tests.Storage;

/// <summary>The outbox on a real SQLite file: rows written with the transitions, claimed in order, swept once ended.</summary>
public sealed class WebhookStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 7, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempSqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task A_jobs_deliveries_are_claimed_one_at_a_time_in_order_and_ended_ones_are_swept()
    {
        var database = await _file.OpenAsync();
        var jobs = new SqlJobStore(database, [new WebhookOutbox()]);
        var webhooks = new WebhookStore(database);
        await webhooks.CreateEndpointAsync(
            new WebhookEndpoint("ep_1", "acct-a", "http://127.0.0.1:9/h", [WebhookEvents.All], null, true, null, T0, T0, null), WebhookSecrets.NewSecret(), None);
        await webhooks.CreateEndpointAsync(
            new WebhookEndpoint("ep_2", "acct-b", "http://127.0.0.1:9/b", [WebhookEvents.All], null, true, null, T0, T0, null), WebhookSecrets.NewSecret(), None);
        var job = JobSamples.QueuedJob("acct-a", T0);
        await jobs.CreateAsync(job, None);
        Assert.Single(await jobs.ClaimAsync("node-1", 1, T0.AddSeconds(1), TimeSpan.FromMinutes(1), None));

        // Queued, then running: only the first is claimable until it is delivered.
        var first = Assert.Single(await webhooks.ClaimAsync("sender", T0.AddSeconds(2), TimeSpan.FromMinutes(1), 10, None));
        Assert.Equal((WebhookEvents.Queued, job.Id, "ep_1"), (first.Delivery.EventType, first.Job.Id, first.Delivery.EndpointId));
        Assert.Equal(JobStatus.Queued, first.Job.Status);
        Assert.Single(first.Secrets);
        Assert.Empty(await webhooks.ClaimAsync("other", T0.AddSeconds(2), TimeSpan.FromMinutes(1), 10, None));

        await webhooks.RecordAttemptAsync(first.Delivery, "sender", new DeliveryAttempt(true, 200, null, TimeSpan.FromMilliseconds(3)), null, T0.AddSeconds(3), None);
        var second = Assert.Single(await webhooks.ClaimAsync("other", T0.AddSeconds(3), TimeSpan.FromMinutes(1), 10, None));
        Assert.Equal((WebhookEvents.Running, JobStatus.Running), (second.Delivery.EventType, second.Job.Status));

        // Ended deliveries past the keep time go; a pending one stays whatever its age.
        Assert.Equal(0, await webhooks.DeleteFinishedAsync(T0.AddSeconds(3), 100, None));
        Assert.Equal(1, await webhooks.DeleteFinishedAsync(T0.AddSeconds(4), 100, None));
        var left = Assert.Single(await webhooks.ListDeliveriesAsync("acct-a", null, null, 10, None));
        Assert.Equal(WebhookEvents.Running, left.EventType);
        Assert.Empty(await webhooks.ListDeliveriesAsync("acct-b", null, null, 10, None));
    }
}
