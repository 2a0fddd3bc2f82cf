namespace Seedgate.Core.Jobs;

/// <summary>
/// Long-polling: holds a read until the job is terminal or the wait passes. Local changes wake it at once;
/// a short re-read interval catches changes made by other nodes.
/// </summary>
public sealed class JobWaiter(IJobStore store, JobSignals signals, TimeProvider time)
{
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    public async Task<Job?> GetAsync(string accountId, string id, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            // Subscribe before reading, so a change between the read and the wait is not missed.
            var changed = signals.NextChangeAsync(id);
            var job = await store.GetForAccountAsync(accountId, id, cancellationToken);
            var remaining = deadline - time.GetUtcNow();
            if (job is null || job.IsTerminal || remaining <= TimeSpan.Zero)
            {
                return job;
            }

            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var recheck = Task.Delay(remaining < RecheckInterval ? remaining : RecheckInterval, time, timer.Token);
            await Task.WhenAny(changed, recheck);
            await timer.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
