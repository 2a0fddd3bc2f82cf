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

    /// <summary>Makes the video in its scratch space (see <see cref="EngineWork"/>) and says what it made.</summary>
    Task<EngineResult> RunAsync(EngineWork work, CancellationToken cancellationToken);
}

/// <summary>
/// One run of a job on an engine: the job, its model, and the path of a private scratch directory, which the engine
/// creates if it needs one. An engine whose only file is its output may instead write it next to the path
/// (path + extension): outputs are moved into storage, and the dispatcher removes the directory afterwards.
/// </summary>
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
