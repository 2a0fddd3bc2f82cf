using System.Collections.Concurrent;

namespace Seedgate.Server.Simulator;

/// <summary>
/// The simulator's fire-and-forget work (task runs, callback deliveries), kept so that stopping can wait for it and
/// nothing fails unseen.
/// </summary>
internal sealed class BackgroundWork(ILogger logger)
{
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    public void Track(Task work)
    {
        _running.TryAdd(work, 0);
        work.ContinueWith(
            done =>
            {
                _running.TryRemove(done, out _);
                if (done.Exception is { } error)
                {
                    logger.BackgroundWorkFailed(error.GetBaseException());
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Waits (at most <paramref name="limit"/>) for the work running now to end; its failures were logged.</summary>
    public async Task DrainAsync(TimeSpan limit, TimeProvider time)
    {
        var all = Task.WhenAll(_running.Keys);
        using var giveUp = new CancellationTokenSource();
        await Task.WhenAny(all, Task.Delay(limit, time, giveUp.Token));
        await giveUp.CancelAsync();
        _ = all.Exception; // observed: each failure was logged when it happened
    }
}
