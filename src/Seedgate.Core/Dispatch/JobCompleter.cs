using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Seedgate.Core.Catalog;
using Seedgate.Core.Engines;
using Seedgate.Core.Jobs;
using Seedgate.Core.Logging;
using Seedgate.Core.Storage;
using Seedgate.Core.Telemetry;

namespace Seedgate.Core.Dispatch;

/// <summary>
/// Turns an engine's result into a succeeded job: moves the files into blob storage under keys of this run
/// (<c>outputs/{id}/{run}-video.mp4</c>, so a worker that lost its lease can never overwrite the winner's output), prices
/// the seconds made, and writes the completion. Completions are written in batches: one store call completes every job
/// that finished meanwhile.
/// </summary>
internal sealed partial class JobCompleter : IAsyncDisposable
{
    private const int MaxCompletionsPerBatch = 256;

    private readonly IJobStore _store;
    private readonly IBlobStore _blobs;
    private readonly NodeIdentity _node;
    private readonly TimeProvider _time;
    private readonly ILogger<JobCompleter> _logger;
    private readonly Channel<(JobCompletion Completion, TaskCompletionSource<bool> Done)> _completions =
        Channel.CreateUnbounded<(JobCompletion, TaskCompletionSource<bool>)>(new() { SingleReader = true });

    private readonly Task _writing;

    public JobCompleter(IJobStore store, IBlobStore blobs, NodeIdentity node, TimeProvider time, ILogger<JobCompleter> logger)
    {
        _store = store;
        _blobs = blobs;
        _node = node;
        _time = time;
        _logger = logger;
        _writing = Task.Run(WriteCompletionsAsync);
    }

    /// <summary>Stores the outputs and completes the job; false when this node no longer held it (its files are removed).</summary>
    public async Task<bool> CompleteAsync(Job job, ModelSpec model, EngineResult result, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(result);

        // Under the step's span: storing the outputs and the completion's write (batched with other jobs').
        using var activity = SeedgateTelemetry.Source.StartActivity("seedgate.job.complete");
        activity?.SetTag(SeedgateTelemetry.JobIdTag, job.Id);
        var prefix = $"outputs/{job.Id}/{runId}-"; // one directory a job on a local disk (each mkdir costs)
        var outputs = await JobFiles.StoreAsync(_blobs, prefix, result, cancellationToken);
        var cost = job.Segments.Count > 0
            ? LongTakeSteps.CostMicros(job) // each segment at the price of the model that made it
            : Pricing.CostMicros(model, job.Request.Resolution!, result.DurationSeconds, result.FramesPerSecond);
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_completions.Writer.TryWrite((new JobCompletion(job.Id, _node.Id, outputs, cost), done)))
        {
            throw new OperationCanceledException("The dispatcher is stopping.");
        }

        if (await done.Task.WaitAsync(cancellationToken))
        {
            Log.Succeeded(_logger, job.Id, result.DurationSeconds, cost);
            SeedgateTelemetry.Finished(job with { CostMicros = cost }, JobStatus.Succeeded);
            return true;
        }

        Log.LeaseLost(_logger, job.Id);
        await _blobs.DeletePrefixAsync(prefix, CancellationToken.None);
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        _completions.Writer.TryComplete();
        await _writing;
    }

    /// <summary>Writes successes as they come, each batch in one store call; a failed batch is retried one by one.</summary>
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
                var completed = await _store.CompleteManyAsync([.. batch.Select(b => b.Completion)], _time.GetUtcNow(), CancellationToken.None);
                foreach (var (completion, done) in batch)
                {
                    done.TrySetResult(completed.Contains(completion.Id));
                }
            }
#pragma warning disable CA1031 // One failing completion (e.g. an effect that refuses it) must not fail the others.
            catch (Exception) when (batch.Count > 1)
            {
                foreach (var (completion, done) in batch)
                {
                    try
                    {
                        done.TrySetResult((await _store.CompleteManyAsync([completion], _time.GetUtcNow(), CancellationToken.None)).Count == 1);
                    }
                    catch (Exception ex)
                    {
                        done.TrySetException(ex);
                    }
                }
            }
            catch (Exception ex)
#pragma warning restore CA1031
            {
                batch[0].Done.TrySetException(ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.JobSucceeded, LogLevel.Information, "Job {JobId} succeeded: {Seconds} s of video, cost {CostMicros} µ$")]
        public static partial void Succeeded(ILogger logger, string jobId, double seconds, long costMicros);

        [LoggerMessage(LogEvents.LeaseLost, LogLevel.Warning, "Job {JobId}: this node no longer holds its lease; the result is dropped")]
        public static partial void LeaseLost(ILogger logger, string jobId);
    }
}
