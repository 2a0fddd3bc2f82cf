using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Seedgate.Core.Catalog;
using Seedgate.Core.Engines;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Logging;
using Seedgate.Core.Media;
using Seedgate.Core.Storage;
using Seedgate.Core.Telemetry;

namespace Seedgate.Core.Dispatch;

/// <summary>
/// Runs one step of a claimed job on its engine while renewing the lease, then records how the step ended: completed
/// (outputs stored, job succeeded), waiting (checkpoint stored, job given up until its resume time), or failed
/// (permanently at once; transiently retried with backoff, bounded by attempts and expiry). Expiry cancels the step.
/// </summary>
internal sealed partial class JobRunner(
    IJobStore store,
    IBlobStore blobs,
    ModelCatalog catalog,
    IEnumerable<IVideoEngine> engines,
    JobCompleter completer,
    LongTakeSteps longTakes,
    RetryPolicy retries,
    JobSignals signals,
    IOptions<DispatchOptions> options,
    NodeIdentity node,
    TimeProvider time,
    ILogger<JobRunner> logger)
{
    private readonly DispatchOptions _options = options.Value;
    private readonly Dictionary<string, IVideoEngine> _engines = engines.ToDictionary(e => e.Name, StringComparer.Ordinal);

    public async Task RunAsync(Job job, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var scope = logger.BeginScope(new LogScope(("JobId", job.Id), ("CorrelationId", job.CorrelationId)));
        signals.JobChanged(job.Id);
        try
        {
            await StepAsync(job, stoppingToken);
        }
        finally
        {
            signals.JobChanged(job.Id);
        }
    }

    private async Task StepAsync(Job job, CancellationToken stoppingToken)
    {
        if (job.Lapses > _options.MaxLapses)
        {
            await FailAsync(job, JobStatus.Failed, new JobError(
                ErrorCodes.InternalServiceError,
                $"The job was abandoned: the worker running it stopped {job.Lapses} times without finishing it."), stoppingToken);
            return;
        }

        var model = catalog.Find(job.Request.Model);
        if (model is null || !_engines.TryGetValue(job.Engine, out var engine))
        {
            await FailAsync(job, JobStatus.Failed, new JobError(
                ErrorCodes.InternalServiceError, $"No engine serves model '{job.Request.Model}' on this node."), stoppingToken);
            return;
        }

        var untilExpiry = job.ExpiresAt - time.GetUtcNow();
        if (untilExpiry <= TimeSpan.Zero)
        {
            await FailAsync(job, JobStatus.Expired, ExpiredError(job), stoppingToken);
            return;
        }

        Log.Started(logger, job.Id, job.Attempts, job.Engine, job.Checkpoint ?? "start");
        using var activity = SeedgateTelemetry.StartJobActivity("seedgate.job.step", job);
        activity?.SetTag(SeedgateTelemetry.AttemptTag, job.Attempts);
        if (job is { Attempts: 1, Checkpoint: null, Segments.Count: 0 })
        {
            SeedgateTelemetry.QueueWait.Record(
                (time.GetUtcNow() - job.CreatedAt).TotalSeconds,
                new(SeedgateTelemetry.AccountTag, job.AccountId), new(SeedgateTelemetry.ModelTag, job.Request.Model));
        }

        var stepStarted = time.GetTimestamp();
        using var expiry = new CancellationTokenSource(untilExpiry, time);
        using var leaseLost = new CancellationTokenSource();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, expiry.Token, leaseLost.Token);
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var finishing = new StrongBox<bool>();
        var renewing = RenewLeaseAsync(job, leaseLost, finishing, renewal.Token);

        // Each run has its own scratch directory and output keys: a run that lost its lease never touches the winner's.
        var runId = Random.Shared.Next().ToString("x8", System.Globalization.CultureInfo.InvariantCulture); // unique, not secret
        var directory = Path.Combine(_options.WorkDirectory, $"{job.Id}-{runId}");
        try
        {
            var work = new EngineWork(job, model, directory, (checkpoint, token) => RecordAsync(job, checkpoint, leaseLost, token));
            EngineStep step;
            try
            {
                if (job.Request.LongTake)
                {
                    var outcome = await longTakes.StepAsync(
                        engine, work, runId, (segments, token) => FinishSegmentAsync(job, segments, leaseLost, token), run.Token);
                    job = outcome.Job;
                    step = outcome.Step;
                }
                else
                {
                    step = await engine.StepAsync(work, run.Token);
                }
            }
            catch (SeedgateException ex) when (!run.IsCancellationRequested)
            {
                if (ex.InnerException is { } cause)
                {
                    Log.StepFailed(logger, cause, job.Id);
                }

                step = new EngineStep.Failed(ex.Error);
            }

            Volatile.Write(ref finishing.Value, true);
            var stepOutcome = StepOutcome(step);
            activity?.SetTag("seedgate.outcome", stepOutcome);
            if (step is EngineStep.Failed { Error: var stepError })
            {
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, stepError.Code);
            }

            SeedgateTelemetry.StepDuration.Record(
                time.GetElapsedTime(stepStarted).TotalSeconds,
                new(SeedgateTelemetry.EngineTag, job.Engine), new(SeedgateTelemetry.ModelTag, job.Request.Model), new("seedgate.outcome", stepOutcome));
            switch (step)
            {
                case EngineStep.Completed { Result: var made } when !MadeAVideo(made):
                    // A "success" with nothing to show is a failure, never billed; again would likely give the same.
                    await FailAsync(job, JobStatus.Failed, new JobError(
                        ErrorCodes.InternalServiceError, $"The {job.Engine} engine reported success but made no video."), stoppingToken);
                    break;
                case EngineStep.Completed completed:
                    if (await completer.CompleteAsync(job, model, completed.Result, runId, run.Token))
                    {
                        await DeleteSegmentsAsync(job);
                    }

                    break;
                case EngineStep.Waiting waiting:
                    await WaitAsync(job, waiting, stoppingToken);
                    break;
                case EngineStep.Failed { Error.Class: FailureClass.Permanent } failed:
                    await FailAsync(job, JobStatus.Failed, JobError.From(failed.Error), stoppingToken);
                    break;
                case EngineStep.Failed failed:
                    await RetryOrFailAsync(job, JobError.From(failed.Error), null, stoppingToken, failed.RetryAfter);
                    break;
            }
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            await FailAsync(job, JobStatus.Expired, ExpiredError(job), stoppingToken);
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested || stoppingToken.IsCancellationRequested)
        {
            Log.Stopped(logger, job.Id);
        }
#pragma warning disable CA1031 // Anything unexpected is transient: retried, bounded by attempts and expiry. Its details go to the log only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var error = new JobError(ErrorCodes.InternalServiceError, $"The {job.Engine} engine failed unexpectedly; the details were logged.");
            await RetryOrFailAsync(job, error, ex, stoppingToken);
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
            TryDelete(directory);
        }
    }

    /// <summary>Stores a checkpoint for the engine; when the job is no longer held, the step is stopped.</summary>
    private async Task RecordAsync(Job job, EngineCheckpoint checkpoint, CancellationTokenSource leaseLost, CancellationToken cancellationToken)
    {
        if (!await store.CheckpointAsync(job.Id, node.Id, checkpoint, time.GetUtcNow(), cancellationToken))
        {
            Log.LeaseLost(logger, job.Id);
            await leaseLost.CancelAsync();
            throw new OperationCanceledException("The job is no longer held by this node.", leaseLost.Token);
        }
    }

    /// <summary>Records a long take's finished segments; when the job is no longer held, the step is stopped.</summary>
    private async Task FinishSegmentAsync(Job job, IReadOnlyList<JobSegment> segments, CancellationTokenSource leaseLost, CancellationToken cancellationToken)
    {
        if (!await store.FinishSegmentAsync(job.Id, node.Id, segments, time.GetUtcNow(), cancellationToken))
        {
            Log.LeaseLost(logger, job.Id);
            await leaseLost.CancelAsync();
            throw new OperationCanceledException("The job is no longer held by this node.", leaseLost.Token);
        }

        Log.SegmentFinished(logger, job.Id, segments.Count, LongTakeRules.Plan(job.Request.Duration!.Value).Count, segments[^1].Outputs.DurationSeconds);
        signals.JobChanged(job.Id);
    }

    private async Task WaitAsync(Job job, EngineStep.Waiting waiting, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var resumeAt = now + (waiting.ResumeAfter > TimeSpan.Zero ? waiting.ResumeAfter : TimeSpan.Zero);
        if (await store.WaitAsync(job.Id, node.Id, waiting.Checkpoint, resumeAt, now, cancellationToken))
        {
            Log.Waiting(logger, job.Id, waiting.Checkpoint.State, resumeAt);
            signals.WorkQueued(); // another node (or this one) may take it at its time
        }
        else
        {
            Log.LeaseLost(logger, job.Id);
        }
    }

    private async Task RetryOrFailAsync(Job job, JobError error, Exception? cause, CancellationToken cancellationToken, TimeSpan? notBefore = null)
    {
        var now = time.GetUtcNow();
        if (retries.NextAttempt(job, now, notBefore) is { } retryAt)
        {
            if (FallbackFor(job) is { } fallback &&
                await store.FallBackAsync(job.Id, node.Id, error, retryAt, job.Request with { Model = fallback.Id }, fallback.Route.Engine, now, cancellationToken))
            {
                Log.FallingBack(logger, cause, job.Id, job.Attempts, error.Code, fallback.Id, retryAt);
                return;
            }

            Log.Retrying(logger, cause, job.Id, job.Attempts, error.Code, retryAt);
            await store.ScheduleRetryAsync(job.Id, node.Id, error, retryAt, now, cancellationToken);
        }
        else
        {
            if (cause is not null)
            {
                Log.StepFailed(logger, cause, job.Id);
            }

            await FailAsync(job, JobStatus.Failed, error, cancellationToken);
        }
    }

    /// <summary>The model the job's next attempt moves to: its fallback, once it failed often enough on the model it asked for.</summary>
    private ModelSpec? FallbackFor(Job job) =>
        job.Request.FallbackModel is { } fallback && !job.ServedByFallback && job.Attempts >= _options.FallbackAfterFailures
            ? catalog.Find(fallback)
            : null;

    private async Task FailAsync(Job job, JobStatus status, JobError error, CancellationToken cancellationToken)
    {
        var delivered = job.Request.LongTake ? await DeliverPartAsync(job, cancellationToken) : null;
        if (await store.FailAsync(job.Id, node.Id, status, error, time.GetUtcNow(), cancellationToken, delivered?.Delivery))
        {
            Log.Failed(logger, job.Id, JobStatusRules.Name(status), error.Code, error.Message);
            SeedgateTelemetry.Finished(job, status);
            await JobFiles.DeleteInputsAsync(blobs, job, CancellationToken.None);
            if (delivered is not null)
            {
                await DeleteSegmentsAsync(delivered.Job);
            }
        }
        else if (delivered is not null)
        {
            await blobs.DeletePrefixAsync($"outputs/{job.Id}/part-{delivered.Job.Segments.Count}-", CancellationToken.None);
        }
    }

    private sealed record PartDelivered(Job Job, JobDelivery Delivery);

    /// <summary>
    /// The part of a long take that ends without success: its finished segments (as stored: a step may have finished
    /// some since the claim), joined and stored as its video, and their price; null when none finished.
    /// </summary>
    private async Task<PartDelivered?> DeliverPartAsync(Job job, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(job.Id, cancellationToken);
        if (stored is not { Segments.Count: > 0 } || stored.LeaseOwner != node.Id)
        {
            return null;
        }

        var directory = Path.Combine(_options.WorkDirectory, $"{stored.Id}-part");
        try
        {
            var joined = await longTakes.JoinAsync(stored, directory, cancellationToken);
            var outputs = await JobFiles.StoreAsync(blobs, $"outputs/{stored.Id}/part-{stored.Segments.Count}-", joined, cancellationToken);
            return new PartDelivered(stored, new JobDelivery(outputs, LongTakeSteps.CostMicros(stored)));
        }
        catch (Exception ex) when (ex is FfmpegException or IOException or InvalidOperationException)
        {
            // The job must still end: without its part (nothing delivered, nothing charged) rather than never.
            Log.StepFailed(logger, ex, stored.Id);
            return null;
        }
        finally
        {
            TryDelete(directory);
        }
    }

    /// <summary>A long take's segment files, once its video (whole or part) is stored: they are in it.</summary>
    private async Task DeleteSegmentsAsync(Job job)
    {
        foreach (var segment in job.Segments)
        {
            await blobs.DeletePrefixAsync(segment.Outputs.VideoKey, CancellationToken.None);
            if (segment.Outputs.LastFrameKey is { } frame)
            {
                await blobs.DeletePrefixAsync(frame, CancellationToken.None);
            }
        }
    }

    /// <param name="finishing">
    /// Set once the step's outcome is being written: a renewal refused from then on is that outcome landing (the job no
    /// longer runs), not the lease lost; the outcome's own write says whether this node still held the job.
    /// </param>
    private async Task RenewLeaseAsync(Job job, CancellationTokenSource leaseLost, StrongBox<bool> finishing, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.Lease / 3, time, cancellationToken);
                if (!await store.RenewLeaseAsync(job.Id, node.Id, time.GetUtcNow() + _options.Lease, cancellationToken))
                {
                    if (Volatile.Read(ref finishing.Value))
                    {
                        return;
                    }

                    Log.LeaseLost(logger, job.Id);
                    await leaseLost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The step finished (or the node stops); renewal ends with it.
        }
    }

    private static string StepOutcome(EngineStep step) => step switch
    {
        EngineStep.Completed => "completed",
        EngineStep.Waiting => "waiting",
        EngineStep.Failed { Error.Class: FailureClass.Permanent } => "failed",
        _ => "retry",
    };

    internal static bool MadeAVideo(EngineResult result) =>
        result.DurationSeconds > 0 && new FileInfo(result.VideoPath) is { Exists: true, Length: > 0 };

    private static JobError ExpiredError(Job job) => new(
        "ExecutionExpired",
        $"The task did not finish within execution_expires_after ({job.Request.ExecutionExpiresAfter} s).");

    private void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException ex)
        {
            Log.CleanupFailed(logger, ex, directory);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.JobStarted, LogLevel.Information, "Job {JobId} step started (attempt {Attempt}, engine {Engine}, from {Checkpoint})")]
        public static partial void Started(ILogger logger, string jobId, int attempt, string engine, string checkpoint);

        [LoggerMessage(LogEvents.JobFailed, LogLevel.Warning, "Job {JobId} ended {Status}: {Code}: {Message}")]
        public static partial void Failed(ILogger logger, string jobId, string status, string code, string message);

        [LoggerMessage(LogEvents.JobRetrying, LogLevel.Warning, "Job {JobId} failed transiently on attempt {Attempt} ({Code}); retrying at {RetryAt}")]
        public static partial void Retrying(ILogger logger, Exception? ex, string jobId, int attempt, string code, DateTimeOffset retryAt);

        [LoggerMessage(LogEvents.JobFallingBack, LogLevel.Warning, "Job {JobId} failed transiently on attempt {Attempt} ({Code}); its next attempt runs on its fallback model {Model} at {RetryAt}")]
        public static partial void FallingBack(ILogger logger, Exception? ex, string jobId, int attempt, string code, string model, DateTimeOffset retryAt);

        [LoggerMessage(LogEvents.SegmentFinished, LogLevel.Information, "Job {JobId}: segment {Finished} of {Planned} finished ({Seconds} s)")]
        public static partial void SegmentFinished(ILogger logger, string jobId, int finished, int planned, double seconds);

        [LoggerMessage(LogEvents.LeaseLost, LogLevel.Warning, "Job {JobId}: this node no longer holds its lease; the step is dropped")]
        public static partial void LeaseLost(ILogger logger, string jobId);

        [LoggerMessage(LogEvents.JobStopped, LogLevel.Information, "Job {JobId} stopped before its step finished; it will be claimed again")]
        public static partial void Stopped(ILogger logger, string jobId);

        [LoggerMessage(LogEvents.JobWaiting, LogLevel.Information, "Job {JobId} waits ({Checkpoint}) until {ResumeAt}")]
        public static partial void Waiting(ILogger logger, string jobId, string checkpoint, DateTimeOffset resumeAt);

        [LoggerMessage(LogEvents.JobAbandoned, LogLevel.Error, "Job {JobId}: the engine step failed")]
        public static partial void StepFailed(ILogger logger, Exception ex, string jobId);

        [LoggerMessage(LogEvents.ScratchCleanupFailed, LogLevel.Warning, "Could not remove the scratch directory {Directory}")]
        public static partial void CleanupFailed(ILogger logger, Exception ex, string directory);
    }
}
