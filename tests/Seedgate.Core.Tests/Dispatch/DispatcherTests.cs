using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Catalog;
using Seedgate.Core.Dispatch;
using Seedgate.Core.Engines;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage;
using Seedgate.Core.Storage.Sqlite;
using Seedgate.Core.Media;
using Seedgate.Core.Tests.Media;

namespace Seedgate.Core.Tests.Dispatch;

/// <summary>The dispatcher over a real SQLite store and blob store, with a scripted test engine.</summary>
public sealed class DispatcherTests : IAsyncLifetime, IDisposable
{
    private static readonly ModelCatalog Catalog = ModelCatalog.LoadDefault();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "seedgate-dispatch-" + Guid.NewGuid().ToString("n"));
    private readonly JobSignals _signals = new();
    private readonly Ffmpeg _ffmpeg = MediaKit.NewFfmpeg();
    private SqliteDatabase _database = null!;
    private SqlJobStore _store = null!;
    private LocalDiskBlobStore _blobs = null!;
    private readonly List<JobCompleter> _completers = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _database = await SqliteDatabase.OpenAsync(Path.Combine(_directory, "jobs.db"), CancellationToken.None);
        _store = new SqlJobStore(_database);
        _blobs = new LocalDiskBlobStore(Path.Combine(_directory, "blobs"));
    }

    public async Task DisposeAsync()
    {
        foreach (var completer in _completers)
        {
            await completer.DisposeAsync();
        }

        _database.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    public void Dispose()
    {
        _signals.Dispose();
        _ffmpeg.Dispose();
    }

    [Fact]
    public async Task Success_StoresTheOutputAndTheCost()
    {
        var engine = new TestEngine((work, _) => Task.FromResult(Made(work)));
        var job = await QueueAsync();

        var done = await RunUntilTerminalAsync(job.Id, engine);

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(1, done.Attempts);
        Assert.Matches($"^outputs/{job.Id}/[0-9a-f]{{8}}-video.mp4$", done.Outputs!.VideoKey); // scoped by run
        Assert.Equal(Pricing.CostMicros(Catalog.Find("seedance-2.0-fast")!, "720p", 5, 24), done.CostMicros);
        await using var video = await _blobs.OpenReadAsync(done.Outputs.VideoKey, CancellationToken.None);
        Assert.NotNull(video);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_directory, "work-node-a"), job.Id + "*")); // scratch removed
    }

    [Theory]
    [InlineData(true, 5)]  // an empty file
    [InlineData(false, 5)] // no file at all
    [InlineData(true, 0)]  // no seconds
    public async Task A_success_without_a_video_fails_and_is_not_billed(bool writeEmptyFile, double seconds)
    {
        var engine = new TestEngine((work, _) =>
        {
            Directory.CreateDirectory(work.Directory);
            var path = Path.Combine(work.Directory, "video.mp4");
            if (writeEmptyFile)
            {
                File.WriteAllBytes(path, []);
            }

            return Task.FromResult(new EngineResult(path, null, 1280, 720, 24, seconds, false, "16:9", 0));
        });
        var job = await QueueAsync();

        var done = await RunUntilTerminalAsync(job.Id, engine);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Contains("made no video", done.Error!.Message, StringComparison.Ordinal);
        Assert.Null(done.CostMicros);
        Assert.Equal(1, engine.Calls(job.Id));
    }

    [Fact]
    public async Task PermanentFailure_FailsAtOnce_WithoutRetry()
    {
        var engine = new TestEngine((_, _) => throw new SeedgateException(SeedgateError.Invalid("content[1].image_url.url", "not an image")));
        var job = await QueueAsync();

        var done = await RunUntilTerminalAsync(job.Id, engine);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal(("InvalidParameter", "content[1].image_url.url"), (done.Error!.Code, done.Error.Param));
        Assert.Equal(1, engine.Calls(job.Id));
    }

    [Fact]
    public async Task TransientFailure_IsRetriedWithBackoff_ThenSucceeds()
    {
        var engine = new TestEngine((work, _) => work.Job.Attempts == 1 ? throw new IOException("network blip") : Task.FromResult(Made(work)));
        var job = await QueueAsync();

        var done = await RunUntilTerminalAsync(job.Id, engine);

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(2, done.Attempts);
    }

    [Fact]
    public async Task TransientFailure_FailsWithTheLastError_AfterMaxAttempts()
    {
        var engine = new TestEngine((work, _) => throw new SeedgateException(new SeedgateError(
            ErrorCodes.ServiceUnavailable, $"down (attempt {work.Job.Attempts})", Class: FailureClass.Transient)));
        var job = await QueueAsync();

        var done = await RunUntilTerminalAsync(job.Id, engine, o => o.MaxAttempts = 3);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal("down (attempt 3)", done.Error!.Message);
        Assert.Equal(3, engine.Calls(job.Id));
    }

    [Fact]
    public async Task ExecutionExpiry_CancelsTheRun_AndMarksTheJobExpired()
    {
        var cancelled = new TaskCompletionSource();
        var engine = new TestEngine(async (_, token) =>
        {
            await using var registration = token.Register(() => cancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        var job = await QueueAsync(expiresIn: TimeSpan.FromMilliseconds(700));

        var done = await RunUntilTerminalAsync(job.Id, engine);

        Assert.Equal(JobStatus.Expired, done.Status);
        Assert.Equal("ExecutionExpired", done.Error!.Code);
        Assert.True(cancelled.Task.IsCompleted);
    }

    [Fact]
    public async Task QueuedJobPastItsExpiry_IsExpiredWithoutRunning()
    {
        var engine = new TestEngine((work, _) => Task.FromResult(Made(work)));
        var job = await QueueAsync(expiresIn: TimeSpan.FromMilliseconds(-1));

        var done = await RunUntilTerminalAsync(job.Id, engine);

        Assert.Equal(JobStatus.Expired, done.Status);
        Assert.Equal(0, engine.Calls(job.Id));
    }

    [Fact]
    public async Task Restart_TakesBackItsOwnJobs_WithoutWaitingForTheLease()
    {
        var job = await QueueAsync();
        var claimed = await _store.ClaimAsync("node-a", 1, TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(10), CancellationToken.None);
        Assert.Single(claimed); // node-a "crashed" holding a ten-minute lease
        var engine = new TestEngine((work, _) => Task.FromResult(Made(work)));

        var done = await RunUntilTerminalAsync(job.Id, engine, node: "node-a");

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal((1, 1), (done.Attempts, done.Lapses)); // the restart cost no attempt, and counted the lapse
    }

    [Fact]
    public async Task A_job_that_keeps_losing_its_worker_fails_without_running_again()
    {
        var job = await QueueAsync();
        for (var lapse = 0; lapse <= 2; lapse++)
        {
            Assert.Single(await _store.ClaimAsync("node-dies", 1, TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(10), CancellationToken.None));
            await _store.ReleaseLeasesAsync("node-dies", TimeProvider.System.GetUtcNow(), CancellationToken.None);
        }

        var engine = new TestEngine((work, _) => Task.FromResult(Made(work)));
        var done = await RunUntilTerminalAsync(job.Id, engine, o => o.MaxLapses = 2);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Contains("stopped 3 times", done.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(0, engine.Calls(job.Id));
    }

    [Fact]
    public async Task An_unexpected_engine_error_is_retried_and_its_details_stay_in_the_log()
    {
        var engine = new TestEngine((_, _) => throw new IOException("disk full at /var/lib/seedgate/work/secret"));
        var job = await QueueAsync();

        var done = await RunUntilTerminalAsync(job.Id, engine, o => o.MaxAttempts = 2);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal(2, engine.Calls(job.Id));
        Assert.Equal(ErrorCodes.InternalServiceError, done.Error!.Code);
        Assert.DoesNotContain("/var/lib", done.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_waiting_job_holds_no_slot_and_resumes_from_its_checkpoint_on_another_node()
    {
        var seen = new ConcurrentQueue<string?>();
        // Claimed first whatever the ids (two jobs of the same millisecond order by id): it has parked before quick runs.
        var waiting = await QueueAsync(priority: 1);
        var quick = await QueueAsync();
        var waiter = TestEngine.Stepping(async (work, token) =>
        {
            seen.Enqueue(work.Job.Checkpoint);
            if (work.Job.Id == waiting.Id && work.Job.Checkpoint is null)
            {
                await work.RecordAsync(new EngineCheckpoint("submitting"), token);
                return new EngineStep.Waiting(new EngineCheckpoint("submitted", "up-1"), TimeSpan.FromSeconds(2));
            }

            return new EngineStep.Completed(Made(work));
        });

        // One slot on node-a: the quick job runs while the first one waits.
        var a = Start(waiter, "node-a", o => o.ConcurrentJobs = 1);
        await a.StartAsync(CancellationToken.None);
        Assert.Equal(JobStatus.Succeeded, (await WaitTerminalAsync(quick.Id)).Status);
        var parked = (await _store.GetAsync(waiting.Id, CancellationToken.None))!;
        await a.StopAsync(CancellationToken.None);
        Assert.Equal((JobStatus.Running, null, "submitted", "up-1"), (parked.Status, parked.LeaseOwner, parked.Checkpoint, parked.UpstreamTaskId));

        var done = await RunUntilTerminalAsync(waiting.Id, waiter, node: "node-b");
        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal((1, 0), (done.Attempts, done.Lapses));
        Assert.Equal([null, null, "submitted"], seen); // the first step and quick (either order), then the resumed step
        Assert.Equal(2, waiter.Calls(waiting.Id));
    }

    [Fact]
    public async Task Start_up_removes_the_scratch_left_by_a_crash_and_nothing_else()
    {
        var work = Path.Combine(_directory, "work-node-a");
        Directory.CreateDirectory(Path.Combine(work, "cgt-20260101000000-aaaaaaaa-1a2b3c4d"));
        await File.WriteAllBytesAsync(Path.Combine(work, "cgt-20260101000000-bbbbbbbb-5e6f7a8b.mp4"), [1]);
        await File.WriteAllBytesAsync(Path.Combine(work, "not-ours.txt"), [1]);
        var job = await QueueAsync();

        Assert.Equal(JobStatus.Succeeded, (await RunUntilTerminalAsync(job.Id, new TestEngine((w, _) => Task.FromResult(Made(w))))).Status);

        Assert.Equal(["not-ours.txt"], Directory.GetFileSystemEntries(work).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_running_node_removes_old_orphaned_scratch_periodically_but_not_a_running_steps()
    {
        var work = Path.Combine(_directory, "work-node-a");
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource<string>();
        var engine = new TestEngine(async (w, token) =>
        {
            Directory.CreateDirectory(w.Directory);
            File.SetLastWriteTimeUtc(w.Directory, DateTime.UnixEpoch); // as old as can be: only being in use protects it
            started.TrySetResult(w.Directory);
            await release.Task.WaitAsync(token);
            return Made(w);
        });
        var job = await QueueAsync();
        var dispatcher = Start(engine, "node-a", o => o.ScratchSweepInterval = TimeSpan.FromMilliseconds(200));
        await dispatcher.StartAsync(CancellationToken.None);
        try
        {
            var inUse = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var orphan = Path.Combine(work, "cgt-20260101000000-cccccccc-0f0f0f0f");
            Directory.CreateDirectory(orphan);
            Directory.SetLastWriteTimeUtc(orphan, DateTime.UnixEpoch);
            for (var i = 0; i < 100 && Directory.Exists(orphan); i++)
            {
                await Task.Delay(50);
            }

            Assert.False(Directory.Exists(orphan));
            Assert.True(Directory.Exists(inUse));
            release.SetResult();
            Assert.Equal(JobStatus.Succeeded, (await WaitTerminalAsync(job.Id)).Status);
        }
        finally
        {
            await dispatcher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_retention_sweep_deletes_old_files_and_marks_the_job()
    {
        var job = await QueueAsync(uploadedInput: true);
        await _blobs.PutBytesAsync($"inputs/{job.Id}/0.png", new byte[] { 1 }, CancellationToken.None);
        var done = await RunUntilTerminalAsync(job.Id, new TestEngine((w, _) => Task.FromResult(Made(w))));
        await using (var kept = await _blobs.OpenReadAsync($"inputs/{job.Id}/0.png", CancellationToken.None))
        {
            Assert.NotNull(kept); // a succeeded job keeps its inputs as long as its outputs (it may be promoted as a draft)
        }

        var clock = new ManualClock(done.FinishedAt!.Value + TimeSpan.FromDays(6));
        var sweeper = new RetentionSweeper(
            _store, _blobs, _signals, Options.Create(new RetentionOptions { Files = TimeSpan.FromDays(7) }), clock, NullLogger<RetentionSweeper>.Instance);

        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None)); // six days: kept
        clock.Now += TimeSpan.FromDays(2);
        Assert.Equal(1, await sweeper.SweepAsync(CancellationToken.None));

        await using (var video = await _blobs.OpenReadAsync(done.Outputs!.VideoKey, CancellationToken.None))
        {
            Assert.Null(video);
        }

        await using (var input = await _blobs.OpenReadAsync($"inputs/{job.Id}/0.png", CancellationToken.None))
        {
            Assert.Null(input);
        }

        var swept = (await _store.GetAsync(job.Id, CancellationToken.None))!;
        Assert.Equal((JobStatus.Succeeded, clock.Now), (swept.Status, swept.FilesDeletedAt));
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task TwoNodes_RunEveryJobExactlyOnce_EvenWhenRunsOutlastTheLease()
    {
        var engine = new TestEngine(async (work, token) =>
        {
            await Task.Delay(work.Job.Id.GetHashCode() % 2 == 0 ? 3500 : 50, token); // some runs outlast the 3 s lease
            return Made(work);
        });
        var jobs = new List<Job>();
        for (var i = 0; i < 12; i++)
        {
            jobs.Add(await QueueAsync());
        }

        using var stop = new CancellationTokenSource();
        var a = Start(engine, "node-a", o => o.Lease = TimeSpan.FromSeconds(3));
        var b = Start(engine, "node-b", o => o.Lease = TimeSpan.FromSeconds(3));
        await a.StartAsync(stop.Token);
        await b.StartAsync(stop.Token);
        try
        {
            foreach (var job in jobs)
            {
                Assert.Equal(JobStatus.Succeeded, (await WaitTerminalAsync(job.Id)).Status);
            }
        }
        finally
        {
            await a.StopAsync(CancellationToken.None);
            await b.StopAsync(CancellationToken.None);
        }

        Assert.All(jobs, job => Assert.Equal(1, engine.Calls(job.Id)));
    }

    private async Task<Job> QueueAsync(TimeSpan? expiresIn = null, bool uploadedInput = false, int priority = 0)
    {
        var now = TimeProvider.System.GetUtcNow();
        var id = JobIds.New(now);
        var job = new Job
        {
            Id = id,
            AccountId = "default",
            Status = JobStatus.Queued,
            Request = new GenerationRequest
            {
                Model = "seedance-2.0-fast", Prompt = "test", Resolution = "720p", Ratio = "16:9", Duration = 5, FramesPerSecond = 24, Seed = 1, Priority = priority,
                References = uploadedInput
                    ? [new Reference(ReferenceKind.Image, ReferenceRole.FirstFrame, $"{JobSubmitter.BlobScheme}inputs/{id}/0.png", "content[1]")]
                    : [],
            },
            RequestedModel = "seedance-2.0-fast",
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now + (expiresIn ?? TimeSpan.FromHours(1)),
            Engine = TestEngine.EngineName,
        };
        await _store.CreateAsync(job, CancellationToken.None);
        return job;
    }

    private Dispatcher Start(TestEngine engine, string node, Action<DispatchOptions>? configure = null)
    {
        var options = new DispatchOptions
        {
            ConcurrentJobs = 2,
            PollInterval = TimeSpan.FromMilliseconds(100),
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            WorkDirectory = Path.Combine(_directory, "work-" + node),
        };
        configure?.Invoke(options);
        var settings = Options.Create(options);
        var identity = new NodeIdentity(node);
        var time = TimeProvider.System;
        var completer = new JobCompleter(_store, _blobs, identity, time, NullLogger<JobCompleter>.Instance);
        _completers.Add(completer);
        var runner = new JobRunner(
            _store, _blobs, Catalog, [engine], completer, new LongTakeSteps(_blobs, _ffmpeg, time), new RetryPolicy(settings), _signals, settings, identity, time, NullLogger<JobRunner>.Instance);
        return new Dispatcher(
            _store, new PriorityClaimPolicy(_store, time), runner, new ExpirySweeper(_store, _blobs, _signals, time, NullLogger<ExpirySweeper>.Instance),
            _signals, settings, identity, time, NullLogger<Dispatcher>.Instance);
    }

    private async Task<Job> RunUntilTerminalAsync(string id, TestEngine engine, Action<DispatchOptions>? configure = null, string node = "node-a")
    {
        var dispatcher = Start(engine, node, configure);
        await dispatcher.StartAsync(CancellationToken.None);
        try
        {
            return await WaitTerminalAsync(id);
        }
        finally
        {
            await dispatcher.StopAsync(CancellationToken.None);
        }
    }

    private async Task<Job> WaitTerminalAsync(string id)
    {
        for (var i = 0; i < 150; i++)
        {
            var changed = _signals.NextChangeAsync(id);
            var job = await _store.GetAsync(id, CancellationToken.None);
            if (job!.IsTerminal)
            {
                return job;
            }

            await Task.WhenAny(changed, Task.Delay(100));
        }

        throw new TimeoutException($"Job {id} did not finish.");
    }

    private static EngineResult Made(EngineWork work)
    {
        Directory.CreateDirectory(work.Directory); // engines create their scratch directory when they need one
        var path = Path.Combine(work.Directory, "video.mp4");
        File.WriteAllBytes(path, [0, 0, 0, 24]);
        return new EngineResult(path, null, 1280, 720, 24, 5, false, "16:9", 1000);
    }

    private sealed class TestEngine : IVideoEngine
    {
        public const string EngineName = "test";
        private readonly ConcurrentDictionary<string, int> _calls = new();
        private readonly Func<EngineWork, CancellationToken, Task<EngineStep>> _step;

        /// <summary>A single-step engine: each step makes the video (or throws).</summary>
        public TestEngine(Func<EngineWork, CancellationToken, Task<EngineResult>> run) =>
            _step = async (work, token) => new EngineStep.Completed(await run(work, token));

        private TestEngine(Func<EngineWork, CancellationToken, Task<EngineStep>> step) => _step = step;

        public static TestEngine Stepping(Func<EngineWork, CancellationToken, Task<EngineStep>> step) => new(step);

        public string Name => EngineName;

        public int Calls(string id) => _calls.GetValueOrDefault(id);

        public Task<EngineStep> StepAsync(EngineWork work, CancellationToken cancellationToken)
        {
            _calls.AddOrUpdate(work.Job.Id, 1, (_, n) => n + 1);
            return _step(work, cancellationToken);
        }
    }
}
