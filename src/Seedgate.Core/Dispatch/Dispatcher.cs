using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Seedgate.Core.Jobs;
using Seedgate.Core.Logging;
using Seedgate.Core.Telemetry;
using Seedgate.Core.Upstream;

namespace Seedgate.Core.Dispatch;

/// <summary>
/// The dispatch loop of a node: at most <see cref="DispatchOptions.ConcurrentJobs"/> steps at a time, taking what the
/// <see cref="IClaimPolicy"/> grants into free slots and handing each to the <see cref="JobRunner"/>; the
/// <see cref="ExpirySweeper"/> runs once per poll interval. At start it takes back the leases this node held when it
/// died; at stop it hands its running jobs back so other nodes take them at once.
/// </summary>
internal sealed partial class Dispatcher(
    IJobStore store,
    IClaimPolicy claims,
    JobRunner runner,
    ExpirySweeper expiry,
    JobSignals signals,
    IOptions<DispatchOptions> options,
    NodeIdentity node,
    TimeProvider time,
    ILogger<Dispatcher> logger,
    UpstreamLanes? lanes = null) : BackgroundService
{
    private readonly DispatchOptions _options = options.Value;

    // The jobs whose steps run on this node now: their scratch entries are in use.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Directory.CreateDirectory(_options.WorkDirectory);
        SweepScratch(olderThan: TimeSpan.Zero);
        var nextScratchSweep = time.GetUtcNow() + _options.ScratchSweepInterval;
        var recovered = await store.ReleaseLeasesAsync(node.Id, time.GetUtcNow(), stoppingToken);
        if (recovered > 0)
        {
            Log.Recovered(logger, recovered, node.Id);
        }

        using var slots = new SemaphoreSlim(_options.ConcurrentJobs, _options.ConcurrentJobs);
        var upstreamSteps = lanes is null ? 0 : _options.ConcurrentUpstreamSteps;
        using var upstreamSlots = new SemaphoreSlim(upstreamSteps, Math.Max(1, upstreamSteps));
        var running = new List<Task>();
        var nextSweep = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (time.GetUtcNow() >= nextSweep)
                {
                    await expiry.SweepAsync(stoppingToken);
                    nextSweep = time.GetUtcNow() + _options.PollInterval;
                }

                if (time.GetUtcNow() >= nextScratchSweep)
                {
                    SweepScratch(olderThan: _options.ScratchSweepInterval);
                    nextScratchSweep = time.GetUtcNow() + _options.ScratchSweepInterval;
                }

                var capacity = new ClaimCapacity(slots.CurrentCount, upstreamSlots.CurrentCount);
                var claimStarted = time.GetUtcNow();
                var claimed = capacity is { Local: 0, Upstream: 0 } ? [] : await claims.ClaimAsync(node.Id, capacity, _options.Lease, stoppingToken);
                var claimEnded = time.GetUtcNow();
                foreach (var job in claimed)
                {
                    SeedgateTelemetry.Claimed(job, claimStarted, claimEnded, node.Id);
                    var pool = lanes is not null && UpstreamLanes.Engines.Contains(job.Engine) ? upstreamSlots : slots;
                    await pool.WaitAsync(stoppingToken);
                    running.Add(RunAndReleaseAsync(job, pool, stoppingToken));
                }

                running.RemoveAll(t => t.IsCompleted);
                if (claimed.Count == 0 || (slots.CurrentCount == 0 && upstreamSlots.CurrentCount == 0))
                {
                    await signals.WaitForWorkAsync(_options.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The loop must survive any store hiccup; it logs and tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.LoopFailed(logger, ex);
                await Task.Delay(_options.PollInterval, time, CancellationToken.None);
            }
        }

        await Task.WhenAll(running);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // Steps were cancelled by the stop: hand their jobs back now rather than after the lease lapses.
        var handedBack = await store.HandBackAsync(node.Id, time.GetUtcNow(), cancellationToken);
        if (handedBack > 0)
        {
            Log.HandedBack(logger, handedBack);
        }
    }

    /// <summary>
    /// Removes scratch entries that no running step owns: at start every one (nothing runs yet, so a crash left them),
    /// later those of jobs not running here that are older than <paramref name="olderThan"/> (a step that just started
    /// may not be listed yet). Only entries named like steps' (cgt-…) are touched: the directory may be shared by mistake.
    /// </summary>
    private void SweepScratch(TimeSpan olderThan)
    {
        var removed = 0;
        var cutoff = time.GetUtcNow() - olderThan;
        var running = _running.Keys.ToArray();
        foreach (var entry in Directory.EnumerateFileSystemEntries(_options.WorkDirectory, "cgt-*"))
        {
            var name = Path.GetFileName(entry);
            if (running.Any(id => name.StartsWith(id, StringComparison.Ordinal)) || File.GetLastWriteTimeUtc(entry) > cutoff.UtcDateTime)
            {
                continue;
            }

            try
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }

                removed++;
            }
            catch (IOException ex)
            {
                Log.ScratchFailed(logger, ex, entry);
            }
        }

        if (removed > 0)
        {
            Log.ScratchSwept(logger, removed, _options.WorkDirectory);
        }
    }

    private async Task RunAndReleaseAsync(Job job, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        await Task.Yield();
        _running[job.Id] = 0;
        try
        {
            await runner.RunAsync(job, stoppingToken);
        }
#pragma warning disable CA1031 // One job's unexpected failure must not stop the dispatcher.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.RunCrashed(logger, ex, job.Id);
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
            slots.Release();
            signals.WorkQueued();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.LeasesRecovered, LogLevel.Information, "Took back {Count} job lease(s) held by node {Node} before its restart")]
        public static partial void Recovered(ILogger logger, int count, string node);

        [LoggerMessage(LogEvents.LeasesHandedBack, LogLevel.Information, "Handed {Count} running job(s) back for other nodes")]
        public static partial void HandedBack(ILogger logger, int count);

        [LoggerMessage(LogEvents.ScratchSwept, LogLevel.Information, "Removed {Count} scratch entries left in {Directory} by an earlier run")]
        public static partial void ScratchSwept(ILogger logger, int count, string directory);

        [LoggerMessage(LogEvents.ScratchCleanupFailed, LogLevel.Warning, "Could not remove the scratch entry {Entry}")]
        public static partial void ScratchFailed(ILogger logger, Exception ex, string entry);

        [LoggerMessage(LogEvents.DispatchLoopFailed, LogLevel.Error, "The dispatch loop failed; trying again")]
        public static partial void LoopFailed(ILogger logger, Exception ex);

        [LoggerMessage(LogEvents.RunCrashed, LogLevel.Error, "Job {JobId}: the run crashed")]
        public static partial void RunCrashed(ILogger logger, Exception ex, string jobId);
    }
}
