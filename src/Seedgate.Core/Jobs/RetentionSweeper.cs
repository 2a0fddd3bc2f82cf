using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Seedgate.Core.Logging;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Jobs;

/// <summary>
/// Deletes the files of jobs that finished longer ago than <see cref="RetentionOptions.Files"/> (outputs, and any
/// inputs left), on local disk or S3, and records it on the job (its record stays, its view loses the links). Files
/// are deleted before the job is marked, so a crash in between only means deleting them again; nodes sweeping at
/// once delete the same prefixes, which is harmless.
/// </summary>
internal sealed partial class RetentionSweeper(
    IJobStore store,
    IBlobStore blobs,
    JobSignals signals,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionSweeper> logger) : BackgroundService
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
#pragma warning disable CA1031 // A failed sweep is tried again at the next tick.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                Log.Failed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One sweep; the number of jobs whose files it deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.Files;
        var total = 0;
        IReadOnlyList<string> ids;
        do
        {
            ids = await store.FindFilesPastRetentionAsync(cutoff, BatchSize, cancellationToken);
            foreach (var id in ids)
            {
                await JobFiles.DeleteAllAsync(blobs, id, cancellationToken);
            }

            await store.MarkFilesDeletedAsync(ids, time.GetUtcNow(), cancellationToken);
            foreach (var id in ids)
            {
                signals.JobChanged(id);
            }

            total += ids.Count;
        }
        while (ids.Count == BatchSize);

        if (total > 0)
        {
            Log.Swept(logger, total, options.Value.Files);
        }

        return total;
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.RetentionSwept, LogLevel.Information, "Deleted the files of {Count} job(s) finished more than {Retention} ago")]
        public static partial void Swept(ILogger logger, int count, TimeSpan retention);

        [LoggerMessage(LogEvents.RetentionFailed, LogLevel.Error, "The retention sweep failed; it runs again at its next interval")]
        public static partial void Failed(ILogger logger, Exception ex);
    }
}
