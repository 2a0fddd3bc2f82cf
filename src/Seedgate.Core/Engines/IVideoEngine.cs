using Seedgate.Core.Catalog;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;

namespace Seedgate.Core.Engines;

/// <summary>
/// What turns a job into a video, in steps. Engines are chosen by the catalog route. A step ends
/// <see cref="EngineStep.Completed"/> (outputs), <see cref="EngineStep.Waiting"/> (a durable checkpoint and when to
/// look again: the job then holds no slot, and any node takes it up at that time) or <see cref="EngineStep.Failed"/>.
/// A local renderer is a single step; an upstream engine submits, waits, polls and collects. Throwing a
/// <see cref="SeedgateException"/> is the same as returning its error as <see cref="EngineStep.Failed"/>; anything
/// else thrown counts as a transient failure.
/// </summary>
internal interface IVideoEngine
{
    /// <summary>The route name in the catalog (sandbox, ark, …).</summary>
    string Name { get; }

    /// <summary>Runs the job's next step, from where <see cref="Job.Checkpoint"/> left off (null before the first).</summary>
    Task<EngineStep> StepAsync(EngineWork work, CancellationToken cancellationToken);
}

/// <summary>
/// One step of a job on an engine: the job (with its checkpoint), its model, and the path of a private scratch
/// directory, which the engine creates if it needs one. An engine whose only file is its output may instead write it
/// next to the path (path + extension): outputs are moved into storage, and the runner removes the directory afterwards.
/// </summary>
public sealed class EngineWork(Job job, ModelSpec model, string directory, Func<EngineCheckpoint, CancellationToken, Task> record)
{
    public Job Job { get; } = job;

    public ModelSpec Model { get; } = model;

    public string Directory { get; } = directory;

    /// <summary>
    /// Stores a checkpoint durably while the job is held: call it before an external side effect (an upstream submit),
    /// so that recovery can tell "never sent" from "sent, id unknown". Throws <see cref="OperationCanceledException"/>
    /// when the job is no longer held (the step must stop).
    /// </summary>
    public Task RecordAsync(EngineCheckpoint checkpoint, CancellationToken cancellationToken) => record(checkpoint, cancellationToken);

    /// <summary>Set when the work is one segment of a long take: it keeps the take's own camera (it carries no move on).</summary>
    public TakeSegment? Segment { get; init; }
}

/// <summary>A long take's segment as its engine sees it.</summary>
/// <param name="Index">From 0.</param>
/// <param name="Previous">
/// The segment before (this segment's reference video), as this node just made it: its URL and what is in it, so an
/// engine that reads it need not probe it again; null after a restart or when its engine said nothing of its output.
/// </param>
public sealed record TakeSegment(int Index, KnownVideo? Previous);

/// <summary>A stored video and what is in it.</summary>
public sealed record KnownVideo(string Url, Media.MediaInfo Info);

/// <summary>How an engine step ended.</summary>
public abstract record EngineStep
{
    private EngineStep()
    {
    }

    /// <summary>The video is made: its files (in the scratch directory) and facts.</summary>
    public sealed record Completed(EngineResult Result) : EngineStep;

    /// <summary>The engine waits (e.g. on an upstream task): store the checkpoint, look again after <paramref name="ResumeAfter"/>.</summary>
    public sealed record Waiting(EngineCheckpoint Checkpoint, TimeSpan ResumeAfter) : EngineStep;

    /// <summary>
    /// The step failed: permanently (never retried) or transiently (retried with backoff, and not before
    /// <paramref name="RetryAfter"/> when the upstream said when), by the error's class.
    /// </summary>
    public sealed record Failed(SeedgateError Error, TimeSpan? RetryAfter = null) : EngineStep;
}

/// <summary>The files an engine made (inside the scratch directory) and their facts.</summary>
public sealed record EngineResult(
    string VideoPath,
    string? LastFramePath,
    int Width,
    int Height,
    int FramesPerSecond,
    double DurationSeconds,
    bool HasAudio,
    string Ratio,
    long Tokens)
{
    /// <summary>What is in the video, when the engine knows it without reading the file (the sandbox renderer does).</summary>
    public Media.MediaInfo? VideoInfo { get; init; }
}
