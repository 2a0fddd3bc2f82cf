namespace Seedgate.Core.Jobs;

/// <summary>
/// Task reads for the dialects. Long-polling holds a read until the job is terminal or the wait passes: local
/// changes wake it at once, a short re-read interval catches changes made by other nodes. Finished jobs come
/// from <see cref="FinishedJobCache"/>.
/// </summary>
public sealed class JobWaiter(IJobStore store, JobSignals signals, FinishedJobCache finished, TimeProvider time)
{
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);

    public async Task<Job?> GetAsync(string accountId, string id, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (finished.TryGet(id, out var done))
        {
            return done.AccountId == accountId ? done : null;
        }

        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            // Subscribe before reading (so a change between the read and the wait is not missed), only when waiting.
            var changed = wait > TimeSpan.Zero ? signals.NextChangeAsync(id) : null;
            var job = await store.GetForAccountAsync(accountId, id, cancellationToken);
            if (job is { IsTerminal: true })
            {
                finished.Add(job);
                return job;
            }

            if (job is null)
            {
                if (changed is not null)
                {
                    signals.Forget(id, changed);
                }

                return null;
            }

            var remaining = deadline - time.GetUtcNow();
            if (changed is null || remaining <= TimeSpan.Zero)
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
