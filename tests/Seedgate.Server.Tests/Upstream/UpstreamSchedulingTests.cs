using Seedgate.Server.Simulator;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests.Upstream;

/// <summary>
/// The scheduler against an upstream that refuses what is over its limits (the seeds: 2 requests/s, 3 tasks in flight):
/// jobs submitted at once by several accounts all succeed without one 429 from the upstream, never more than its
/// tasks in flight, on one node and on two nodes sharing the account (one PostgreSQL database).
/// </summary>
public sealed class UpstreamSchedulingTests
{
    private static readonly SimulatorOptions Seeds = new() { Qps = 2, MaxInFlight = 3, LatencyMs = 1000 };

    [Fact]
    public async Task Jobs_of_several_accounts_never_exceed_the_upstream_limits()
    {
        await using var rig = await UpstreamRig.StartAsync([Seeds], callbacks: true, tasksInFlight: 3, requestsPerSecond: 2);
        await RunAsync(rig, [rig.Gateway]);
    }

    [Fact]
    public async Task Two_nodes_sharing_one_upstream_account_never_exceed_its_limits_together()
    {
        await using var database = await ClusterDatabase.CreateAsync();
        var cluster = $"--Seedgate:Storage:Postgres={database.ConnectionString}";
        await using var rig = await UpstreamRig.StartAsync([Seeds], callbacks: true, tasksInFlight: 3, requestsPerSecond: 2, cluster, "--Seedgate:NodeId=node-a");
        var second = await rig.AddNodeAsync(cluster, "--Seedgate:NodeId=node-b");
        await RunAsync(rig, [rig.Gateway, second]);
    }

    [Fact]
    public async Task A_queued_task_says_its_place_in_the_fair_order_and_when_it_should_start()
    {
        await using var rig = await UpstreamRig.StartAsync([new SimulatorOptions { LatencyMs = 4000 }], tasksInFlight: 1);
        using var other = await KeyedClientAsync(rig.Gateway, "acct-b");
        var a = new[] { await rig.SubmitAsync("a one"), await rig.SubmitAsync("a two"), await rig.SubmitAsync("a three") };
        var b = await rig.SubmitAsync("b one", other);
        for (var i = 0; i < 100 && (string?)(await rig.Gateway.GetAsync($"{UpstreamRig.Tasks}/{a[0]}")).Body["status"] != "running"; i++)
        {
            await Task.Delay(50);
        }

        // a one holds the only slot; the slots go round: b one next, then a two, then a three.
        var (_, bView) = await rig.Gateway.GetAsync($"{UpstreamRig.Tasks}/{b}", other);
        var (_, lastView) = await rig.Gateway.GetAsync($"{UpstreamRig.Tasks}/{a[2]}");
        Assert.Equal(1, (int?)bView["queue_position"]);
        Assert.Equal(3, (int?)lastView["queue_position"]);
        Assert.True((long)lastView["estimated_start_at"]! > (long)bView["estimated_start_at"]!);
        Assert.Null((await rig.Gateway.GetAsync($"{UpstreamRig.Tasks}/{a[0]}")).Body["queue_position"]); // running

        // The console's job list says the same places.
        var places = (await rig.Gateway.GetAsync("/console/api/jobs")).Body["items"]!.AsArray()
            .ToDictionary(j => (string)j!["id"]!, j => (int?)j!["queue_place"]?["position"]);
        Assert.Equal([3, 2, null], [places[a[2]], places[a[1]], places[a[0]]]);

        // The SDK reads both.
        using var http = new HttpClient(new SocketsHttpHandler());
        var sdk = new Seedgate.Client.SeedgateClient(http, new() { BaseAddress = rig.Gateway.BaseAddress, ApiKey = Gateway.Key });
        var viewed = await sdk.GetTaskAsync(a[2]);
        Assert.True(viewed.QueuePosition >= 2, $"a three is behind b one: {viewed.QueuePosition}");
        Assert.True(viewed.EstimatedStartAt?.ToUnixTimeSeconds() >= (long)bView["estimated_start_at"]!, $"{viewed.EstimatedStartAt}");
    }

    private static async Task<HttpClient> KeyedClientAsync(Gateway gateway, string account)
    {
        await gateway.PostAsync("/admin/v1/accounts", new { id = account, name = account }, gateway.Admin);
        var (_, key) = await gateway.PostAsync($"/admin/v1/accounts/{account}/keys", new { name = "test" }, gateway.Admin);
        return gateway.Client((string)key["key"]!);
    }

    private static async Task RunAsync(UpstreamRig rig, IReadOnlyList<Gateway> nodes)
    {
        var accounts = new[] { "acct-1", "acct-2", "acct-3" };
        var clients = new List<HttpClient>();
        foreach (var account in accounts)
        {
            var (_, created) = await rig.Gateway.PostAsync("/admin/v1/accounts", new { id = account, name = account }, rig.Gateway.Admin);
            var (_, key) = await rig.Gateway.PostAsync($"/admin/v1/accounts/{account}/keys", new { name = "test" }, rig.Gateway.Admin);
            Assert.NotNull(created["id"]);
            clients.AddRange(nodes.Select(n => n.Client((string)key["key"]!)));
        }

        try
        {
            var ids = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => rig.SubmitAsync($"scheduled take {i}", clients[i % clients.Count])));
            foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            {
                var task = await rig.Gateway.WaitArkAsync(id, clients[i % clients.Count]);
                Assert.True((string?)task["status"] == "succeeded", task.ToJsonString());
            }

            var stats = rig.Simulator.Stats();
            Assert.Equal(12, stats.TasksCreated);
            Assert.Equal(0, stats.RateLimited);
            Assert.Equal(0, stats.QuotaRejected);
            Assert.InRange(stats.MaxInFlightSeen, 1, 3);
            Assert.Equal(0, stats.DuplicatePrompts);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}
