using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Seedgate.Core.Catalog;
using Seedgate.Core.Engines;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Dispatch;

/// <summary>
/// Claims runnable jobs and runs them on their engine, at most <see cref="DispatchOptions.ConcurrentJobs"/> at a
/// time. A claim is a lease that is renewed while the job runs, so a job is never run by two nodes and a dead
/// node's jobs come back. Transient failures are retried with backoff; permanent ones fail at once;
/// <c>execution_expires_after</c> cancels the run and marks the job expired.
/// </summary>
public sealed partial class Dispatcher(
    IJobStore store,
    IBlobStore blobs,
    ModelCatalog catalog,
    IEnumerable<IVideoEngine> engines,
    JobSignals signals,
    IOptions<DispatchOptions> options,
    NodeIdentity node,
    TimeProvider time,
    ILogger<Dispatcher> logger) : BackgroundService
{
    private const int MaxCompletionsPerBatch = 256;

    private readonly DispatchOptions _options = options.Value;
    private readonly Dictionary<string, IVideoEngine> _engines = engines.ToDictionary(e => e.Name, StringComparer.Ordinal);

    // Successes are written in batches: one round trip completes every job that finished meanwhile.
    private readonly Channel<(JobCompletion Completion, TaskCompletionSource<bool> Done)> _completions =
        Channel.CreateUnbounded<(JobCompletion, TaskCompletionSource<bool>)>(new() { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Directory.CreateDirectory(_options.WorkDirectory);
        var recovered = await store.ReleaseLeasesAsync(node.Id, time.GetUtcNow(), stoppingToken);
        if (recovered > 0)
        {
            Log.Recovered(logger, recovered, node.Id);
        }

        var completing = WriteCompletionsAsync();
        using var slots = new SemaphoreSlim(_options.ConcurrentJobs, _options.ConcurrentJobs);
        var running = new List<Task>();
        var nextSweep = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Expiry is a sweep over the store: once per poll interval is enough, not once per claim.
                if (time.GetUtcNow() >= nextSweep)
                {
                    await ExpireDueAsync(stoppingToken);
                    nextSweep = time.GetUtcNow() + _options.PollInterval;
                }

                var claimed = slots.CurrentCount == 0
                    ? []
                    : await store.ClaimAsync(node.Id, slots.CurrentCount, time.GetUtcNow(), _options.Lease, stoppingToken);
                foreach (var job in claimed)
                {
                    await slots.WaitAsync(stoppingToken);
                    running.Add(RunAndReleaseAsync(job, slots, stoppingToken));
                }

                running.RemoveAll(t => t.IsCompleted);
                if (claimed.Count == 0 || slots.CurrentCount == 0)
                {
                    await signals.WaitForWorkAsync(_options.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The loop must survive any store hiccup; it logs and tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.LoopFailed(logger, ex);
                await Task.Delay(_options.PollInterval, time, CancellationToken.None);
            }
        }

        await Task.WhenAll(running);
        _completions.Writer.TryComplete();
        await completing;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // Runs were cancelled by the stop: hand their jobs back now rather than after the lease lapses.
        await store.ReleaseLeasesAsync(node.Id, time.GetUtcNow(), cancellationToken);
    }

    private async Task ExpireDueAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await store.ExpireDueAsync(time.GetUtcNow(), cancellationToken))
        {
            Log.Expired(logger, id);
            signals.JobChanged(id);
        }
    }

    private async Task RunAndReleaseAsync(Job job, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await RunAsync(job, stoppingToken);
        }
#pragma warning disable CA1031 // One job's unexpected failure must not stop the dispatcher.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.RunCrashed(logger, ex, job.Id);
        }
        finally
        {
            slots.Release();
            signals.WorkQueued();
        }
    }

    private async Task RunAsync(Job job, CancellationToken stoppingToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["JobId"] = job.Id, ["CorrelationId"] = job.CorrelationId });
        signals.JobChanged(job.Id);
        Log.Started(logger, job.Id, job.Attempts, job.Engine);

        if (job.Attempts > _options.MaxAttempts)
        {
            await FailAsync(job, JobStatus.Failed, new JobError(
                ErrorCodes.InternalServiceError, $"The job was abandoned after {_options.MaxAttempts} attempts."), stoppingToken);
            return;
        }

        var model = catalog.Find(job.Request.Model);
        if (model is null || !_engines.TryGetValue(job.Engine, out var engine))
        {
            await FailAsync(job, JobStatus.Failed, new JobError(
                ErrorCodes.InternalServiceError, $"No engine serves model '{job.Request.Model}' (engine '{job.Engine}')."), stoppingToken);
            return;
        }

        var untilExpiry = job.ExpiresAt - time.GetUtcNow();
        if (untilExpiry <= TimeSpan.Zero)
        {
            await FailAsync(job, JobStatus.Expired, ExpiredError(job), stoppingToken);
            return;
        }

        using var expiry = new CancellationTokenSource(untilExpiry, time);
        using var leaseLost = new CancellationTokenSource();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, expiry.Token, leaseLost.Token);
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewLeaseAsync(job, leaseLost, renewal.Token);
        var directory = Path.Combine(_options.WorkDirectory, $"{job.Id}-{job.Attempts}");
        try
        {
            var result = await engine.RunAsync(new EngineWork(job, model, directory), run.Token);
            await CompleteAsync(job, model, result, run.Token);
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            await FailAsync(job, JobStatus.Expired, ExpiredError(job), stoppingToken);
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested || stoppingToken.IsCancellationRequested)
        {
            Log.Abandoned(logger, job.Id);
        }
        catch (SeedgateException ex) when (ex.Error.Class == FailureClass.Permanent)
        {
            await FailAsync(job, JobStatus.Failed, JobError.From(ex.Error), stoppingToken);
        }
#pragma warning disable CA1031 // Anything unexpected is treated as transient: retried, bounded by attempts and expiry.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var error = ex is SeedgateException typed
                ? JobError.From(typed.Error)
                : new JobError(ErrorCodes.InternalServiceError, ex.Message);
            await RetryOrFailAsync(job, error, ex, stoppingToken);
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
            TryDelete(directory);
            signals.JobChanged(job.Id);
        }
    }

    private async Task CompleteAsync(Job job, ModelSpec model, EngineResult result, CancellationToken cancellationToken)
    {
        var prefix = $"outputs/{job.Id}/";
        await blobs.MoveFileAsync(prefix + "video.mp4", result.VideoPath, cancellationToken);
        string? lastFrameKey = null;
        if (result.LastFramePath is not null)
        {
            lastFrameKey = prefix + "last_frame.png";
            await blobs.MoveFileAsync(lastFrameKey, result.LastFramePath, cancellationToken);
        }

        var outputs = new JobOutputs(
            prefix + "video.mp4", lastFrameKey, result.Width, result.Height, result.FramesPerSecond,
            result.DurationSeconds, result.HasAudio, result.Ratio, result.Tokens);
        var cost = Pricing.CostMicros(model, job.Request.Resolution!, result.DurationSeconds, result.FramesPerSecond);
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_completions.Writer.TryWrite((new JobCompletion(job.Id, node.Id, outputs, cost), done)))
        {
            throw new OperationCanceledException("The dispatcher is stopping.");
        }

        if (await done.Task.WaitAsync(cancellationToken))
        {
            Log.Succeeded(logger, job.Id, result.DurationSeconds, cost);
        }
        else
        {
            Log.LeaseLost(logger, job.Id);
        }
    }

    /// <summary>Writes successes as they come, each batch in one store call, until the dispatcher stops.</summary>
    private async Task WriteCompletionsAsync()
    {
        var batch = new List<(JobCompletion Completion, TaskCompletionSource<bool> Done)>();
        while (await _completions.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxCompletionsPerBatch && _completions.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                var completed = await store.CompleteManyAsync([.. batch.Select(b => b.Completion)], time.GetUtcNow(), CancellationToken.None);
                foreach (var (completion, done) in batch)
                {
                    done.TrySetResult(completed.Contains(completion.Id));
                }
            }
#pragma warning disable CA1031 // Each waiting run gets the failure; the writer goes on with the next batch.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                foreach (var (_, done) in batch)
                {
                    done.TrySetException(ex);
                }
            }
        }
    }

    private async Task RetryOrFailAsync(Job job, JobError error, Exception ex, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var retryAt = now + Backoff(job.Attempts);
        if (job.Attempts < _options.MaxAttempts && retryAt < job.ExpiresAt)
        {
            Log.Retrying(logger, ex, job.Id, job.Attempts, retryAt);
            await store.ScheduleRetryAsync(job.Id, node.Id, error, retryAt, now, cancellationToken);
        }
        else
        {
            await FailAsync(job, JobStatus.Failed, error, cancellationToken);
        }
    }

    private async Task FailAsync(Job job, JobStatus status, JobError error, CancellationToken cancellationToken)
    {
        if (await store.FailAsync(job.Id, node.Id, status, error, time.GetUtcNow(), cancellationToken))
        {
            Log.Failed(logger, job.Id, JobStatusRules.Name(status), error.Code, error.Message);
        }
    }

    private async Task RenewLeaseAsync(Job job, CancellationTokenSource leaseLost, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.Lease / 3, time, cancellationToken);
                if (!await store.RenewLeaseAsync(job.Id, node.Id, time.GetUtcNow() + _options.Lease, cancellationToken))
                {
                    Log.LeaseLost(logger, job.Id);
                    await leaseLost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run finished (or the node stops); renewal ends with it.
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var exponential = _options.RetryBaseDelay * Math.Pow(2, Math.Max(0, attempt - 1));
        var capped = exponential < _options.RetryMaxDelay ? exponential : _options.RetryMaxDelay;
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        return capped * (0.8 + (0.4 * Random.Shared.NextDouble()));
#pragma warning restore CA5394
    }

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
        [LoggerMessage(1, LogLevel.Information, "Released {Count} job lease(s) held by node {Node} before its restart")]
        public static partial void Recovered(ILogger logger, int count, string node);

        [LoggerMessage(2, LogLevel.Information, "Job {JobId} started (attempt {Attempt}, engine {Engine})")]
        public static partial void Started(ILogger logger, string jobId, int attempt, string engine);

        [LoggerMessage(3, LogLevel.Information, "Job {JobId} succeeded: {Seconds} s of video, cost {CostMicros} µ$")]
        public static partial void Succeeded(ILogger logger, string jobId, double seconds, long costMicros);

        [LoggerMessage(4, LogLevel.Warning, "Job {JobId} ended {Status}: {Code}: {Message}")]
        public static partial void Failed(ILogger logger, string jobId, string status, string code, string message);

        [LoggerMessage(5, LogLevel.Warning, "Job {JobId} failed transiently on attempt {Attempt}; retrying at {RetryAt}")]
        public static partial void Retrying(ILogger logger, Exception ex, string jobId, int attempt, DateTimeOffset retryAt);

        [LoggerMessage(6, LogLevel.Warning, "Job {JobId}: this node no longer holds its lease; the result is dropped")]
        public static partial void LeaseLost(ILogger logger, string jobId);

        [LoggerMessage(7, LogLevel.Information, "Job {JobId} stopped before it finished; it will be claimed again")]
        public static partial void Abandoned(ILogger logger, string jobId);

        [LoggerMessage(8, LogLevel.Information, "Job {JobId} expired")]
        public static partial void Expired(ILogger logger, string jobId);

        [LoggerMessage(9, LogLevel.Error, "The dispatcher loop failed; trying again")]
        public static partial void LoopFailed(ILogger logger, Exception ex);

        [LoggerMessage(10, LogLevel.Error, "Job {JobId}: the run crashed")]
        public static partial void RunCrashed(ILogger logger, Exception ex, string jobId);

        [LoggerMessage(11, LogLevel.Warning, "Could not remove the scratch directory {Directory}")]
        public static partial void CleanupFailed(ILogger logger, Exception ex, string directory);
    }
}
