using System.Globalization;

namespace Seedgate.Server.Simulator;

/// <summary>What a create came to.</summary>
internal enum CreateOutcome
{
    Created,

    /// <summary>The tasks-in-flight limit is reached (and over-capacity creates are not queued).</summary>
    OverQuota,

    /// <summary>The simulator is stopping.</summary>
    Stopping,
}

/// <summary>What a GET of one task answers.</summary>
internal enum GetOutcome
{
    Found,
    NotFound,

    /// <summary>The complete-500 quirk: the GET that would first show the task finished answers 500.</summary>
    ServerError,
}

/// <summary>What a DELETE did.</summary>
internal enum DeleteOutcome
{
    Cancelled,
    Deleted,
    NotFound,

    /// <summary>The task is running or already cancelled.</summary>
    NotAllowed,
}

/// <summary>A list query after validation.</summary>
internal sealed record ListQuery(
    int PageNum, int PageSize, IReadOnlySet<ArkTaskStatus> Statuses, string? Model, IReadOnlySet<string> TaskIds, string? ServiceTier);

/// <summary>Output files kept after their task: links work until <see cref="ExpiresAt"/>, even after the record is deleted.</summary>
internal sealed record OutputFiles(string Directory, DateTimeOffset ExpiresAt);

/// <summary>
/// Every simulated task and its life, in memory: creation (capacity, quirk and fault rolls), the run (queued for a
/// tenth of the latency, then running, rendering from the start so that render and latency overlap), the end (at
/// max(start + latency, render done)), expiry, cancel and delete, and the capacity queue. State changes happen under
/// one lock; renders, delays and callback deliveries run outside it.
/// </summary>
internal sealed class SimulatedTasks
{
    private const string IdAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static readonly TimeSpan Transient404Window = TimeSpan.FromSeconds(3);
    private const int Transient404Count = 2;
    private static readonly TimeSpan FileSweepInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, SimulatedTask> _tasks = new(StringComparer.Ordinal);
    private readonly Queue<SimulatedTask> _waiting = new();
    private readonly HashSet<string> _prompts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OutputFiles> _files = new(StringComparer.Ordinal);
    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly SimulatorCounters _counters;
    private readonly TaskRenderer _renderer;
    private readonly CallbackSender _callbacks;
    private readonly BackgroundWork _background;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly TaskQuirks _quirks;
    private bool _stopped;
    private long _sequence;
    private int _inFlight;
    private int _started;
    private int _maxInFlightSeen;
    private DateTimeOffset _nextFileSweep;

    public SimulatedTasks(
        SimulatorOptions options,
        TimeProvider time,
        SimulatorCounters counters,
        TaskRenderer renderer,
        CallbackSender callbacks,
        BackgroundWork background,
        ILogger logger,
        CancellationToken stopping)
    {
        _options = options;
        _time = time;
        _random = options.RandomSeed is { } seed ? new Random(seed) : new Random();
        _counters = counters;
        _renderer = renderer;
        _callbacks = callbacks;
        _background = background;
        _logger = logger;
        _stopping = stopping;
        _quirks = options.Quirks.Aggregate(TaskQuirks.None, (all, name) => all | QuirkOf(name));
    }

    /// <summary>Rolls a request fault: 500 or 503 (the error rate), or a hang (the hang rate, rolled when no error is).</summary>
    public (int? ErrorStatus, bool Hang) RollFault()
    {
        lock (_lock)
        {
            if (Roll(_options.ErrorRate))
            {
                return (_random.Next(2) == 0 ? StatusCodes.Status500InternalServerError : StatusCodes.Status503ServiceUnavailable, false);
            }

            return (null, Roll(_options.HangRate));
        }
    }

    public (CreateOutcome Outcome, SimulatedTask? Task) Create(TaskSpec spec, string publicBase)
    {
        SimulatedTask task;
        var start = false;
        lock (_lock)
        {
            if (_stopped)
            {
                return (CreateOutcome.Stopping, null);
            }

            if (_options.MaxInFlight is { } limit && !_options.QueueOverCapacity && _inFlight >= limit)
            {
                _counters.Add(SimulatorCounter.QuotaRejected);
                return (CreateOutcome.OverQuota, null);
            }

            var now = _time.GetUtcNow();
            var ratio = spec.Ratio == "adaptive" ? "16:9" : spec.Ratio;
            var (width, height) = _renderer.FrameSize(spec.Resolution, ratio);
            var jitter = _options.JitterMs == 0 ? 0 : ((_random.NextDouble() * 2) - 1) * _options.JitterMs;
            task = new SimulatedTask
            {
                Id = NewId(now),
                Sequence = ++_sequence,
                Spec = spec with { Inputs = new RenderInputs([], null) },
                Inputs = spec.Inputs,
                Seed = spec.Seed ?? _random.NextInt64(0, (long)uint.MaxValue + 1),
                Width = width,
                Height = height,
                Ratio = ratio,
                Latency = TimeSpan.FromMilliseconds(Math.Max(0, _options.LatencyMs + jitter)),
                Fate = FateOf(spec, _sequence),
                Quirks = RollQuirks(),
                PublicBase = publicBase,
                CreatedAt = now,
                UpdatedAt = now,
            };
            _tasks.Add(task.Id, task);
            _counters.Add(SimulatorCounter.TasksCreated);
            if (spec.Prompt.Length > 0 && !_prompts.Add(spec.Prompt))
            {
                _counters.Add(SimulatorCounter.DuplicatePrompts);
            }

            _inFlight++;
            _maxInFlightSeen = Math.Max(_maxInFlightSeen, _inFlight);
            task.ExpiryTimer = _time.CreateTimer(
                static state => ((TaskExpiry)state!).Fire(), new TaskExpiry(this, task), TimeSpan.FromSeconds(spec.ExecutionExpiresAfter), Timeout.InfiniteTimeSpan);
            NotifyLocked(task);
            if (_options.MaxInFlight is not { } cap || _started < cap)
            {
                StartLocked(task, now);
                start = true;
            }
            else
            {
                _waiting.Enqueue(task);
            }
        }

        _logger.TaskCreated(
            task.Id, spec.Model.Id, spec.Resolution, task.Ratio, spec.Duration, task.Latency.TotalMilliseconds, task.Fate?.Code ?? "to succeed");
        if (start)
        {
            Launch(task);
        }

        return (CreateOutcome.Created, task);
    }

    /// <summary>The task as GET answers it (with the transient-404 and complete-500 quirks), serialized under the lock.</summary>
    public (GetOutcome Outcome, byte[]? Body) Get(string id)
    {
        lock (_lock)
        {
            if (!_tasks.TryGetValue(id, out var task))
            {
                return (GetOutcome.NotFound, null);
            }

            if (task.Has(TaskQuirks.Transient404) && task.TransientNotFounds < Transient404Count
                && _time.GetUtcNow() - task.CreatedAt < Transient404Window)
            {
                task.TransientNotFounds++;
                return (GetOutcome.NotFound, null);
            }

            if (CompletionErrorLocked(task))
            {
                return (GetOutcome.ServerError, null);
            }

            _counters.Add(SimulatorCounter.GetsServed);
            return (GetOutcome.Found, TaskJson.Serialize(task, TaskView.Full, _options.UrlTtlSeconds));
        }
    }

    /// <summary>A page of the list, newest first, or null when the complete-500 quirk answers it with a 500.</summary>
    public byte[]? List(ListQuery query)
    {
        lock (_lock)
        {
            var matching = _tasks.Values
                .Where(t => query.Statuses.Count == 0 || query.Statuses.Contains(t.Status))
                .Where(t => query.Model is null || t.Spec.Model.Id == query.Model)
                .Where(t => query.TaskIds.Count == 0 || query.TaskIds.Contains(t.Id))
                .Where(t => query.ServiceTier is null || t.Spec.ServiceTier == query.ServiceTier)
                .OrderByDescending(t => t.Sequence)
                .ToList();
            var page = matching.Skip((query.PageNum - 1) * query.PageSize).Take(query.PageSize).ToList();
            var completionErrors = 0;
            foreach (var task in page)
            {
                completionErrors += CompletionErrorLocked(task) ? 1 : 0;
            }

            if (completionErrors > 0)
            {
                return null;
            }

            _counters.Add(SimulatorCounter.ListsServed);
            return TaskJson.SerializeList(matching.Count, page, _options.UrlTtlSeconds);
        }
    }

    /// <summary>DELETE: cancels a queued task, deletes a finished one's record (its files stay until their links expire).</summary>
    public DeleteOutcome Delete(string id)
    {
        var effects = new Effects();
        DeleteOutcome outcome;
        lock (_lock)
        {
            if (!_tasks.TryGetValue(id, out var task))
            {
                return DeleteOutcome.NotFound;
            }

            switch (task.Status)
            {
                case ArkTaskStatus.Queued:
                    FinishLocked(task, ArkTaskStatus.Cancelled, null, effects);
                    outcome = DeleteOutcome.Cancelled;
                    break;
                case ArkTaskStatus.Running or ArkTaskStatus.Cancelled:
                    return DeleteOutcome.NotAllowed;
                default:
                    _tasks.Remove(id);
                    outcome = DeleteOutcome.Deleted;
                    break;
            }
        }

        Apply(effects);
        return outcome;
    }

    /// <summary>The output file of a task, or null when there is none; <paramref name="expired"/> when its link no longer works.</summary>
    public string? OutputFile(string id, string file, out bool expired)
    {
        expired = false;
        OutputFiles? files;
        lock (_lock)
        {
            if (!_files.TryGetValue(id, out files))
            {
                return null;
            }
        }

        if (_time.GetUtcNow() >= files.ExpiresAt)
        {
            expired = true;
            return null;
        }

        var path = Path.Combine(files.Directory, file);
        return File.Exists(path) ? path : null;
    }

    public SimulatorStats Stats()
    {
        lock (_lock)
        {
            return _counters.Snapshot(_maxInFlightSeen, _inFlight);
        }
    }

    /// <summary>Clears the counters; the most tasks in flight seen restarts from the tasks in flight now.</summary>
    public void ResetStats()
    {
        lock (_lock)
        {
            _counters.Reset();
            _maxInFlightSeen = _inFlight;
        }
    }

    /// <summary>
    /// Stops every clock (expiry timers) and starts nothing more; the runs themselves end by the stopping token. Tasks keep
    /// the status they had.
    /// </summary>
    public void Stop()
    {
        lock (_lock)
        {
            _stopped = true;
            foreach (var task in _tasks.Values)
            {
                task.ExpiryTimer?.Dispose();
            }
        }
    }

    /// <summary>One task's run: it runs outside the lock and ends by a transition under it.</summary>
    private async Task RunAsync(SimulatedTask task, CancellationToken cancellationToken)
    {
        var inputs = task.Inputs ?? new RenderInputs([], null);
        task.Inputs = null;

        // A task that is to fail is not rendered: its failure comes after the latency all the same.
        var render = task.Fate is null ? Task.Run(() => _renderer.RenderAsync(task, inputs, cancellationToken), cancellationToken) : null;
        try
        {
            var queued = task.Latency / 10; // as at a real upstream, a started task first waits its turn for a GPU
            await Task.Delay(queued, _time, cancellationToken);
            MarkRunning(task);
            await Task.Delay(task.Latency - queued, _time, cancellationToken);
            if (render is null)
            {
                Finish(task, ArkTaskStatus.Failed, task.Fate);
                return;
            }

            try
            {
                await render;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // ffmpeg refused or failed (its exception types are the core's own): the task fails, as an upstream's would.
                _logger.RenderFailed(task.Id, e);
                Finish(task, ArkTaskStatus.Failed, new TaskError("InternalServiceError", "The service encountered an unexpected internal error."));
                return;
            }

            Finish(task, ArkTaskStatus.Succeeded, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled, expired, or the simulator is stopping.
            if (render is not null)
            {
                await render.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                _ = render.Exception;
            }
        }
        finally
        {
            task.Run?.Dispose();
            if (task.Status != ArkTaskStatus.Succeeded)
            {
                TryDeleteDirectory(_renderer.DirectoryOf(task.Id));
            }
        }
    }

    private void MarkRunning(SimulatedTask task)
    {
        lock (_lock)
        {
            if (task.Status == ArkTaskStatus.Queued)
            {
                task.Status = ArkTaskStatus.Running;
                task.UpdatedAt = _time.GetUtcNow();
                NotifyLocked(task);
            }
        }
    }

    private void Expire(SimulatedTask task)
    {
        if (!_stopping.IsCancellationRequested)
        {
            Finish(task, ArkTaskStatus.Expired, null);
        }
    }

    private void Finish(SimulatedTask task, ArkTaskStatus status, TaskError? error)
    {
        var effects = new Effects();
        lock (_lock)
        {
            FinishLocked(task, status, error, effects);
        }

        Apply(effects);
    }

    /// <summary>Ends a task (if it has not ended), frees its capacity and starts what waited for it.</summary>
    private void FinishLocked(SimulatedTask task, ArkTaskStatus status, TaskError? error, Effects effects)
    {
        if (task.IsTerminal)
        {
            return;
        }

        var now = _time.GetUtcNow();
        task.Status = status;
        task.Error = error;
        task.UpdatedAt = now;
        task.ExpiryTimer?.Dispose();
        task.Inputs = null;
        _inFlight--;
        if (task.StartedAt is not null)
        {
            _started--;
        }

        if (status == ArkTaskStatus.Succeeded)
        {
            _files[task.Id] = new OutputFiles(_renderer.DirectoryOf(task.Id), now.AddSeconds(_options.UrlTtlSeconds));
            SweepFilesLocked(now, effects);
        }

        if (status is ArkTaskStatus.Cancelled or ArkTaskStatus.Expired && task.Run is { } run)
        {
            effects.Cancel.Add(run);
        }

        effects.Finished.Add(task);
        NotifyLocked(task);
        while (!_stopped && _waiting.Count > 0 && _options.MaxInFlight is { } cap && _started < cap)
        {
            var next = _waiting.Dequeue();
            if (!next.IsTerminal)
            {
                StartLocked(next, now);
                effects.Start.Add(next);
            }
        }
    }

    private void Apply(Effects effects)
    {
        foreach (var run in effects.Cancel)
        {
            try
            {
                run.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run had already ended.
            }
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            foreach (var task in effects.Finished)
            {
                _logger.TaskFinished(task.Id, TaskJson.StatusName(task.Status), task.Error?.Code ?? "");
            }
        }

        foreach (var task in effects.Start)
        {
            Launch(task);
        }

        foreach (var directory in effects.DeleteDirectories)
        {
            TryDeleteDirectory(directory);
        }
    }

    private void StartLocked(SimulatedTask task, DateTimeOffset now)
    {
        task.StartedAt = now;
        task.Run = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        _started++;
    }

    private void Launch(SimulatedTask task) => _background.Track(RunAsync(task, task.Run!.Token));

    /// <summary>Queues the callback of the task's current status (when it has a callback_url), in order after the last one.</summary>
    private void NotifyLocked(SimulatedTask task)
    {
        if (task.Spec.CallbackUrl is { } url)
        {
            var body = TaskJson.Serialize(task, TaskView.Full, _options.UrlTtlSeconds);
            task.Callbacks = _callbacks.After(task.Callbacks, task.Id, TaskJson.StatusName(task.Status), url, body, task.IsTerminal);
        }
    }

    /// <summary>The complete-500 quirk: true (once) for the first answer that would show the task finished.</summary>
    private static bool CompletionErrorLocked(SimulatedTask task)
    {
        if (!task.IsTerminal || !task.Has(TaskQuirks.Complete500) || task.CompletionErrorSent)
        {
            return false;
        }

        task.CompletionErrorSent = true;
        return true;
    }

    /// <summary>Drops the files whose links have expired (at most once a minute), so a long run does not fill the disk.</summary>
    private void SweepFilesLocked(DateTimeOffset now, Effects effects)
    {
        if (now < _nextFileSweep)
        {
            return;
        }

        _nextFileSweep = now + FileSweepInterval;
        foreach (var (id, files) in _files.Where(f => f.Value.ExpiresAt <= now).ToList())
        {
            _files.Remove(id);
            effects.DeleteDirectories.Add(files.Directory);
        }
    }

    private TaskError? FateOf(TaskSpec spec, long sequence)
    {
        if (_options.PolicyWords.Any(word => spec.Prompt.Contains(word, StringComparison.OrdinalIgnoreCase)))
        {
            return new TaskError(
                "OutputVideoSensitiveContentDetected", "The request failed because the output video may contain sensitive information.");
        }

        var fails = _options.FailingModels.Any(m => SimulatedModels.Find(m) == spec.Model) || _options.FailingTasks.Contains((int)sequence);
        return fails || Roll(_options.FailRate) ? new TaskError("InternalServiceError", "The service encountered an unexpected internal error.") : null;
    }

    private TaskQuirks RollQuirks()
    {
        var quirks = TaskQuirks.None;
        foreach (var quirk in Enum.GetValues<TaskQuirks>())
        {
            if (quirk != TaskQuirks.None && (_quirks & quirk) != 0 && Roll(_options.QuirkRate))
            {
                quirks |= quirk;
            }
        }

        return quirks;
    }

    /// <summary>True with probability <paramref name="p"/>; rolls nothing for 0 and 1, so a seeded run does not shift when a rate is off.</summary>
    private bool Roll(double p) => p >= 1 || (p > 0 && _random.NextDouble() < p);

    /// <summary>An id shaped like Ark's: <c>cgt-{yyyyMMddHHmmss}-{5 characters}</c>.</summary>
    private string NewId(DateTimeOffset now)
    {
        while (true)
        {
            var suffix = string.Create(5, _random, static (chars, random) =>
            {
                for (var i = 0; i < chars.Length; i++)
                {
                    chars[i] = IdAlphabet[random.Next(IdAlphabet.Length)];
                }
            });
            var id = string.Create(CultureInfo.InvariantCulture, $"cgt-{now.UtcDateTime:yyyyMMddHHmmss}-{suffix}");
            if (!_tasks.ContainsKey(id))
            {
                return id;
            }
        }
    }

    private static TaskQuirks QuirkOf(string name) => name switch
    {
        SimulatorQuirks.RelayStatuses => TaskQuirks.RelayStatuses,
        SimulatorQuirks.NoVideo => TaskQuirks.NoVideo,
        SimulatorQuirks.Transient404 => TaskQuirks.Transient404,
        SimulatorQuirks.Complete500 => TaskQuirks.Complete500,
        SimulatorQuirks.StringCounts => TaskQuirks.StringCounts,
        SimulatorQuirks.FloatDuration => TaskQuirks.FloatDuration,
        SimulatorQuirks.FailureReason => TaskQuirks.FailureReason,
        _ => throw new ArgumentException($"Unknown quirk '{name}'.", nameof(name)),
    };

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a file still open (a download in progress) keeps its directory until the simulator's data goes.
        }
    }

    /// <summary>What a transition leaves to do once the lock is released.</summary>
    private sealed class Effects
    {
        public List<CancellationTokenSource> Cancel { get; } = [];
        public List<SimulatedTask> Start { get; } = [];
        public List<SimulatedTask> Finished { get; } = [];
        public List<string> DeleteDirectories { get; } = [];
    }

    /// <summary>The state of a task's expiry timer.</summary>
    private sealed class TaskExpiry(SimulatedTasks tasks, SimulatedTask task)
    {
        public void Fire() => tasks.Expire(task);
    }
}
