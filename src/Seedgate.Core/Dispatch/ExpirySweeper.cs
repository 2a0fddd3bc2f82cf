using Microsoft.Extensions.Logging;
using Seedgate.Core.Jobs;
using Seedgate.Core.Logging;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Dispatch;

/// <summary>
/// Expires the jobs whose <c>execution_expires_after</c> passed while nobody held them (queued, waiting, or left by a
/// dead worker); a running job's own worker expires it. A sweep over the store, at most once per poll interval.
/// </summary>
internal sealed partial class ExpirySweeper(IJobStore store, IBlobStore blobs, JobSignals signals, TimeProvider time, ILogger<ExpirySweeper> logger)
{
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await store.ExpireDueAsync(time.GetUtcNow(), cancellationToken))
        {
            Log.Expired(logger, id);
            signals.JobChanged(id);
            await JobFiles.DeleteInputsAsync(blobs, id, cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.JobExpired, LogLevel.Information, "Job {JobId} expired")]
        public static partial void Expired(ILogger logger, string jobId);
    }
}
