using System.Globalization;
using Seedgate.Core.Catalog;
using Seedgate.Core.Engines;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Media;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Dispatch;

/// <summary>
/// Runs a long take (see <see cref="LongTakes"/>) on its engine: from the first unfinished segment on, each segment is
/// one job to the engine; a finished segment's video is stored and recorded durably before the next starts, so a
/// crash or a failed segment resumes there and no finished segment is made (or priced) twice. When the last one is
/// done, the segments are joined into the job's video. A segment that waits (upstream) or fails ends the step as its
/// engine said, and the runner treats it as for any job.
/// </summary>
internal sealed class LongTakeSteps(IBlobStore blobs, Ffmpeg ffmpeg, TimeProvider time)
{
    /// <summary>What a long take's step ended with: the job as it now stands (its segments), and the step.</summary>
    public sealed record Outcome(Job Job, EngineStep Step);

    /// <param name="finish">Records the finished segments durably; throws <see cref="OperationCanceledException"/> when the job is no longer held.</param>
    public async Task<Outcome> StepAsync(
        IVideoEngine engine,
        EngineWork work,
        string runId,
        Func<IReadOnlyList<JobSegment>, CancellationToken, Task> finish,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(finish);
        var job = work.Job;
        var plan = LongTakeRules.Plan(job.Request.Duration!.Value);
        KnownVideo? previous = null;
        while (job.Segments.Count < plan.Count)
        {
            var index = job.Segments.Count;
            var segmentWork = new EngineWork(LongTakes.NextSegment(job, plan), work.Model, Path.Combine(work.Directory, $"segment-{index}"), work.RecordAsync)
            {
                Segment = new TakeSegment(index, previous),
            };
            var step = await engine.StepAsync(segmentWork, cancellationToken);
            if (step is not EngineStep.Completed { Result: var made } || !JobRunner.MadeAVideo(made))
            {
                return new Outcome(job, step);
            }

            var prefix = $"outputs/{job.Id}/{runId}-segment-{index.ToString(CultureInfo.InvariantCulture)}-";
            var outputs = await JobFiles.StoreAsync(blobs, prefix, made, cancellationToken);
            var cost = Pricing.CostMicros(work.Model, job.Request.Resolution!, made.DurationSeconds, made.FramesPerSecond);
            IReadOnlyList<JobSegment> segments = [.. job.Segments, new JobSegment(index, outputs, cost, time.GetUtcNow())];
            await finish(segments, cancellationToken);
            job = job with { Segments = segments, Checkpoint = null, Attempts = 1 };

            // The next segment continues this one: what is in it is known, so its engine need not probe it again.
            previous = made.VideoInfo is { } info ? new KnownVideo(JobSubmitter.BlobScheme + outputs.VideoKey, info) : null;
        }

        return new Outcome(job, new EngineStep.Completed(await JoinAsync(job, work.Directory, cancellationToken)));
    }

    /// <summary>The job's finished segments as one video (for a long take that ends before its last: the part it made).</summary>
    public async Task<EngineResult> JoinAsync(Job job, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        Directory.CreateDirectory(directory);
        var list = new List<string>();
        foreach (var segment in job.Segments)
        {
            var path = Path.Combine(directory, $"joined-{segment.Index}.mp4");
            if (!await blobs.CopyToFileAsync(segment.Outputs.VideoKey, path, cancellationToken))
            {
                throw new InvalidOperationException($"Segment {segment.Index} of job {job.Id} is missing from storage.");
            }

            list.Add(path);
        }

        var output = Path.Combine(directory, "video.mp4");
        var listPath = Path.Combine(directory, "segments.txt");
        await File.WriteAllLinesAsync(listPath, list.Select(p => $"file '{p.Replace("'", "'\\''", StringComparison.Ordinal)}'"), cancellationToken);

        // The segments share codec and parameters (one engine, one request): the streams are copied, not encoded again.
        await ffmpeg.RunAsync(
            ["-loglevel", "error", "-f", "concat", "-safe", "0", "-i", Ffmpeg.FileInput(listPath), "-c", "copy", "-movflags", "+faststart", "-y", Ffmpeg.FileInput(output)],
            cancellationToken: cancellationToken);
        string? lastFrame = null;
        if (job.Segments[^1].Outputs.LastFrameKey is { } lastFrameKey)
        {
            lastFrame = Path.Combine(directory, "last_frame.png");
            if (!await blobs.CopyToFileAsync(lastFrameKey, lastFrame, cancellationToken))
            {
                lastFrame = null;
            }
        }

        var first = job.Segments[0].Outputs;
        var seconds = job.Segments.Sum(s => s.Outputs.DurationSeconds);
        return new EngineResult(
            output, lastFrame, first.Width, first.Height, first.FramesPerSecond, seconds, job.Segments.All(s => s.Outputs.HasAudio), first.Ratio,
            job.Segments.Sum(s => s.Outputs.Tokens));
    }

    /// <summary>What a long take's finished segments cost: the sum of their prices, each fixed when it finished.</summary>
    public static long CostMicros(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Segments.Sum(s => s.CostMicros);
    }
}
