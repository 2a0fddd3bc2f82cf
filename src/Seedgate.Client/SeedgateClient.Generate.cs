using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace Seedgate.Client;

// The seeds' whole submit → poll → retrieve pattern in one call.
public sealed partial class SeedgateClient
{
    /// <summary>
    /// Submits <paramref name="request"/>, waits for it (<see cref="WaitAsync"/>) and writes the video to
    /// <paramref name="outputPath"/> (<see cref="DownloadToFileAsync"/>), reporting each stage. Every call of the job
    /// carries one correlation id (the <see cref="SeedgateCorrelation"/> scope's, else a new one), the create one
    /// idempotency key, all under one <c>seedgate.client.generate</c> span; the end is logged to
    /// <see cref="SeedgateClientOptions.Logger"/> with the task id, correlation id, input hash, output URL, estimated and
    /// actual cost and the wall time.
    /// </summary>
    /// <param name="request">What to generate.</param>
    /// <param name="outputPath">Where the MP4 goes (written through <c>outputPath.part</c>).</param>
    /// <param name="progress">Receives each stage and task snapshot.</param>
    /// <param name="timeout">How long to wait for the task; <see langword="null"/>: for ever.</param>
    /// <param name="cancellationToken">Cancels the calls (a submitted task keeps going on the server).</param>
    /// <returns>The succeeded task and the file.</returns>
    /// <exception cref="GenerationFailedException">The task failed, was cancelled or expired.</exception>
    /// <exception cref="TaskWaitTimeoutException">The timeout passed before the task ended; it may still finish.</exception>
    /// <exception cref="SeedgateApiException">The server refused the request (typed: <see cref="InvalidRequestException"/>, …).</exception>
    public async Task<GenerationResult> GenerateAsync(
        CreateTaskRequest request,
        string outputPath,
        IProgress<GenerationProgress>? progress = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        var correlationId = SeedgateCorrelation.Current ?? SeedgateCorrelation.NewId();
        using var scope = SeedgateCorrelation.Begin(correlationId);
        using var activity = SeedgateClientTelemetry.Source.StartActivity("seedgate.client.generate");
        activity?.SetTag(SeedgateClientTelemetry.CorrelationIdTag, correlationId);
        activity?.SetTag(SeedgateClientTelemetry.ModelTag, request.Model);
        var inputHash = InputHash(request);

        progress?.Report(new GenerationProgress(GenerationStage.Submitting, null, null, null));
        var started = time.GetTimestamp();
        var id = await CreateTaskAsync(request, correlationId: correlationId, cancellationToken: cancellationToken).ConfigureAwait(false);
        activity?.SetTag(SeedgateClientTelemetry.TaskIdTag, id);
        progress?.Report(new GenerationProgress(GenerationStage.Waiting, id, null, null));

        GenerationTask task;
        using (var wait = SeedgateClientTelemetry.Source.StartActivity("seedgate.client.wait"))
        {
            wait?.SetTag(SeedgateClientTelemetry.TaskIdTag, id);
            try
            {
                task = await WaitAsync(
                    id, progress is null ? null : new Snapshots(progress, id), timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TaskWaitTimeoutException e)
            {
                if (options.Logger is { } logger)
                {
                    SeedgateClientLog.JobWaitGaveUp(logger, id, e.LastSeen?.Status, correlationId, inputHash, time.GetElapsedTime(started).TotalSeconds);
                }

                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                throw;
            }
        }

        var wallTime = time.GetElapsedTime(started);
        activity?.SetTag(SeedgateClientTelemetry.StatusTag, task.Status);
        if (options.Logger is { } log)
        {
            SeedgateClientLog.JobFinished(
                log, id, task.Status, correlationId, inputHash, wallTime.TotalSeconds, task.ReservedCost, task.Cost, task.Content?.VideoUrl);
        }

        if (task.Status != TaskStatuses.Succeeded || task.Content?.VideoUrl is not { } video)
        {
            activity?.SetStatus(ActivityStatusCode.Error, task.Error?.Code ?? task.Status);
            throw new GenerationFailedException(task);
        }

        long bytes;
        using (var download = SeedgateClientTelemetry.Source.StartActivity("seedgate.client.download"))
        {
            download?.SetTag(SeedgateClientTelemetry.TaskIdTag, id);
            var bytesProgress = progress is null ? null : new DownloadSnapshots(progress, task);
            bytes = await DownloadToFileAsync(video, outputPath, bytesProgress, cancellationToken).ConfigureAwait(false);
        }

        progress?.Report(new GenerationProgress(GenerationStage.Done, id, task, new DownloadProgress(bytes, bytes)));
        return new GenerationResult(task, outputPath, bytes, correlationId, wallTime);
    }

    /// <summary>
    /// Seedgate: a take longer than one model pass (16–120 s). <see cref="GenerateAsync"/> with
    /// <see cref="CreateTaskRequest.LongTake"/> set: the server chains segments, each continuing from the last frames of the
    /// one before, and joins them into one MP4; snapshots carry <see cref="GenerationTask.LongTake"/> (segments done,
    /// seconds made).
    /// </summary>
    /// <param name="request">What to generate; <see cref="CreateTaskRequest.Duration"/> is the whole take's length.</param>
    /// <param name="outputPath">Where the MP4 goes.</param>
    /// <param name="progress">Receives each stage and task snapshot.</param>
    /// <param name="timeout">How long to wait for the task; <see langword="null"/>: for ever.</param>
    /// <param name="cancellationToken">Cancels the calls (the take keeps going on the server).</param>
    /// <exception cref="GenerationFailedException">The take failed (its delivered part is charged) or was cancelled.</exception>
    public Task<GenerationResult> LongTakeAsync(
        CreateTaskRequest request,
        string outputPath,
        IProgress<GenerationProgress>? progress = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return GenerateAsync(request with { LongTake = true }, outputPath, progress, timeout, cancellationToken);
    }

    /// <summary>The first 16 hex digits of the SHA-256 of the create body: the same input logs the same hash.</summary>
    private static string InputHash(CreateTaskRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, SeedgateJsonContext.Default.CreateTaskRequest)))[..16];

    private sealed class Snapshots(IProgress<GenerationProgress> target, string id) : IProgress<GenerationTask>
    {
        public void Report(GenerationTask value) => target.Report(new GenerationProgress(GenerationStage.Waiting, id, value, null));
    }

    private sealed class DownloadSnapshots(IProgress<GenerationProgress> target, GenerationTask task) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => target.Report(new GenerationProgress(GenerationStage.Downloading, task.Id, task, value));
    }
}
