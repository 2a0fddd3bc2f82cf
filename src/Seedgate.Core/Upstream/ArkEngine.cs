using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Seedgate.Core.Catalog;
using Seedgate.Core.Dispatch;
using Seedgate.Core.Engines;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Logging;
using Seedgate.Core.Media;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Upstream;

/// <summary>
/// Upstream Seedance (Ark protocol) in steps. The claim gave the job a slot on one upstream account; the checkpoint
/// says where it is:
/// <list type="bullet">
/// <item><c>null</c>: record the intent (<c>submitting:{unix ms}</c>), then create the task.</item>
/// <item><c>submitting:…</c>: a create whose answer never came (a crash, a timeout): look for the task upstream (its
/// seed is unique to the job) before anything is sent again; only when the upstream has none after the request could
/// have arrived is it created anew.</item>
/// <item><c>submitted</c>: wait for the end, by callback or by polls batched over every task of the account.</item>
/// <item><c>collecting</c>: the task ended; copy the video (and last frame) into Seedgate's storage and probe it.</item>
/// </list>
/// A waiting job holds no render slot, only its upstream slot; a status the upstream never documented, a 404 right
/// after create, or a failed poll is never a verdict.
/// </summary>
internal sealed partial class ArkEngine(
    UpstreamLanes lanes,
    ArkClients clients,
    UpstreamTaskStore tasks,
    ArkRequests requests,
    UpstreamLatencies latencies,
    IUpstreamCallbacks callbacks,
    Ffmpeg ffmpeg,
    IHttpClientFactory httpClients,
    IOptions<UpstreamOptions> options,
    NodeIdentity node,
    TimeProvider time,
    ILogger<ArkEngine> logger) : IVideoEngine
{
    /// <summary>The named HTTP client that copies outputs from the upstream's file URLs.</summary>
    public const string FilesClient = "Seedgate.UpstreamFiles";

    private const string Unsent = "unsent"; // what releases wrote before they cleared the checkpoint; read as null
    private const string Submitting = "submitting:";
    private const string Submitted = "submitted";
    private const string Collecting = "collecting";

    /// <summary>A task the upstream does not know this long after its create is gone, not late.</summary>
    private static readonly TimeSpan NotFoundVerdict = TimeSpan.FromMinutes(10);

    private const int MaxPollBatch = 100;

    private readonly UpstreamOptions _options = options.Value;

    public string Name => UpstreamKinds.Ark;

    public async Task<EngineStep> StepAsync(EngineWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var job = work.Job;
        var row = await tasks.GetAsync(job.Id, cancellationToken);
        var lane = row is null ? null : lanes.Find(row.Upstream);
        if (row is null || lane is null)
        {
            // Claimed without a slot (the upstream accounts were reconfigured): give it back and take one again.
            await tasks.ReleaseAsync(job.Id, node.Id, time.GetUtcNow(), cancellationToken);
            return new EngineStep.Failed(new SeedgateError(
                ErrorCodes.ServiceUnavailable, $"No upstream account holds a slot for job {job.Id}; it waits for one.", null, FailureClass.Transient));
        }

        return job.Checkpoint switch
        {
            null or Unsent => await SubmitAsync(work, lane, cancellationToken),
            { } state when state.StartsWith(Submitting, StringComparison.Ordinal) => await ReconcileAsync(work, lane, row, IntentOf(state), cancellationToken),
            Submitted => await WatchAsync(work, lane, row, cancellationToken),
            Collecting => await CollectAsync(work, lane, row, cancellationToken),
            _ => throw new InvalidOperationException($"Job {job.Id} has an unknown checkpoint '{job.Checkpoint}'."),
        };
    }

    private async Task<EngineStep> SubmitAsync(EngineWork work, UpstreamLane lane, CancellationToken cancellationToken)
    {
        var job = work.Job;
        var now = time.GetUtcNow();
        var body = await requests.CreateBodyAsync(job, work.Model, lane, callbacks.UrlFor(job.Id), now, cancellationToken);
        var intent = Submitting + now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        await work.RecordAsync(new EngineCheckpoint(intent), cancellationToken);

        ArkResult<string> created;
        try
        {
            created = await clients.For(lane).CreateAsync(body, cancellationToken);
        }
        catch (Exception ex) when (ArkClient.IsTransportFailure(ex, cancellationToken))
        {
            // Maybe sent: never sent again blind. The reconcile step looks for the task first.
            Log.CreateLost(logger, ex, job.Id, lane.Name);
            return new EngineStep.Waiting(new EngineCheckpoint(intent), TimeSpan.FromSeconds(1));
        }

        if (created.Value is { } taskId)
        {
            return await SubmittedAsync(work, lane, taskId, cancellationToken);
        }

        var failure = created.Failure!;
        if (failure.Status is 500 or 502 or 504)
        {
            // A server error after the body arrived may follow a created task: reconcile, as for a lost answer.
            Log.CreateAmbiguous(logger, job.Id, lane.Name, failure.Status, failure.Code);
            return new EngineStep.Waiting(new EngineCheckpoint(intent), TimeSpan.FromSeconds(1));
        }

        return await RefusedAsync(job, lane, failure, cancellationToken);
    }

    /// <summary>The upstream refused the create (nothing runs there): the slot goes back; an overloaded account is passed over a while.</summary>
    private async Task<EngineStep> RefusedAsync(Job job, UpstreamLane lane, ArkFailure failure, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await tasks.ReleaseAsync(job.Id, node.Id, now, cancellationToken);
        if (failure.Overloaded)
        {
            var pause = failure.RetryAfter > _options.Cooldown ? failure.RetryAfter.Value : _options.Cooldown;
            lanes.CoolDown(lane.Name, now + pause);
            Log.Overloaded(logger, job.Id, lane.Name, failure.Status, failure.Code, pause.TotalSeconds);
        }

        return new EngineStep.Failed(failure.ToError(lane.Name), failure.RetryAfter);
    }

    private async Task<EngineStep> SubmittedAsync(EngineWork work, UpstreamLane lane, string taskId, CancellationToken cancellationToken)
    {
        var job = work.Job;
        var checkpoint = new EngineCheckpoint(Submitted, taskId);
        if (!await tasks.SubmittedAsync(job.Id, node.Id, checkpoint, time.GetUtcNow(), cancellationToken))
        {
            throw new OperationCanceledException("The job is no longer held by this node.");
        }

        Log.Submitted(logger, job.Id, lane.Name, taskId);
        return new EngineStep.Waiting(checkpoint, NextLook(lane, work.Model, TimeSpan.Zero));
    }

    private async Task<EngineStep> ReconcileAsync(EngineWork work, UpstreamLane lane, UpstreamTaskRow row, DateTimeOffset intent, CancellationToken cancellationToken)
    {
        var job = work.Job;
        if (row.TaskId is { } told)
        {
            return await SubmittedAsync(work, lane, told, cancellationToken); // a callback told the id
        }

        var client = clients.For(lane);
        ArkResult<IReadOnlyList<ArkTaskView>> recent;
        try
        {
            recent = await client.ListAsync([], lane.Models[work.Model.Id], 50, cancellationToken);
        }
        catch (Exception ex) when (ArkClient.IsTransportFailure(ex, cancellationToken))
        {
            return new EngineStep.Waiting(new EngineCheckpoint(job.Checkpoint!), TimeSpan.FromSeconds(5));
        }

        if (recent.Value is null)
        {
            return new EngineStep.Waiting(new EngineCheckpoint(job.Checkpoint!), TimeSpan.FromSeconds(5));
        }

        var since = intent.ToUnixTimeSeconds() - 5;
        var candidates = recent.Value.Where(t => t.CreatedAt is null || t.CreatedAt >= since).ToList();
        var known = await tasks.KnownTaskIdsAsync([.. candidates.Select(t => t.Id)], cancellationToken);
        if ((await tasks.GetAsync(job.Id, cancellationToken))?.TaskId is { } toldMeanwhile)
        {
            // A callback told this job's task while the list was on its way (a terminal one retried to a restarted
            // gateway, say): its id now counts as known — as this job's own, so it must not be passed over and sent again.
            return await SubmittedAsync(work, lane, toldMeanwhile, cancellationToken);
        }

        foreach (var candidate in candidates.Where(t => !known.Contains(t.Id)))
        {
            // The seed is the job's own (validation makes it concrete): list items may omit it, GET has it.
            var seed = candidate.Seed ?? (await client.GetAsync(candidate.Id, cancellationToken)).Value?.Seed;
            if (seed == job.Request.Seed)
            {
                Log.Reconciled(logger, job.Id, lane.Name, candidate.Id);
                return await SubmittedAsync(work, lane, candidate.Id, cancellationToken);
            }
        }

        var safeAfter = intent + lane.RequestTimeout + _options.ReconcileMargin;
        var now = time.GetUtcNow();
        if (now < safeAfter)
        {
            return new EngineStep.Waiting(new EngineCheckpoint(job.Checkpoint!), safeAfter - now);
        }

        Log.NeverCreated(logger, job.Id, lane.Name);
        return await SubmitAsync(work, lane, cancellationToken);
    }

    private async Task<EngineStep> WatchAsync(EngineWork work, UpstreamLane lane, UpstreamTaskRow row, CancellationToken cancellationToken)
    {
        var job = work.Job;
        if (row.State != "done")
        {
            await PollAsync(lane, cancellationToken);
            row = await tasks.GetAsync(job.Id, cancellationToken) ?? row;
        }

        var age = time.GetUtcNow() - row.Since;
        if (row.State != "done" || row.Body is null)
        {
            if (age > NotFoundVerdict && row.TaskId is { } id && await IsGoneAsync(lane, id, cancellationToken))
            {
                return new EngineStep.Failed(new SeedgateError(
                    ErrorCodes.InternalServiceError, $"The upstream ({lane.Name}) no longer knows task {id}, {age.TotalMinutes:0} minutes after its create."));
            }

            return new EngineStep.Waiting(new EngineCheckpoint(Submitted), NextLook(lane, work.Model, age));
        }

        var ended = JsonSerializer.Deserialize<ArkTaskView>(row.Body)!;
        switch (ended.Status)
        {
            case UpstreamStatus.Succeeded when ended.VideoUrl is not null:
                await work.RecordAsync(new EngineCheckpoint(Collecting), cancellationToken);
                return await CollectAsync(work, lane, row, cancellationToken);
            case UpstreamStatus.Succeeded:
                // A "success" with nothing (a safety filter): a failure, never billed, never resubmitted.
                return new EngineStep.Failed(new SeedgateError(
                    ErrorCodes.OutputVideoSensitiveContentDetected, $"The upstream ({lane.Name}) reported task {ended.Id} succeeded without a video."));
            case UpstreamStatus.Failed when ArkTaskFailures.ClassOf(ended.ErrorCode) == FailureClass.Transient:
                // The task is over upstream: another may succeed, so the slot goes back and the retry creates a new one.
                await tasks.ReleaseAsync(job.Id, node.Id, time.GetUtcNow(), cancellationToken);
                return new EngineStep.Failed(new SeedgateError(
                    ended.ErrorCode!, $"The upstream task {ended.Id} failed: {ended.ErrorMessage}", null, FailureClass.Transient));
            case UpstreamStatus.Failed:
                return new EngineStep.Failed(new SeedgateError(
                    ended.ErrorCode ?? ErrorCodes.InternalServiceError, $"The upstream task {ended.Id} failed: {ended.ErrorMessage ?? "no reason given"}"));
            default:
                return new EngineStep.Failed(new SeedgateError(
                    ended.Status == UpstreamStatus.Expired ? "ExecutionExpired" : ErrorCodes.InternalServiceError,
                    $"The upstream task {ended.Id} ended {ended.RawStatus}."));
        }
    }

    /// <summary>
    /// Asks for the status of every submitted task of the account nobody asked about lately (this job's among them),
    /// in one request — a list by ids, or a GET for a single one — and records what ended.
    /// </summary>
    private async Task PollAsync(UpstreamLane lane, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = await tasks.TakeDueForPollAsync(lane.Name, now - _options.MinPollInterval, now, MaxPollBatch, cancellationToken);
        if (due.Count == 0)
        {
            return;
        }

        IReadOnlyList<ArkTaskView> seen;
        try
        {
            var client = clients.For(lane);
            if (due.Count == 1)
            {
                var one = await client.GetAsync(due[0].TaskId, cancellationToken);
                seen = one.Value is { } view ? [view] : [];
            }
            else
            {
                seen = (await client.ListAsync([.. due.Select(d => d.TaskId)], null, due.Count, cancellationToken)).Value ?? [];
            }
        }
        catch (Exception ex) when (ArkClient.IsTransportFailure(ex, cancellationToken))
        {
            Log.PollFailed(logger, ex, lane.Name, due.Count);
            return; // not a verdict: asked again next time
        }

        var polled = due.ToDictionary(d => d.TaskId, StringComparer.Ordinal);
        var views = seen.Where(v => polled.ContainsKey(v.Id)).ToList();
        var observations = views.Select(v => new UpstreamObservation(polled[v.Id].JobId, v.Id, v.Ended ? JsonSerializer.Serialize(v) : null)).ToList();
        await tasks.ObservedAsync(observations, time.GetUtcNow(), cancellationToken);
        foreach (var ended in views.Where(v => v.Ended))
        {
            var poll = polled[ended.Id];
            latencies.Observe(lane.Name, poll.Model, ended.Took ?? time.GetUtcNow() - poll.Since);
        }
    }

    private async Task<bool> IsGoneAsync(UpstreamLane lane, string taskId, CancellationToken cancellationToken)
    {
        try
        {
            return (await clients.For(lane).GetAsync(taskId, cancellationToken)).Failure is { Status: 404 };
        }
        catch (Exception ex) when (ArkClient.IsTransportFailure(ex, cancellationToken))
        {
            return false;
        }
    }

    /// <summary>Copies the video (and last frame) into the scratch directory and probes it: a file ffprobe refuses is no success.</summary>
    private async Task<EngineStep> CollectAsync(EngineWork work, UpstreamLane lane, UpstreamTaskRow row, CancellationToken cancellationToken)
    {
        var ended = JsonSerializer.Deserialize<ArkTaskView>(row.Body!)!;
        Directory.CreateDirectory(work.Directory);
        var video = Path.Combine(work.Directory, "video.mp4");
        if (await DownloadAsync(ended.VideoUrl!, video, lane, ended.Id, cancellationToken) is { } failed)
        {
            return failed;
        }

        string? lastFrame = null;
        if (work.Job.Request.ReturnLastFrame && ended.LastFrameUrl is { } frameUrl)
        {
            lastFrame = Path.Combine(work.Directory, "last-frame.png");
            if (await DownloadAsync(frameUrl, lastFrame, lane, ended.Id, cancellationToken) is { } frameFailed)
            {
                return frameFailed;
            }
        }

        MediaInfo info;
        try
        {
            info = await ffmpeg.InspectAsync(video, MediaKind.Video, cancellationToken);
        }
        catch (InvalidMediaException ex)
        {
            return new EngineStep.Failed(new SeedgateError(
                ErrorCodes.InternalServiceError, $"The upstream's video for task {ended.Id} is not a playable video: {ex.Message}"));
        }

        var fps = (int)Math.Round(info.FramesPerSecond);
        var tokens = ended.Tokens ?? (long)(info.Width * (double)info.Height * fps * info.DurationSeconds / 1024);
        Log.Collected(logger, work.Job.Id, lane.Name, ended.Id, info.Width, info.Height, info.DurationSeconds);
        return new EngineStep.Completed(new EngineResult(
            video, lastFrame, info.Width, info.Height, fps, info.DurationSeconds, info.HasAudio, RatioOf(work.Job.Request, info), tokens));
    }

    private async Task<EngineStep?> DownloadAsync(string url, string path, UpstreamLane lane, string taskId, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await httpClients.CreateClient(FilesClient).GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                return new EngineStep.Failed(new SeedgateError(
                    ErrorCodes.InternalServiceError, $"The upstream's file for task {taskId} is gone ({(int)response.StatusCode}): its URL expired before it was copied."));
            }

            response.EnsureSuccessStatusCode();
            await using var file = File.Create(path);
            await response.Content.CopyToAsync(file, cancellationToken);
            return null;
        }
        catch (Exception ex) when (ArkClient.IsTransportFailure(ex, cancellationToken))
        {
            Log.DownloadFailed(logger, ex, lane.Name, taskId);
            return new EngineStep.Failed(new SeedgateError(
                ErrorCodes.ServiceUnavailable, $"Copying the upstream's file for task {taskId} failed; it is tried again.", null, FailureClass.Transient));
        }
    }

    /// <summary>
    /// When to look at a task again. By callback: only past its expected end plus a grace (a safety net for a lost
    /// callback). By polls: first near its expected end (what this account's tasks of the model took lately, or the
    /// catalog's typical latency / 4 before any ended), then every quarter of its age; always within the poll bounds, ±20 %.
    /// </summary>
    private TimeSpan NextLook(UpstreamLane lane, ModelSpec model, TimeSpan age)
    {
        var learned = latencies.Expected(lane.Name, model.Id);
        var expected = learned ?? TimeSpan.FromSeconds(model.TypicalLatencySeconds);
        TimeSpan wait;
        if (callbacks.Enabled)
        {
            var due = expected + _options.CallbackGrace;
            wait = age < due ? due - age : _options.MaxPollInterval;
        }
        else
        {
            var first = learned is { } known ? known * 0.9 : expected / 4;
            wait = Clamp(age < first ? first - age : age / 4);
        }

#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        return wait * (0.8 + (0.4 * Random.Shared.NextDouble()));
#pragma warning restore CA5394
    }

    private TimeSpan Clamp(TimeSpan wait) =>
        wait < _options.MinPollInterval ? _options.MinPollInterval : wait > _options.MaxPollInterval ? _options.MaxPollInterval : wait;

    private static string RatioOf(GenerationRequest request, MediaInfo info) =>
        request.Ratio is { } ratio && ratio != "adaptive" ? ratio
            : ModelCatalog.Ratios.MinBy(r => Math.Abs(RatioValue(r) - ((double)info.Width / info.Height))) ?? "16:9";

    private static double RatioValue(string ratio)
    {
        var parts = ratio.Split(':');
        return double.Parse(parts[0], CultureInfo.InvariantCulture) / double.Parse(parts[1], CultureInfo.InvariantCulture);
    }

    private static DateTimeOffset IntentOf(string state) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(state.AsSpan(Submitting.Length), NumberStyles.None, CultureInfo.InvariantCulture));

    private static partial class Log
    {
        [LoggerMessage(LogEvents.UpstreamSubmitted, LogLevel.Information, "Job {JobId} submitted to upstream {Upstream} as task {TaskId}")]
        public static partial void Submitted(ILogger logger, string jobId, string upstream, string taskId);

        [LoggerMessage(LogEvents.UpstreamCreateLost, LogLevel.Warning, "Job {JobId}: the create on upstream {Upstream} got no answer; looking for the task before anything is sent again")]
        public static partial void CreateLost(ILogger logger, Exception ex, string jobId, string upstream);

        [LoggerMessage(LogEvents.UpstreamCreateLost + 1, LogLevel.Warning, "Job {JobId}: the create on upstream {Upstream} answered {Status} {Code}; looking for the task before anything is sent again")]
        public static partial void CreateAmbiguous(ILogger logger, string jobId, string upstream, int status, string code);

        [LoggerMessage(LogEvents.UpstreamReconciled, LogLevel.Information, "Job {JobId}: found its task {TaskId} on upstream {Upstream}; it is not sent again")]
        public static partial void Reconciled(ILogger logger, string jobId, string upstream, string taskId);

        [LoggerMessage(LogEvents.UpstreamReconciled + 1, LogLevel.Information, "Job {JobId}: upstream {Upstream} never created its task; creating it now")]
        public static partial void NeverCreated(ILogger logger, string jobId, string upstream);

        [LoggerMessage(LogEvents.UpstreamOverloaded, LogLevel.Warning, "Job {JobId}: upstream {Upstream} answered {Status} {Code}; new work goes elsewhere for {Seconds} s")]
        public static partial void Overloaded(ILogger logger, string jobId, string upstream, int status, string code, double seconds);

        [LoggerMessage(LogEvents.UpstreamPollFailed, LogLevel.Warning, "Upstream {Upstream}: a status request for {Count} task(s) failed; asked again later")]
        public static partial void PollFailed(ILogger logger, Exception ex, string upstream, int count);

        [LoggerMessage(LogEvents.UpstreamCollected, LogLevel.Information, "Job {JobId}: copied task {TaskId} from upstream {Upstream} ({Width}x{Height}, {Seconds} s)")]
        public static partial void Collected(ILogger logger, string jobId, string upstream, string taskId, int width, int height, double seconds);

        [LoggerMessage(LogEvents.UpstreamDownloadFailed, LogLevel.Warning, "Upstream {Upstream}: copying the file of task {TaskId} failed")]
        public static partial void DownloadFailed(ILogger logger, Exception ex, string upstream, string taskId);
    }
}
