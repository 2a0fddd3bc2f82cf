using Seedgate.Core.Storage;

namespace Seedgate.Core.Jobs;

/// <summary>What <see cref="JobRemover.RemoveAsync"/> did.</summary>
public enum JobRemoval
{
    /// <summary>No such job for the account.</summary>
    NotFound,

    /// <summary>It was queued: now cancelled (its inputs removed; the record stays).</summary>
    Cancelled,

    /// <summary>It was finished: the record and its files are gone.</summary>
    Deleted,

    /// <summary>It is running: neither cancellable nor deletable now.</summary>
    Running,

    /// <summary>It was cancelled before: cancelled records stay.</summary>
    AlreadyCancelled,
}

/// <summary>
/// The rule for removing a job (Ark's DELETE, which every dialect that removes follows): a queued job is cancelled, a
/// finished one deleted with its files, a running one refused; cancelled records stay, as on Ark.
/// </summary>
public sealed class JobRemover(IJobStore store, IBlobStore blobs, JobSignals signals, TimeProvider time)
{
    public async Task<JobRemoval> RemoveAsync(string accountId, string id, CancellationToken cancellationToken)
    {
        var job = JobIds.LooksValid(id) ? await store.GetForAccountAsync(accountId, id, cancellationToken) : null;
        if (job is null)
        {
            return JobRemoval.NotFound;
        }

        if (job.Status == JobStatus.Queued && await store.CancelQueuedAsync(accountId, id, time.GetUtcNow(), cancellationToken))
        {
            signals.JobChanged(id);
            await JobFiles.DeleteInputsAsync(blobs, id, cancellationToken);
            return JobRemoval.Cancelled;
        }

        if (await store.DeleteTerminalAsync(accountId, id, cancellationToken))
        {
            signals.JobChanged(id);
            await JobFiles.DeleteAllAsync(blobs, id, cancellationToken);
            return JobRemoval.Deleted;
        }

        // Not queued any more (it may have just started) and not deletable: say which.
        var current = await store.GetForAccountAsync(accountId, id, cancellationToken);
        return current switch
        {
            null => JobRemoval.NotFound,
            { Status: JobStatus.Cancelled } => JobRemoval.AlreadyCancelled,
            _ => JobRemoval.Running,
        };
    }
}
