namespace Seedgate.Client;

/// <summary>Where <see cref="SeedgateClient.GenerateAsync"/> stands.</summary>
public enum GenerationStage
{
    /// <summary>The create is being sent.</summary>
    Submitting,

    /// <summary>The task exists; <see cref="GenerationProgress.Task"/> says whether it is queued or running.</summary>
    Waiting,

    /// <summary>The task succeeded; the video is being written to disk (<see cref="GenerationProgress.Download"/>).</summary>
    Downloading,

    /// <summary>The video is on disk.</summary>
    Done,
}

/// <summary>A snapshot of <see cref="SeedgateClient.GenerateAsync"/>.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="TaskId">The task's id, once created.</param>
/// <param name="Task">The latest task snapshot, once read: status, progress and queue position where the server sends them.</param>
/// <param name="Download">How far the download is, while downloading.</param>
public sealed record GenerationProgress(GenerationStage Stage, string? TaskId, GenerationTask? Task, DownloadProgress? Download)
{
    /// <summary>The task's status (<c>queued</c>, <c>running</c>, …), once read.</summary>
    public string? Status => Task?.Status;

    /// <summary>The server's progress in percent, when it sends one.</summary>
    public int? Progress => Task?.Progress;

    /// <summary>Seedgate: the task's place in its queue while queued (1 = next).</summary>
    public int? QueuePosition => Task?.QueuePosition;
}

/// <summary>What <see cref="SeedgateClient.GenerateAsync"/> made.</summary>
/// <param name="Task">The succeeded task: its cost, seed, resolution, duration and output URL.</param>
/// <param name="OutputPath">The video on disk.</param>
/// <param name="Bytes">The video's size.</param>
/// <param name="CorrelationId">The id every call of this job carried (<c>X-Client-Request-Id</c>).</param>
/// <param name="WallTime">From the submit to the task's end (the download not included).</param>
public sealed record GenerationResult(GenerationTask Task, string OutputPath, long Bytes, string CorrelationId, TimeSpan WallTime);

/// <summary>
/// The task ended without a video (<c>failed</c>, <c>cancelled</c> or <c>expired</c>). <see cref="Code"/> says why, e.g.
/// <c>OutputVideoSensitiveContentDetected</c> (content policy) or <c>InternalServiceError</c>.
/// </summary>
public sealed class GenerationFailedException : Exception
{
    /// <summary>Creates the exception for a task that ended without a video.</summary>
    /// <param name="task">The task in its terminal status.</param>
    public GenerationFailedException(GenerationTask task)
        : base($"Task {task?.Id} {task?.Status}: {task?.Error?.Code} {task?.Error?.Message}".TrimEnd())
    {
        ArgumentNullException.ThrowIfNull(task);
        Task = task;
    }

    /// <summary>The task in its terminal status.</summary>
    public GenerationTask Task { get; }

    /// <summary>The task's error code, when it has one.</summary>
    public string? Code => Task.Error?.Code;

    /// <summary>True when a content check refused the prompt, an input or the output.</summary>
    public bool IsContentPolicy => Task.Error?.IsContentPolicy == true;
}
