using Seedgate.Core.Accounts;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Upstream;

namespace Seedgate.Core.Tests.Storage;

/// <summary>
/// The upstream-aware claim on every SQL provider: an upstream account never has more tasks in flight than its limit,
/// whatever the nodes race; a job that holds its slot resumes whatever the room; a task that ended frees its slot at
/// once; scarce slots go round the accounts (by weight) before any account gets a second; local (sandbox) jobs are
/// claimed into their own capacity, untouched by upstream slots.
/// </summary>
public abstract class UpstreamClaimCompliance
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly ClaimCapacity UpstreamOnly = new(0, 16);

    private protected abstract Task<ISqlDatabase> OpenDatabaseAsync();

    [Fact]
    public async Task Slots_go_round_the_accounts_and_a_finished_task_frees_its_slot_at_once()
    {
        var (store, tasks, plans, lanes) = await OpenAsync(tasksInFlight: 3);
        var jobs = new Dictionary<string, Job[]>();
        foreach (var (account, i) in new[] { "acct-a", "acct-b", "acct-c", "acct-d" }.Select((a, i) => (a, i)))
        {
            jobs[account] = [.. Enumerable.Range(0, 4).Select(n => Upstream(account, T0.AddSeconds((i * 10) + n)))];
        }

        await store.CreateManyAsync([.. jobs.Values.SelectMany(j => j)], None);

        // acct-a submitted first, yet the three slots go to three accounts.
        var first = await store.ClaimAsync("node-1", UpstreamOnly, T0.AddMinutes(1), Lease, plans, lanes, None);
        Assert.Equal([jobs["acct-a"][0].Id, jobs["acct-b"][0].Id, jobs["acct-c"][0].Id], first.Select(j => j.Id));
        Assert.Empty(await store.ClaimAsync("node-1", UpstreamOnly, T0.AddMinutes(1), Lease, plans, lanes, None));
        Assert.Equal(3, (await tasks.InFlightAsync(None))["sim"]);

        // acct-a's task ends: its slot is free, and it goes to acct-d, which has none; acct-a's job resumes to collect.
        var a0 = jobs["acct-a"][0];
        Assert.True(await tasks.SubmittedAsync(a0.Id, "node-1", new EngineCheckpoint("submitted", "task-a0"), T0.AddMinutes(1), None));
        Assert.True(await store.WaitAsync(a0.Id, "node-1", new EngineCheckpoint("submitted"), T0.AddHours(1), T0.AddMinutes(1), None));
        Assert.True(await tasks.ObservedAsync(a0.Id, "task-a0", "{\"id\":\"task-a0\"}", T0.AddMinutes(2), None));
        var second = await store.ClaimAsync("node-1", UpstreamOnly, T0.AddMinutes(2), Lease, plans, lanes, None);
        Assert.Equal([a0.Id, jobs["acct-d"][0].Id], second.Select(j => j.Id));
        Assert.Equal("done", (await tasks.GetAsync(a0.Id, None))!.State);

        // The job ends: its row goes with it.
        Assert.True(await store.CompleteAsync(a0.Id, "node-1", JobSamples.Outputs(), 60_000, T0.AddMinutes(3), None));
        Assert.Null(await tasks.GetAsync(a0.Id, None));
    }

    [Fact]
    public async Task A_refused_create_gives_the_slot_back_and_a_waiting_job_keeps_its_own()
    {
        var (store, tasks, plans, lanes) = await OpenAsync(tasksInFlight: 1);
        var first = Upstream("acct-a", T0);
        var second = Upstream("acct-b", T0.AddSeconds(1));
        await store.CreateManyAsync([first, second], None);
        Assert.Equal([first.Id], (await store.ClaimAsync("node-1", UpstreamOnly, T0, Lease, plans, lanes, None)).Select(j => j.Id));

        // Waiting on its task, the job holds the only slot: nothing else starts, and it resumes at its time.
        Assert.True(await tasks.SubmittedAsync(first.Id, "node-1", new EngineCheckpoint("submitted", "t-1"), T0, None));
        Assert.True(await store.WaitAsync(first.Id, "node-1", new EngineCheckpoint("submitted"), T0.AddSeconds(30), T0, None));
        Assert.Empty(await store.ClaimAsync("node-1", UpstreamOnly, T0.AddSeconds(10), Lease, plans, lanes, None));
        Assert.Equal([first.Id], (await store.ClaimAsync("node-2", UpstreamOnly, T0.AddSeconds(31), Lease, plans, lanes, None)).Select(j => j.Id));

        // Refused (e.g. 503): the slot goes back, the other account's job starts.
        Assert.True(await tasks.ReleaseAsync(first.Id, "node-2", T0.AddSeconds(32), None));
        Assert.Equal([second.Id], (await store.ClaimAsync("node-1", UpstreamOnly, T0.AddSeconds(32), Lease, plans, lanes, None)).Select(j => j.Id));
    }

    [Fact]
    public async Task A_heavier_plan_gets_slots_in_proportion_to_its_weight()
    {
        var plans = new Plans(new Dictionary<string, Plan>
        {
            [Plans.DefaultName] = new Plan { MaxInProgress = 100 },
            ["heavy"] = new Plan { MaxInProgress = 100, Weight = 2 },
        });
        var (store, _, _, lanes) = await OpenAsync(tasksInFlight: 6, plans);
        var accounts = new SqlAccountStore(_database!);
        Assert.True(await accounts.CreateAccountAsync(new Account("acct-heavy", "Heavy", "heavy", "{}", T0, T0), None));
        await store.CreateManyAsync(
            [.. Enumerable.Range(0, 6).SelectMany(n => new[] { Upstream("acct-heavy", T0.AddSeconds(n)), Upstream("acct-light", T0.AddSeconds(n)) })], None);

        var claimed = await store.ClaimAsync("node-1", UpstreamOnly, T0.AddMinutes(1), Lease, plans, lanes, None);
        Assert.Equal(4, claimed.Count(j => j.AccountId == "acct-heavy"));
        Assert.Equal(2, claimed.Count(j => j.AccountId == "acct-light"));
    }

    [Fact]
    public async Task Four_racing_nodes_never_put_more_tasks_in_flight_than_the_limit()
    {
        var (store, tasks, plans, lanes) = await OpenAsync(tasksInFlight: 3);
        await store.CreateManyAsync([.. Enumerable.Range(0, 40).Select(i => Upstream($"acct-{i % 5}", T0.AddMilliseconds(i)))], None);
        var nodes = new List<SqlJobStore>();
        for (var i = 0; i < 4; i++)
        {
            nodes.Add((await OpenAsync(tasksInFlight: 3)).Store);
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racing = nodes.Select((node, i) => Task.Run(async () =>
        {
            await start.Task;
            var taken = 0;
            for (var round = 0; round < 5; round++)
            {
                taken += (await node.ClaimAsync($"node-{i}", UpstreamOnly, T0.AddMinutes(1), Lease, plans, lanes, None)).Count;
            }

            return taken;
        })).ToArray();
        start.SetResult();
        Assert.Equal(3, (await Task.WhenAll(racing)).Sum());
        Assert.Equal(3, (await tasks.InFlightAsync(None))["sim"]);
    }

    [Fact]
    public async Task Local_jobs_are_claimed_into_their_own_capacity()
    {
        var (store, _, plans, lanes) = await OpenAsync(tasksInFlight: 1);
        var sandbox = JobSamples.QueuedJob("acct-a", T0);
        var upstream = new[] { Upstream("acct-a", T0.AddSeconds(1)), Upstream("acct-b", T0.AddSeconds(2)) };
        await store.CreateManyAsync([sandbox, .. upstream], None);

        var claimed = await store.ClaimAsync("node-1", new ClaimCapacity(4, 4), T0.AddMinutes(1), Lease, plans, lanes, None);
        Assert.Equal([sandbox.Id, upstream[0].Id], claimed.Select(j => j.Id));
    }

    private ISqlDatabase? _database;

    private async Task<(SqlJobStore Store, UpstreamTaskStore Tasks, Plans Plans, UpstreamLanes Lanes)> OpenAsync(int tasksInFlight, Plans? plans = null)
    {
        var database = await OpenDatabaseAsync();
        _database ??= database;
        plans ??= new Plans(new Dictionary<string, Plan> { [Plans.DefaultName] = new Plan { MaxInProgress = 100 } });
        var lanes = new UpstreamLanes(
        [
            new UpstreamLane("sim", new Uri("http://127.0.0.1:1/api/v3/"), "key", 2, tasksInFlight, 0,
                new Dictionary<string, string> { ["seedance-2.0-fast"] = "dreamina-seedance-2-0-fast-260128" }, TimeSpan.FromSeconds(5)),
        ]);
        return (new SqlJobStore(database, [new UpstreamTaskRows()]), new UpstreamTaskStore(database), plans, lanes);
    }

    private static Job Upstream(string accountId, DateTimeOffset createdAt) => JobSamples.QueuedJob(accountId, createdAt) with { Engine = UpstreamKinds.Ark };
}
