using System.Text;
using Seedgate.Core.Dispatch;

namespace Seedgate.Core.Engines;

/// <summary>
/// A TEST engine that "renders" at once: it writes a few bytes instead of a video. It exists to measure and test
/// the job machinery (store, claims, leases, nodes) without rendering. It is registered only when configuration
/// asks for it (Seedgate:Engines:InstantTest:Enabled) and serves only models whose catalog route names it.
/// When a run directory is configured, every run leaves a file named "job-id node-id run-id" in it, so tests can
/// prove each job ran once, across processes (one file per run: no shared file whose appends could interleave).
/// </summary>
public sealed class InstantTestEngine(NodeIdentity node, string? runDirectory) : IVideoEngine
{
    public const string EngineName = "instant-test";
    private static readonly byte[] Placeholder = Encoding.ASCII.GetBytes("seedgate instant-test engine output\n");

    public string Name => EngineName;

    public async Task<EngineStep> StepAsync(EngineWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (runDirectory is not null)
        {
            Directory.CreateDirectory(runDirectory);
            var record = Path.Combine(runDirectory, $"{work.Job.Id} {node.Id} {Guid.NewGuid():N}");
            await File.WriteAllBytesAsync(record, [], cancellationToken);
        }

        // One file needs no directory: it goes next to the scratch path (the dispatcher moves it into storage).
        var path = work.Directory + ".mp4";
        await File.WriteAllBytesAsync(path, Placeholder, cancellationToken);
        var request = work.Job.Request;
        return new EngineStep.Completed(new EngineResult(
            path, null, 0, 0, request.FramesPerSecond!.Value, request.Duration!.Value, false, request.Ratio!, 0));
    }

    /// <summary>The configuration key that enables it.</summary>
    public static string EnabledKey => "Seedgate:Engines:InstantTest:Enabled";

    /// <summary>The configuration key of the optional directory of run records.</summary>
    public static string RunDirectoryKey => "Seedgate:Engines:InstantTest:RunDirectory";
}
