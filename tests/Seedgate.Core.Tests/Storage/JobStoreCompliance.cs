using System.Collections.Concurrent;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;

namespace Seedgate.Core.Tests.Storage;

/// <summary>
/// What every <see cref="IJobStore"/> must do. A provider's test class derives from this and supplies stores over a
/// fresh, empty database per test. Times come from a fixed clock, at whole milliseconds (what stores keep).
/// </summary>
public abstract class JobStoreCompliance
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, 89, TimeSpan.Zero);
    protected static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>
    /// A store over this test's database, which is empty at the first call in each test. Every call returns a new
    /// store instance over the same database, as another process would open it.
    /// </summary>
    protected abstract Task<IJobStore> CreateStoreAsync();

    // ---- create, get, tenants -------------------------------------------------------------------------------

    [Fact]
    public async Task Created_job_reads_back_equal_with_every_field_set()
    {
        var store = await CreateStoreAsync();
        var job = FullJob();
        await store.CreateAsync(job, None);

        AssertSameJob(job, await store.GetAsync(job.Id, None));
        AssertSameJob(job, await store.GetForAccountAsync(job.AccountId, job.Id, None));
        AssertSameJob(job, await (await CreateStoreAsync()).GetAsync(job.Id, None));
    }

    [Fact]
    public async Task Request_with_every_field_set_survives_the_store()
    {
        var store = await CreateStoreAsync();
        var request = JobSamples.FullRequest();
        var job = NewJob() with { Request = request };
        await store.CreateAsync(job, None);

        var loaded = (await store.GetAsync(job.Id, None))!.Request;
        Assert.Equal(JobJson.Serialize(request), JobJson.Serialize(loaded));
        Assert.Equal(request.References, loaded.References);
        Assert.Equal(request.Tools, loaded.Tools);
        Assert.Equal(request with { References = loaded.References, Tools = loaded.Tools }, loaded);
    }

    [Fact]
    public async Task Unknown_job_is_null()
    {
        var store = await CreateStoreAsync();
        Assert.Null(await store.GetAsync("cgt-20260101000000-00000000", None));
        Assert.Null(await store.GetForAccountAsync("acct-a", "cgt-20260101000000-00000000", None));
    }

    [Fact]
    public async Task Duplicate_id_is_refused()
    {
        var store = await CreateStoreAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        await Assert.ThrowsAnyAsync<Exception>(() => store.CreateAsync(job with { AccountId = "acct-b" }, None));
        Assert.Equal("acct-a", (await store.GetAsync(job.Id, None))!.AccountId);
    }

    [Fact]
    public async Task Another_accounts_job_is_invisible()
    {
        var store = await CreateStoreAsync();
        var mine = NewJob("acct-a");
        var theirs = NewJob("acct-b");
        await store.CreateAsync(mine, None);
        await store.CreateAsync(theirs, None);

        Assert.Null(await store.GetForAccountAsync("acct-a", theirs.Id, None));
        Assert.NotNull(await store.GetForAccountAsync("acct-b", theirs.Id, None));

        var page = await store.ListAsync(new JobQuery("acct-a") { Ids = [mine.Id, theirs.Id] }, None);
        Assert.Equal(1, page.Total);
        Assert.Equal([mine.Id], Ids(page.Items));
    }

    // ---- listing --------------------------------------------------------------------------------------------

    [Fact]
    public async Task List_is_newest_first_with_ties_in_reverse_insertion_order()
    {
        var store = await CreateStoreAsync();
        var old = NewJob(createdAt: T0);
        var tieA = NewJob(createdAt: T0.AddSeconds(1)) with { Id = "cgt-20260304050608-aaaaaaaa" };
        var tieB = NewJob(createdAt: T0.AddSeconds(1)) with { Id = "cgt-20260304050608-bbbbbbbb" };
        var newest = NewJob(createdAt: T0.AddSeconds(2));
        // Two creates in one millisecond: the later one is listed first, whatever their ids' random suffixes say.
        foreach (var job in new[] { tieB, newest, old, tieA })
        {
            await store.CreateAsync(job, None);
        }

        await store.CreateAsync(NewJob("acct-b", createdAt: T0.AddSeconds(3)), None);

        var page = await store.ListAsync(new JobQuery("acct-a"), None);
        Assert.Equal(4, page.Total);
        Assert.Equal([newest.Id, tieA.Id, tieB.Id, old.Id], Ids(page.Items));
    }

    [Fact]
    public async Task List_filters_by_status_model_and_id_and_combines_them()
    {
        var store = await CreateStoreAsync();
        var queuedFast = NewJob(createdAt: T0, model: "seedance-2.0-fast");
        var queuedPro = NewJob(createdAt: T0.AddSeconds(1), model: "seedance-2.0-pro");
        var cancelledFast = NewJob(createdAt: T0.AddSeconds(2), model: "seedance-2.0-fast");
        var succeededStd = NewJob(createdAt: T0.AddSeconds(3), model: "seedance-2.0") with { Status = JobStatus.Succeeded };
        foreach (var job in new[] { queuedFast, queuedPro, cancelledFast, succeededStd })
        {
            await store.CreateAsync(job, None);
        }

        Assert.True(await store.CancelQueuedAsync("acct-a", cancelledFast.Id, T0.AddMinutes(1), None));

        async Task<string[]> List(JobQuery query)
        {
            var page = await store.ListAsync(query, None);
            Assert.Equal(page.Items.Count, page.Total);
            return Ids(page.Items);
        }

        var all = new JobQuery("acct-a");
        Assert.Equal([queuedPro.Id, queuedFast.Id], await List(all with { Statuses = [JobStatus.Queued] }));
        Assert.Equal(
            [succeededStd.Id, cancelledFast.Id],
            await List(all with { Statuses = [JobStatus.Cancelled, JobStatus.Succeeded] }));
        Assert.Equal([cancelledFast.Id, queuedFast.Id], await List(all with { Models = ["seedance-2.0-fast"] }));
        Assert.Equal(
            [succeededStd.Id, queuedPro.Id],
            await List(all with { Models = ["seedance-2.0-pro", "seedance-2.0"] }));
        Assert.Equal([queuedFast.Id], await List(all with { Ids = [queuedFast.Id, "cgt-nothing"] }));
        Assert.Equal(
            [queuedFast.Id],
            await List(all with { Statuses = [JobStatus.Queued], Models = ["seedance-2.0-fast"] }));
        Assert.Empty(await List(all with { Statuses = [JobStatus.Queued], Ids = [cancelledFast.Id] }));
        Assert.Equal(
            [queuedPro.Id],
            await List(all with { Statuses = [JobStatus.Queued], Models = ["seedance-2.0-pro"], Ids = [queuedPro.Id, queuedFast.Id] }));
        Assert.Empty(await List(all with { Statuses = [JobStatus.Running] }));
    }

    [Fact]
    public async Task List_filters_by_prompt_text_and_creation_time()
    {
        var store = await CreateStoreAsync();
        Job WithPrompt(Job job, string? prompt) => job with { Request = job.Request with { Prompt = prompt } };
        var harbour = WithPrompt(NewJob(createdAt: T0), "A Harbour at dawn, 50% fog");
        var accented = WithPrompt(NewJob(createdAt: T0.AddSeconds(1)), "Café \"quotes\" and a_b");
        var silent = WithPrompt(NewJob(createdAt: T0.AddSeconds(2)), null);
        foreach (var job in new[] { harbour, accented, silent })
        {
            await store.CreateAsync(job, None);
        }

        async Task<string[]> List(JobQuery query) => Ids((await store.ListAsync(query, None)).Items);
        var all = new JobQuery("acct-a");
        Assert.Equal([harbour.Id], await List(all with { PromptContains = "harbour AT" })); // case ignored
        Assert.Equal([harbour.Id], await List(all with { PromptContains = "50%" }));
        Assert.Empty(await List(all with { PromptContains = "5%f" })); // % is the caller's text, not a wildcard
        Assert.Equal([accented.Id], await List(all with { PromptContains = "a_b" }));
        Assert.Empty(await List(all with { PromptContains = "aXb" })); // nor is _
        Assert.Equal([accented.Id], await List(all with { PromptContains = "Café \"quotes\"" })); // the prompt, not its JSON
        Assert.Empty(await List(all with { PromptContains = "prompt" })); // nor the request's field names
        Assert.Equal([silent.Id, accented.Id, harbour.Id], await List(all with { PromptContains = "" }));
        Assert.Equal([silent.Id, accented.Id], await List(all with { CreatedFrom = T0.AddSeconds(1) }));
        Assert.Equal([harbour.Id], await List(all with { CreatedBefore = T0.AddSeconds(1) }));
        Assert.Equal([accented.Id], await List(all with { CreatedFrom = T0.AddSeconds(0.5), CreatedBefore = T0.AddSeconds(1.5), PromptContains = "café" }));
    }

    [Fact]
    public async Task List_model_filter_matches_the_requested_name_or_the_catalog_id()
    {
        var store = await CreateStoreAsync();
        var byAlias = NewJob(createdAt: T0, model: "seedance-2.0-fast", requestedModel: "dreamina-seedance-2-0-fast-260128");
        var byId = NewJob(createdAt: T0.AddSeconds(1), model: "seedance-2.0-fast");
        var other = NewJob(createdAt: T0.AddSeconds(2), model: "seedance-2.0-pro");
        foreach (var job in new[] { byAlias, byId, other })
        {
            await store.CreateAsync(job, None);
        }

        var byCatalogId = await store.ListAsync(new JobQuery("acct-a") { Models = ["seedance-2.0-fast"] }, None);
        Assert.Equal([byId.Id, byAlias.Id], Ids(byCatalogId.Items));

        var byRequestedName = await store.ListAsync(new JobQuery("acct-a") { Models = ["dreamina-seedance-2-0-fast-260128"] }, None);
        Assert.Equal([byAlias.Id], Ids(byRequestedName.Items));
    }

    [Fact]
    public async Task List_pages_from_one_and_reports_the_total_that_match()
    {
        var store = await CreateStoreAsync();
        var jobs = Enumerable.Range(0, 7).Select(i => NewJob(createdAt: T0.AddSeconds(i))).ToList();
        foreach (var job in jobs)
        {
            await store.CreateAsync(job, None);
        }

        await store.CreateAsync(NewJob("acct-b"), None);
        var newestFirst = jobs.Select(j => j.Id).Reverse().ToArray();

        var query = new JobQuery("acct-a") { PageSize = 3 };
        var pages = new List<JobPage>();
        for (var number = 1; number <= 4; number++)
        {
            pages.Add(await store.ListAsync(query with { PageNumber = number }, None));
        }

        Assert.All(pages, p => Assert.Equal(7, p.Total));
        Assert.Equal(newestFirst[..3], Ids(pages[0].Items));
        Assert.Equal(newestFirst[3..6], Ids(pages[1].Items));
        Assert.Equal(newestFirst[6..], Ids(pages[2].Items));
        Assert.Empty(pages[3].Items);

        var filtered = await store.ListAsync(query with { Ids = [jobs[0].Id, jobs[1].Id], PageSize = 1, PageNumber = 2 }, None);
        Assert.Equal(2, filtered.Total);
        Assert.Equal([jobs[0].Id], Ids(filtered.Items));
    }

    [Fact]
    public async Task List_refuses_page_numbers_and_sizes_below_one()
    {
        var store = await CreateStoreAsync();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(new JobQuery("acct-a") { PageNumber = 0 }, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(new JobQuery("acct-a") { PageSize = 0 }, None));
    }

    // ---- claiming -------------------------------------------------------------------------------------------

    [Fact]
    public async Task Claim_takes_highest_priority_first_then_oldest_and_honours_max()
    {
        var store = await CreateStoreAsync();
        var lowOld = NewJob(createdAt: T0, priority: 0);
        var highNew = NewJob(createdAt: T0.AddSeconds(3), priority: 5);
        var highOld = NewJob(createdAt: T0.AddSeconds(1), priority: 5);
        var lowNew = NewJob(createdAt: T0.AddSeconds(2), priority: 0);
        var mid = NewJob(createdAt: T0.AddSeconds(4), priority: 1);
        foreach (var job in new[] { lowOld, highNew, highOld, lowNew, mid })
        {
            await store.CreateAsync(job, None);
        }

        var now = T0.AddMinutes(1);
        Assert.Equal([highOld.Id, highNew.Id], Ids(await store.ClaimAsync("node-1", 2, now, Lease, None)));
        Assert.Equal([mid.Id], Ids(await store.ClaimAsync("node-1", 1, now, Lease, None)));
        Assert.Equal([lowOld.Id, lowNew.Id], Ids(await store.ClaimAsync("node-2", 10, now, Lease, None)));
        Assert.Empty(await store.ClaimAsync("node-2", 10, now, Lease, None));
        Assert.Empty(await store.ClaimAsync("node-2", 0, now, Lease, None));
    }

    [Fact]
    public async Task Claim_sets_running_owner_lease_attempts_and_started_at()
    {
        var store = await CreateStoreAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);

        var now = T0.AddMinutes(1);
        var claimed = Assert.Single(await store.ClaimAsync("node-1", 5, now, Lease, None));
        var stored = await store.GetAsync(job.Id, None);
        foreach (var view in new[] { claimed, stored! })
        {
            Assert.Equal(JobStatus.Running, view.Status);
            Assert.Equal("node-1", view.LeaseOwner);
            Assert.Equal(now + Lease, view.LeaseUntil);
            Assert.Equal(1, view.Attempts);
            Assert.Equal(now, view.StartedAt);
            Assert.Equal(now, view.UpdatedAt);
            Assert.Null(view.FinishedAt);
            Assert.Equal(job.CreatedAt, view.CreatedAt);
            Assert.Equal(JobJson.Serialize(job.Request), JobJson.Serialize(view.Request));
        }
    }

    [Fact]
    public async Task Claim_leaves_live_leases_terminal_jobs_and_expired_jobs_alone()
    {
        var store = await CreateStoreAsync();
        var leased = NewJob(createdAt: T0);
        await store.CreateAsync(leased, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));

        foreach (var status in new[] { JobStatus.Succeeded, JobStatus.Failed, JobStatus.Cancelled, JobStatus.Expired })
        {
            await store.CreateAsync(NewJob() with { Status = status }, None);
        }

        var pastExpiry = NewJob(createdAt: T0, expiresAfter: TimeSpan.FromMinutes(1));
        await store.CreateAsync(pastExpiry, None);

        var now = T0.AddMinutes(1);
        Assert.Empty(await store.ClaimAsync("node-2", 10, now, Lease, None));
        Assert.Equal(JobStatus.Queued, (await store.GetAsync(pastExpiry.Id, None))!.Status);
        Assert.Equal("node-1", (await store.GetAsync(leased.Id, None))!.LeaseOwner);
    }

    [Fact]
    public async Task Concurrent_claimers_never_claim_a_job_twice()
    {
        const int JobCount = 200;
        const int Claimers = 8;
        var setup = await CreateStoreAsync();
        var ids = new List<string>();
        for (var i = 0; i < JobCount; i++)
        {
            var job = NewJob(createdAt: T0.AddMilliseconds(i), priority: i % 3);
            ids.Add(job.Id);
            await setup.CreateAsync(job, None);
        }

        var claims = new ConcurrentBag<(string Owner, string Id)>();
        var stores = new IJobStore[Claimers];
        for (var c = 0; c < Claimers; c++)
        {
            stores[c] = await CreateStoreAsync();
        }

        using var start = new ManualResetEventSlim();
        var claimers = Enumerable.Range(0, Claimers).Select(c => Task.Run(async () =>
        {
            start.Wait();
            var owner = $"node-{c}";
            while (true)
            {
                var batch = await stores[c].ClaimAsync(owner, 1 + (c % 4), T0.AddMinutes(1), Lease, None);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var job in batch)
                {
                    Assert.Equal(owner, job.LeaseOwner);
                    claims.Add((owner, job.Id));
                }
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(claimers);

        Assert.Equal(JobCount, claims.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), claims.Select(c => c.Id).Order(StringComparer.Ordinal));
        foreach (var (owner, id) in claims)
        {
            var stored = (await setup.GetAsync(id, None))!;
            Assert.Equal(owner, stored.LeaseOwner);
            Assert.Equal(1, stored.Attempts);
        }
    }

    [Fact]
    public async Task Lapsed_lease_is_reclaimed_and_the_old_owner_loses_the_job()
    {
        var store = await CreateStoreAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        var first = T0.AddMinutes(1);
        Assert.Single(await store.ClaimAsync("node-1", 1, first, Lease, None));

        // Still leased a moment before the lease ends; free at its end.
        Assert.Empty(await store.ClaimAsync("node-2", 1, first + Lease - TimeSpan.FromMilliseconds(1), Lease, None));
        var second = first + Lease;
        var reclaimed = Assert.Single(await store.ClaimAsync("node-2", 1, second, Lease, None));
        Assert.Equal("node-2", reclaimed.LeaseOwner);
        Assert.Equal((1, 1), (reclaimed.Attempts, reclaimed.Lapses)); // the same attempt, taken from a vanished worker
        Assert.Equal(first, reclaimed.StartedAt);

        var later = second.AddSeconds(1);
        Assert.False(await store.RenewLeaseAsync(job.Id, "node-1", later + Lease, None));
        Assert.False(await store.CheckpointAsync(job.Id, "node-1", new EngineCheckpoint("submitted", "up-1"), later, None));
        Assert.False(await store.ScheduleRetryAsync(job.Id, "node-1", new JobError("Timeout", "t"), later, later, None));
        Assert.False(await store.FailAsync(job.Id, "node-1", JobStatus.Failed, new JobError("X", "x"), later, None));
        Assert.False(await store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs(), 1, later, None));

        var unchanged = (await store.GetAsync(job.Id, None))!;
        Assert.Equal(JobStatus.Running, unchanged.Status);
        Assert.Equal("node-2", unchanged.LeaseOwner);
        Assert.Equal(second + Lease, unchanged.LeaseUntil);
        Assert.Null(unchanged.UpstreamTaskId);

        Assert.True(await store.CompleteAsync(job.Id, "node-2", JobSamples.Outputs(), 1, later, None));
    }

    [Fact]
    public async Task Renewed_lease_keeps_the_job_from_other_claimers()
    {
        var store = await CreateStoreAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));

        var renewedUntil = T0 + Lease + Lease;
        Assert.True(await store.RenewLeaseAsync(job.Id, "node-1", renewedUntil, None));
        Assert.Equal(renewedUntil, (await store.GetAsync(job.Id, None))!.LeaseUntil);
        Assert.Empty(await store.ClaimAsync("node-2", 1, T0 + Lease, Lease, None));
        Assert.Single(await store.ClaimAsync("node-2", 1, renewedUntil, Lease, None));
    }

    [Fact]
    public async Task Scheduled_retry_waits_for_its_time_then_is_claimable()
    {
        var store = await CreateStoreAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));

        var now = T0.AddSeconds(10);
        var retryAt = now.AddSeconds(30);
        var error = new JobError("ServiceUnavailable", "upstream 503", "model");
        Assert.True(await store.ScheduleRetryAsync(job.Id, "node-1", error, retryAt, now, None));

        var waiting = (await store.GetAsync(job.Id, None))!;
        Assert.Equal(JobStatus.Running, waiting.Status);
        Assert.Null(waiting.LeaseOwner);
        Assert.Equal(retryAt, waiting.LeaseUntil);
        Assert.Equal(error, waiting.Error);
        Assert.Equal(now, waiting.UpdatedAt);
        Assert.Equal((JobStatus.Queued, retryAt), (waiting.VisibleStatus, waiting.RetryAt)); // callers see it queued again

        // The retry gave the job up: its former owner holds nothing now.
        Assert.False(await store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs(), 1, now, None));
        Assert.Empty(await store.ClaimAsync("node-1", 1, retryAt.AddMilliseconds(-1), Lease, None));

        var retried = Assert.Single(await store.ClaimAsync("node-2", 1, retryAt, Lease, None));
        Assert.Equal("node-2", retried.LeaseOwner);
        Assert.Equal((2, 0), (retried.Attempts, retried.Lapses));
        Assert.Equal(T0, retried.StartedAt);
        Assert.Equal(error, retried.Error);
    }

    [Fact]
    public async Task A_retry_moves_to_the_fallback_model_only_with_nothing_under_way()
    {
        var store = await CreateStoreAsync();
        var fresh = NewJob(model: "seedance-2.0") with { Engine = "ark" };
        var underWay = NewJob(model: "seedance-2.0", createdAt: T0.AddMilliseconds(1)) with { Engine = "ark" };
        await store.CreateAsync(fresh, None);
        await store.CreateAsync(underWay, None);
        Assert.Equal(2, (await store.ClaimAsync("node-1", 2, T0, Lease, None)).Count);
        Assert.True(await store.CheckpointAsync(underWay.Id, "node-1", new EngineCheckpoint("collecting", "up-1"), T0, None));

        var error = new JobError("InternalServiceError", "the tier is down");
        var retryAt = T0.AddSeconds(5);
        GenerationRequest OnFast(Job job) => job.Request with { Model = "seedance-2.0-fast", FallbackModel = "seedance-2.0-fast" };
        Assert.True(await store.FallBackAsync(fresh.Id, "node-1", error, retryAt, OnFast(fresh), "sandbox", T0, None));
        Assert.False(await store.FallBackAsync(underWay.Id, "node-1", error, retryAt, OnFast(underWay), "sandbox", T0, None));
        Assert.False(await store.FallBackAsync(fresh.Id, "node-1", error, retryAt, OnFast(fresh), "sandbox", T0, None)); // no longer held

        var moved = (await store.GetAsync(fresh.Id, None))!;
        Assert.Equal(("seedance-2.0-fast", "sandbox", true), (moved.Request.Model, moved.Engine, moved.ServedByFallback));
        Assert.Equal((2, error, retryAt), (moved.Attempts, moved.Error, moved.RetryAt));
        Assert.Single((await store.ListAsync(new JobQuery("acct-a") { Models = ["seedance-2.0-fast"] }, None)).Items); // the model column moved too
        var stayed = (await store.GetAsync(underWay.Id, None))!;
        Assert.Equal(("seedance-2.0", "ark", "node-1"), (stayed.Request.Model, stayed.Engine, stayed.LeaseOwner));
    }

    [Fact]
    public async Task A_finished_segment_is_stored_with_the_job_and_the_next_starts_afresh_only_while_held()
    {
        var store = await CreateStoreAsync();
        var job = NewJob() with { Request = NewJob().Request with { Duration = 42, LongTake = true } };
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.True(await store.ScheduleRetryAsync(job.Id, "node-1", new JobError("InternalServiceError", "once"), T0, T0, None));
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.True(await store.CheckpointAsync(job.Id, "node-1", new EngineCheckpoint("collecting", "up-1"), T0, None));

        var first = new JobSegment(0, JobSamples.Outputs() with { DurationSeconds = 14 }, 420_000, T0.AddSeconds(1));
        Assert.True(await store.FinishSegmentAsync(job.Id, "node-1", [first], T0.AddSeconds(1), None));
        Assert.False(await store.FinishSegmentAsync(job.Id, "node-2", [first, first with { Index = 1 }], T0.AddSeconds(2), None)); // not its job

        var stored = (await store.GetAsync(job.Id, None))!;
        Assert.Equal([first], stored.Segments);
        Assert.Equal((JobStatus.Running, "node-1", null, 1, null), (stored.Status, stored.LeaseOwner, stored.Checkpoint, stored.Attempts, stored.Error));
    }

    [Fact]
    public async Task A_failure_keeps_what_a_long_take_delivered()
    {
        var store = await CreateStoreAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        var part = new JobDelivery(JobSamples.Outputs() with { DurationSeconds = 14 }, 420_000);

        Assert.True(await store.FailAsync(job.Id, "node-1", JobStatus.Failed, new JobError("InternalServiceError", "segment 2"), T0, None, part));

        var failed = (await store.GetAsync(job.Id, None))!;
        Assert.Equal((JobStatus.Failed, part.Outputs, 420_000L), (failed.Status, failed.Outputs, failed.CostMicros));
    }

    [Fact]
    public async Task Upstream_task_id_survives_a_reclaim()
    {
        var store = await CreateStoreAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.True(await store.CheckpointAsync(job.Id, "node-1", new EngineCheckpoint("submitted", "cgt-upstream-42"), T0.AddSeconds(1), None));
        Assert.Equal(T0.AddSeconds(1), (await store.GetAsync(job.Id, None))!.UpdatedAt);

        var reclaimed = Assert.Single(await store.ClaimAsync("node-2", 1, T0 + Lease, Lease, None));
        Assert.Equal("cgt-upstream-42", reclaimed.UpstreamTaskId);
        Assert.True(await store.CompleteAsync(job.Id, "node-2", JobSamples.Outputs(), 5, T0 + Lease, None));
        Assert.Equal("cgt-upstream-42", (await store.GetAsync(job.Id, None))!.UpstreamTaskId);
    }

    [Fact]
    public async Task Released_leases_are_claimable_at_once_and_only_that_owners()
    {
        var store = await CreateStoreAsync();
        var mine = NewJob(createdAt: T0);
        var theirs = NewJob(createdAt: T0.AddSeconds(1));
        await store.CreateAsync(mine, None);
        await store.CreateAsync(theirs, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.Single(await store.ClaimAsync("node-2", 1, T0, Lease, None));

        var restart = T0.AddSeconds(5);
        Assert.Equal(1, await store.ReleaseLeasesAsync("node-1", restart, None));
        Assert.Equal(0, await store.ReleaseLeasesAsync("node-gone", restart, None));

        var again = Assert.Single(await store.ClaimAsync("node-3", 5, restart, Lease, None));
        Assert.Equal(mine.Id, again.Id);
        Assert.Equal((1, 1), (again.Attempts, again.Lapses));
        Assert.Equal("node-2", (await store.GetAsync(theirs.Id, None))!.LeaseOwner);
    }

    [Fact]
    public async Task Handed_back_jobs_are_claimable_at_once_without_a_lapse()
    {
        var store = await CreateStoreAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));

        var stop = T0.AddSeconds(5);
        Assert.Equal(1, await store.HandBackAsync("node-1", stop, None));
        Assert.False(await store.RenewLeaseAsync(job.Id, "node-1", stop + Lease, None));
        var again = Assert.Single(await store.ClaimAsync("node-2", 1, stop, Lease, None));
        Assert.Equal((1, 0), (again.Attempts, again.Lapses));
    }

    [Fact]
    public async Task A_waiting_job_holds_no_lease_keeps_its_checkpoint_and_resumes_at_its_time_on_any_node()
    {
        var store = await CreateStoreAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.True(await store.CheckpointAsync(job.Id, "node-1", new EngineCheckpoint("submitting"), T0, None));
        Assert.Equal("submitting", (await store.GetAsync(job.Id, None))!.Checkpoint);

        var resumeAt = T0.AddSeconds(30);
        Assert.True(await store.WaitAsync(job.Id, "node-1", new EngineCheckpoint("submitted", "up-7"), resumeAt, T0.AddSeconds(1), None));
        var waiting = (await store.GetAsync(job.Id, None))!;
        Assert.Equal((JobStatus.Running, null, resumeAt), (waiting.Status, waiting.LeaseOwner, waiting.LeaseUntil));
        Assert.Equal((JobStatus.Running, null), (waiting.VisibleStatus, waiting.RetryAt)); // waiting on its engine, not a retry
        Assert.Equal(("submitted", "up-7"), (waiting.Checkpoint, waiting.UpstreamTaskId));
        Assert.False(await store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs(), 1, T0, None)); // it gave the job up
        Assert.False(await store.WaitAsync(job.Id, "node-1", new EngineCheckpoint("x"), resumeAt, T0, None));

        Assert.Empty(await store.ClaimAsync("node-2", 1, resumeAt.AddMilliseconds(-1), Lease, None));
        var resumed = Assert.Single(await store.ClaimAsync("node-2", 1, resumeAt, Lease, None));
        Assert.Equal(("submitted", "up-7", 1, 0), (resumed.Checkpoint, resumed.UpstreamTaskId, resumed.Attempts, resumed.Lapses));

        // A later checkpoint without an upstream id keeps the one recorded.
        Assert.True(await store.CheckpointAsync(job.Id, "node-2", new EngineCheckpoint("polling"), resumeAt, None));
        Assert.Equal(("polling", "up-7"), ((await store.GetAsync(job.Id, None))!.Checkpoint, (await store.GetAsync(job.Id, None))!.UpstreamTaskId));
    }

    [Fact]
    public async Task A_waiting_job_past_its_expiry_is_expired_by_the_sweep()
    {
        var store = await CreateStoreAsync();
        var job = NewJob(expiresAfter: TimeSpan.FromMinutes(2));
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.True(await store.WaitAsync(job.Id, "node-1", new EngineCheckpoint("submitted", "up-1"), T0.AddHours(1), T0, None));

        Assert.Equal([job.Id], await store.ExpireDueAsync(T0.AddMinutes(2), None));
        Assert.Equal(JobStatus.Expired, (await store.GetAsync(job.Id, None))!.Status);
    }

    [Fact]
    public async Task Retention_finds_finished_jobs_with_files_oldest_first_until_marked()
    {
        var store = await CreateStoreAsync();
        var old = NewJob(createdAt: T0) with { Status = JobStatus.Succeeded, FinishedAt = T0.AddHours(1) };
        var older = NewJob(createdAt: T0) with { Status = JobStatus.Failed, FinishedAt = T0 };
        var recent = NewJob(createdAt: T0) with { Status = JobStatus.Succeeded, FinishedAt = T0.AddDays(6) };
        var running = NewJob(createdAt: T0) with { Status = JobStatus.Running, LeaseOwner = "n", LeaseUntil = T0.AddDays(30) };
        foreach (var job in new[] { old, older, recent, running })
        {
            await store.CreateAsync(job, None);
        }

        var cutoff = T0.AddDays(2);
        Assert.Equal([older.Id, old.Id], await store.FindFilesPastRetentionAsync(cutoff, 10, None));
        Assert.Equal([older.Id], await store.FindFilesPastRetentionAsync(cutoff, 1, None));

        await store.MarkFilesDeletedAsync([older.Id, old.Id], T0.AddDays(3), None);
        Assert.Empty(await store.FindFilesPastRetentionAsync(cutoff, 10, None));
        Assert.Equal(T0.AddDays(3), (await store.GetAsync(old.Id, None))!.FilesDeletedAt);
        Assert.Null((await store.GetAsync(recent.Id, None))!.FilesDeletedAt);
    }

    // ---- finishing ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Complete_stores_outputs_and_cost_and_ends_the_lease()
    {
        var store = await CreateStoreAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.True(await store.ScheduleRetryAsync(job.Id, "node-1", new JobError("Timeout", "slow"), T0, T0, None));
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));

        var done = T0.AddSeconds(42);
        Assert.True(await store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs(), 1_234_567, done, None));

        var stored = (await store.GetAsync(job.Id, None))!;
        Assert.Equal(JobStatus.Succeeded, stored.Status);
        Assert.Equal(JobSamples.Outputs(), stored.Outputs);
        Assert.Equal(1_234_567, stored.CostMicros);
        Assert.Equal(done, stored.FinishedAt);
        Assert.Equal(done, stored.UpdatedAt);
        Assert.Null(stored.LeaseOwner);
        Assert.Null(stored.LeaseUntil);
        Assert.Null(stored.Error);
        Assert.True(stored.IsTerminal);
    }

    [Fact]
    public async Task CompleteMany_completes_only_the_jobs_their_owner_still_holds()
    {
        var store = await CreateStoreAsync();
        var held = NewJob(createdAt: T0);
        var alsoHeld = NewJob(createdAt: T0.AddMilliseconds(1));
        var lost = NewJob(createdAt: T0.AddMilliseconds(2));
        var finished = NewJob(createdAt: T0.AddMilliseconds(3));
        foreach (var job in new[] { held, alsoHeld, lost, finished })
        {
            await store.CreateAsync(job, None);
        }

        Assert.Equal(4, (await store.ClaimAsync("node-1", 4, T0, Lease, None)).Count);
        Assert.True(await store.FailAsync(finished.Id, "node-1", JobStatus.Failed, new JobError("InvalidParameter", "bad"), T0, None));
        Assert.True(await store.ScheduleRetryAsync(lost.Id, "node-1", new JobError("Timeout", "slow"), T0, T0, None));
        Assert.Equal(lost.Id, Assert.Single(await store.ClaimAsync("node-2", 1, T0.AddSeconds(1), Lease, None)).Id);

        var done = T0.AddSeconds(42);
        var completed = await store.CompleteManyAsync(
            [
                new JobCompletion(held.Id, "node-1", JobSamples.Outputs(), 100),
                new JobCompletion(alsoHeld.Id, "node-1", JobSamples.Outputs(), 200),
                new JobCompletion(lost.Id, "node-1", JobSamples.Outputs(), 300),
                new JobCompletion(finished.Id, "node-1", JobSamples.Outputs(), 400),
            ],
            done,
            None);

        Assert.Equal(new[] { held.Id, alsoHeld.Id }.Order(), completed.Order());
        Assert.Equal((JobStatus.Succeeded, 100L), ((await store.GetAsync(held.Id, None))!.Status, (await store.GetAsync(held.Id, None))!.CostMicros!.Value));
        Assert.Equal(200, (await store.GetAsync(alsoHeld.Id, None))!.CostMicros);
        Assert.Equal(done, (await store.GetAsync(alsoHeld.Id, None))!.FinishedAt);
        Assert.Equal(JobStatus.Running, (await store.GetAsync(lost.Id, None))!.Status);
        Assert.Equal(JobStatus.Failed, (await store.GetAsync(finished.Id, None))!.Status);
        Assert.Empty(await store.CompleteManyAsync([], done, None));
    }

    [Theory]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Expired)]
    public async Task Fail_records_the_status_and_error(JobStatus status)
    {
        var store = await CreateStoreAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));

        var error = new JobError("InputTextSensitiveContentDetected", "no", "prompt");
        Assert.True(await store.FailAsync(job.Id, "node-1", status, error, T0.AddSeconds(3), None));

        var stored = (await store.GetAsync(job.Id, None))!;
        Assert.Equal(status, stored.Status);
        Assert.Equal(error, stored.Error);
        Assert.Equal(T0.AddSeconds(3), stored.FinishedAt);
        Assert.Null(stored.LeaseOwner);
        Assert.Null(stored.Outputs);
        Assert.Null(stored.CostMicros);
    }

    [Theory]
    [InlineData(JobStatus.Queued)]
    [InlineData(JobStatus.Running)]
    [InlineData(JobStatus.Succeeded)]
    [InlineData(JobStatus.Cancelled)]
    public async Task Fail_refuses_statuses_that_are_not_failures(JobStatus status)
    {
        var store = await CreateStoreAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));

        await Assert.ThrowsAnyAsync<ArgumentException>(
            () => store.FailAsync(job.Id, "node-1", status, new JobError("X", "x"), T0, None));
        Assert.Equal(JobStatus.Running, (await store.GetAsync(job.Id, None))!.Status);
    }

    [Fact]
    public async Task Terminal_jobs_never_change_again()
    {
        var store = await CreateStoreAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.True(await store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs(), 7, T0.AddSeconds(1), None));
        var done = await store.GetAsync(job.Id, None);

        var later = T0.AddDays(30);
        var error = new JobError("X", "x");
        Assert.False(await store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs() with { Tokens = 1 }, 8, later, None));
        Assert.False(await store.FailAsync(job.Id, "node-1", JobStatus.Failed, error, later, None));
        Assert.False(await store.FailAsync(job.Id, "node-1", JobStatus.Expired, error, later, None));
        Assert.False(await store.ScheduleRetryAsync(job.Id, "node-1", error, later, later, None));
        Assert.False(await store.RenewLeaseAsync(job.Id, "node-1", later, None));
        Assert.False(await store.CheckpointAsync(job.Id, "node-1", new EngineCheckpoint("submitted", "late"), later, None));
        Assert.False(await store.CancelQueuedAsync("acct-a", job.Id, later, None));
        Assert.Empty(await store.ClaimAsync("node-2", 5, T0.AddSeconds(2), Lease, None));
        Assert.Empty(await store.ExpireDueAsync(later, None));
        Assert.Equal(0, await store.ReleaseLeasesAsync("node-1", later, None));

        AssertSameJob(done!, await store.GetAsync(job.Id, None));
    }

    [Fact]
    public async Task Failed_and_expired_jobs_never_change_again()
    {
        var store = await CreateStoreAsync();
        var failed = NewJob(createdAt: T0, priority: 1);
        var expired = NewJob(createdAt: T0, expiresAfter: TimeSpan.FromHours(1));
        await store.CreateAsync(failed, None);
        await store.CreateAsync(expired, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.True(await store.FailAsync(failed.Id, "node-1", JobStatus.Failed, new JobError("X", "x"), T0, None));
        Assert.Equal([expired.Id], await store.ExpireDueAsync(T0.AddHours(1), None));

        var later = T0.AddHours(2);
        foreach (var id in new[] { failed.Id, expired.Id })
        {
            var before = await store.GetAsync(id, None);
            Assert.False(await store.CompleteAsync(id, "node-1", JobSamples.Outputs(), 1, later, None));
            Assert.False(await store.CancelQueuedAsync("acct-a", id, later, None));
            AssertSameJob(before!, await store.GetAsync(id, None));
        }

        Assert.Empty(await store.ClaimAsync("node-2", 5, later, Lease, None));
    }

    // ---- cancel and delete ----------------------------------------------------------------------------------

    [Fact]
    public async Task Cancel_moves_only_the_accounts_queued_job()
    {
        var store = await CreateStoreAsync();
        var running = NewJob(createdAt: T0);
        var queued = NewJob(createdAt: T0.AddSeconds(1));
        await store.CreateAsync(running, None);
        await store.CreateAsync(queued, None);
        Assert.Equal(running.Id, Assert.Single(await store.ClaimAsync("node-1", 1, T0.AddSeconds(1), Lease, None)).Id);

        var now = T0.AddMinutes(1);
        Assert.False(await store.CancelQueuedAsync("acct-b", queued.Id, now, None));
        Assert.True(await store.CancelQueuedAsync("acct-a", queued.Id, now, None));
        Assert.False(await store.CancelQueuedAsync("acct-a", queued.Id, now, None));
        Assert.False(await store.CancelQueuedAsync("acct-a", "cgt-20260101000000-missing0", now, None));

        var cancelled = (await store.GetAsync(queued.Id, None))!;
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Equal(now, cancelled.FinishedAt);
        Assert.Equal(now, cancelled.UpdatedAt);

        // A running job cannot be cancelled (as on Ark), and a cancelled one is never claimed.
        Assert.False(await store.CancelQueuedAsync("acct-a", running.Id, now, None));
        Assert.Equal(JobStatus.Running, (await store.GetAsync(running.Id, None))!.Status);
        Assert.Empty(await store.ClaimAsync("node-2", 10, now, Lease, None));
        Assert.Equal(JobStatus.Cancelled, (await store.GetAsync(queued.Id, None))!.Status);
    }

    [Fact]
    public async Task Delete_removes_only_the_accounts_succeeded_failed_or_expired_job()
    {
        var store = await CreateStoreAsync();
        var jobs = new Dictionary<JobStatus, Job>();
        foreach (var status in Enum.GetValues<JobStatus>())
        {
            jobs[status] = NewJob() with { Status = status };
            await store.CreateAsync(jobs[status], None);
        }

        foreach (var job in jobs.Values)
        {
            Assert.False(await store.DeleteTerminalAsync("acct-b", job.Id, None));
        }

        foreach (var status in new[] { JobStatus.Queued, JobStatus.Running, JobStatus.Cancelled })
        {
            Assert.False(await store.DeleteTerminalAsync("acct-a", jobs[status].Id, None));
            Assert.NotNull(await store.GetAsync(jobs[status].Id, None));
        }

        foreach (var status in new[] { JobStatus.Succeeded, JobStatus.Failed, JobStatus.Expired })
        {
            Assert.True(await store.DeleteTerminalAsync("acct-a", jobs[status].Id, None));
            Assert.Null(await store.GetAsync(jobs[status].Id, None));
            Assert.False(await store.DeleteTerminalAsync("acct-a", jobs[status].Id, None));
        }

        Assert.Equal(3, (await store.ListAsync(new JobQuery("acct-a"), None)).Total);
    }

    // ---- expiry ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task Expire_takes_due_queued_jobs_and_running_jobs_without_a_live_lease()
    {
        var store = await CreateStoreAsync();
        var due = T0.AddHours(1);
        var untilDue = due - T0;

        var lapsedLease = NewJob(createdAt: T0, expiresAfter: untilDue);
        await store.CreateAsync(lapsedLease, None);
        Assert.Single(await store.ClaimAsync("node-dead", 1, T0, Lease, None));

        var waitingRetry = NewJob(createdAt: T0, expiresAfter: untilDue);
        await store.CreateAsync(waitingRetry, None);
        Assert.Single(await store.ClaimAsync("node-r", 1, T0, Lease, None));
        Assert.True(await store.ScheduleRetryAsync(waitingRetry.Id, "node-r", new JobError("Timeout", "t"), due.AddMinutes(10), T0, None));

        // Highest priority, so that this claim takes it rather than the lapsed one.
        var liveLease = NewJob(createdAt: T0, priority: 9, expiresAfter: untilDue);
        await store.CreateAsync(liveLease, None);
        Assert.Equal(liveLease.Id, Assert.Single(await store.ClaimAsync("node-live", 1, due.AddMinutes(-1), Lease, None)).Id);

        var queuedDue = NewJob(createdAt: T0, expiresAfter: untilDue);
        var queuedLater = NewJob(createdAt: T0, expiresAfter: untilDue + TimeSpan.FromHours(1));
        await store.CreateAsync(queuedDue, None);
        await store.CreateAsync(queuedLater, None);

        Assert.Empty(await store.ExpireDueAsync(due.AddMilliseconds(-1), None));
        var expired = await store.ExpireDueAsync(due, None);
        Assert.Equal(
            new[] { lapsedLease.Id, waitingRetry.Id, queuedDue.Id }.Order(StringComparer.Ordinal),
            expired.Order(StringComparer.Ordinal));

        foreach (var id in expired)
        {
            var job = (await store.GetAsync(id, None))!;
            Assert.Equal(JobStatus.Expired, job.Status);
            Assert.Equal(due, job.FinishedAt);
            Assert.Null(job.LeaseOwner);
        }

        Assert.False(await store.CompleteAsync(lapsedLease.Id, "node-dead", JobSamples.Outputs(), 1, due, None));
        var live = (await store.GetAsync(liveLease.Id, None))!;
        Assert.Equal(JobStatus.Running, live.Status);
        Assert.Equal("node-live", live.LeaseOwner);
        Assert.Equal(JobStatus.Queued, (await store.GetAsync(queuedLater.Id, None))!.Status);

        // Its worker expires it, or, once its lease lapses too, the sweep does.
        Assert.Empty(await store.ExpireDueAsync(due.AddMinutes(1), None));
        Assert.Equal([liveLease.Id], await store.ExpireDueAsync(due.AddMinutes(4), None));
        Assert.Equal(queuedLater.Id, Assert.Single(await store.ClaimAsync("node-2", 10, due.AddMinutes(4), Lease, None)).Id);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    [Fact]
    public async Task CreateMany_inserts_all_the_jobs_or_none()
    {
        var store = await CreateStoreAsync();
        var existing = NewJob();
        await store.CreateAsync(existing, CancellationToken.None);
        var good = Enumerable.Range(0, 5).Select(_ => NewJob()).ToList();
        var doomed = Enumerable.Range(0, 3).Select(_ => NewJob()).Append(existing).ToList();

        await store.CreateManyAsync(good, CancellationToken.None);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => store.CreateManyAsync(doomed, CancellationToken.None));

        foreach (var job in good)
        {
            Assert.NotNull(await store.GetAsync(job.Id, CancellationToken.None));
        }

        foreach (var job in doomed.Take(3))
        {
            Assert.Null(await store.GetAsync(job.Id, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Concurrent_writes_where_some_fail_store_all_the_others()
    {
        // SQLite commits concurrent writes together (group commit): a failing one must not take the others down.
        var store = await CreateStoreAsync();
        var existing = NewJob();
        await store.CreateAsync(existing, CancellationToken.None);
        var jobs = Enumerable.Range(0, 60).Select(i => i % 3 == 0 ? existing : NewJob()).ToList();

        var stored = await Task.WhenAll(jobs.Select(async job =>
        {
            try
            {
                await store.CreateAsync(job, CancellationToken.None);
                return true;
            }
            catch (System.Data.Common.DbException)
            {
                return false;
            }
        }));

        Assert.Equal(jobs.Select(j => j.Id != existing.Id), stored);
        foreach (var job in jobs.Where(j => j.Id != existing.Id))
        {
            Assert.NotNull(await store.GetAsync(job.Id, CancellationToken.None));
        }
    }

    protected static Job NewJob(
        string accountId = "acct-a",
        DateTimeOffset? createdAt = null,
        int priority = 0,
        string model = "seedance-2.0-fast",
        string? requestedModel = null,
        TimeSpan? expiresAfter = null)
    {
        var created = createdAt ?? T0;
        return new Job
        {
            Id = JobIds.New(created),
            AccountId = accountId,
            Status = JobStatus.Queued,
            Request = new GenerationRequest { Model = model, Prompt = "a red fox in snow", Priority = priority },
            RequestedModel = requestedModel ?? model,
            CreatedAt = created,
            UpdatedAt = created,
            ExpiresAt = created + (expiresAfter ?? TimeSpan.FromHours(48)),
            Engine = "sandbox",
        };
    }

    /// <summary>A job with every field set (as a succeeded job, so that nothing contradicts).</summary>
    protected static Job FullJob() => NewJob() with
    {
        Status = JobStatus.Succeeded,
        Request = JobSamples.FullRequest(),
        RequestedModel = "dreamina-seedance-2-0-pro",
        CorrelationId = "corr-123",
        UpdatedAt = T0.AddMinutes(3),
        StartedAt = T0.AddMinutes(1),
        FinishedAt = T0.AddMinutes(3),
        Attempts = 2,
        Lapses = 1,
        Checkpoint = "submitted",
        FilesDeletedAt = T0.AddDays(8),
        Segments = [new JobSegment(0, JobSamples.Outputs(), 420_000, T0.AddMinutes(1))],
        TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        Dialect = JobDialects.SeedanceV1,
        Idempotency = new JobIdempotency("key-1", "fingerprint-1"),
        LeaseOwner = "node-9",
        LeaseUntil = T0.AddMinutes(8),
        Engine = "ark",
        UpstreamTaskId = "cgt-upstream-1",
        Outputs = JobSamples.Outputs(),
        Error = new JobError("ServiceUnavailable", "once", "model"),
        CostMicros = 2_420_000,
    };

    /// <summary>Equal by value, including the request (whose lists records compare by reference).</summary>
    protected static void AssertSameJob(Job expected, Job? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(JobJson.Serialize(expected.Request), JobJson.Serialize(actual.Request));
        Assert.Equal(expected.Request.References, actual.Request.References);
        Assert.Equal(expected.Segments, actual.Segments);
        Assert.Equal(expected with { Request = actual.Request, Segments = actual.Segments }, actual);
    }

    private static string[] Ids(IEnumerable<Job> jobs) => jobs.Select(j => j.Id).ToArray();
}
