using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Tests.Storage;

namespace Seedgate.Core.Tests.Jobs;

/// <summary>Long-polls: a local change wakes them at once, and ids that do not exist leave nothing behind.</summary>
public sealed class JobWaiterTests : IDisposable
{
    private readonly TempSqliteFile _file = new();
    private readonly JobSignals _signals = new();

    public void Dispose()
    {
        _signals.Dispose();
        _file.Dispose();
    }

    [Fact]
    public async Task Long_polls_of_ids_that_do_not_exist_answer_at_once_and_leave_no_subscription()
    {
        var (waiter, store) = await OpenAsync();
        var job = JobSamples.QueuedJob("default", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await store.CreateAsync(job, CancellationToken.None);

        for (var i = 0; i < 100; i++)
        {
            Assert.Null(await waiter.GetAsync("default", $"cgt-20260101000000-{i:x8}", TimeSpan.FromSeconds(30), CancellationToken.None));
        }

        Assert.Null(await waiter.GetAsync("another-account", job.Id, TimeSpan.FromSeconds(30), CancellationToken.None)); // foreign
        Assert.Equal(0, _signals.Subscriptions);
    }

    [Fact]
    public async Task A_local_change_wakes_a_long_poll()
    {
        var (waiter, store) = await OpenAsync();
        var job = JobSamples.QueuedJob("default", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await store.CreateAsync(job, CancellationToken.None);

        var polling = waiter.GetAsync(job.AccountId, job.Id, TimeSpan.FromSeconds(30), CancellationToken.None);
        var now = job.CreatedAt.AddSeconds(1);
        Assert.Single(await store.ClaimAsync("node-1", 1, now, TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.True(await store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs(), 1, now, CancellationToken.None));
        _signals.JobChanged(job.Id);

        Assert.Equal(JobStatus.Succeeded, (await polling.WaitAsync(TimeSpan.FromSeconds(10)))!.Status);
    }

    private async Task<(JobWaiter Waiter, SqlJobStore Store)> OpenAsync()
    {
        var store = new SqlJobStore(await _file.OpenAsync());
        return (new JobWaiter(store, _signals, new FinishedJobCache(_signals, TimeProvider.System), TimeProvider.System), store);
    }
}
