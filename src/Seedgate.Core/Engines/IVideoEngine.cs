using Seedgate.Core.Catalog;
using Seedgate.Core.Jobs;

namespace Seedgate.Core.Engines;

/// <summary>
/// What turns a job into a video. Engines are chosen by the catalog route. An engine throws
/// <see cref="Generation.SeedgateException"/> with a permanent or transient failure class; anything else it
/// throws counts as transient.
/// </summary>
public interface IVideoEngine
{
    /// <summary>The route name in the catalog (sandbox, ark, …).</summary>
    string Name { get; }

    /// <summary>Makes the video into <see cref="EngineWork.Directory"/> and says what it made.</summary>
    Task<EngineResult> RunAsync(EngineWork work, CancellationToken cancellationToken);
}

/// <summary>One run of a job on an engine: the job, its model, and a private scratch directory.</summary>
public sealed record EngineWork(Job Job, ModelSpec Model, string Directory);

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
    long Tokens);
