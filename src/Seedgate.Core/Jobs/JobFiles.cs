using Seedgate.Core.Engines;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Jobs;

/// <summary>Where a job's files live in blob storage: inputs/{id}/ (uploaded references) and outputs/{id}/ (what it made).</summary>
internal static class JobFiles
{
    /// <summary>
    /// The inputs of a job that ended without a video. A succeeded job keeps its inputs as long as its outputs (the
    /// retention sweep deletes both), since it may be promoted as a draft (<see cref="DraftPromotion"/>).
    /// </summary>
    public static Task DeleteInputsAsync(IBlobStore blobs, string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        return blobs.DeletePrefixAsync($"inputs/{jobId}/", cancellationToken);
    }

    /// <summary>The same for a job at hand: nothing to do (no storage call) when it uploaded no inputs.</summary>
    public static Task DeleteInputsAsync(IBlobStore blobs, Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Request.References.Any(r => r.Url.StartsWith(JobSubmitter.BlobScheme, StringComparison.Ordinal))
            ? DeleteInputsAsync(blobs, job.Id, cancellationToken)
            : Task.CompletedTask;
    }

    /// <summary>
    /// Moves what an engine made into storage under <paramref name="prefix"/> (<c>{prefix}video.mp4</c>, and
    /// <c>{prefix}last_frame.png</c> when there is one) and returns it as outputs.
    /// </summary>
    public static async Task<JobOutputs> StoreAsync(IBlobStore blobs, string prefix, EngineResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(result);
        await blobs.MoveFileAsync(prefix + "video.mp4", result.VideoPath, cancellationToken);
        string? lastFrameKey = null;
        if (result.LastFramePath is not null)
        {
            lastFrameKey = prefix + "last_frame.png";
            await blobs.MoveFileAsync(lastFrameKey, result.LastFramePath, cancellationToken);
        }

        return new JobOutputs(
            prefix + "video.mp4", lastFrameKey, result.Width, result.Height, result.FramesPerSecond,
            result.DurationSeconds, result.HasAudio, result.Ratio, result.Tokens);
    }

    public static async Task DeleteAllAsync(IBlobStore blobs, string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        await blobs.DeletePrefixAsync($"outputs/{jobId}/", cancellationToken);
        await DeleteInputsAsync(blobs, jobId, cancellationToken);
    }
}
