namespace Seedgate.Cli.Tests;

/// <summary>Three nodes on one PostgreSQL database and one S3 bucket behave as one gateway.</summary>
public sealed class ClusterTests
{
    [Fact]
    public async Task HundredJobs_SubmittedRoundRobin_EachRunExactlyOnce_SpreadOverNodes()
    {
        await using var cluster = await Cluster.StartAsync([], [], []);
        var nodes = cluster.Nodes;

        var ids = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => nodes[i % 3].SubmitAsync(Cluster.InstantModel, $"job {i}")));
        var tasks = await Task.WhenAll(ids.Select((id, i) => nodes[(i + 1) % 3].WaitAsync(id)));

        Assert.All(tasks, t => Assert.Equal("succeeded", (string?)t["status"]));
        var runs = cluster.Runs();
        Assert.Equal(100, runs.Count);
        Assert.Equal(ids.Order(), runs.Select(r => r.JobId).Order());
        Assert.True(runs.Select(r => r.NodeId).Distinct().Count() >= 2, "the work should spread over the nodes");
    }

    [Fact]
    public async Task ANodeKilledMidRun_ItsJobFinishesOnAnother_AndNothingIsLost()
    {
        // One render slot per node, three renders: each node takes one.
        string[] oneSlot = ["--Seedgate:Dispatch:ConcurrentJobs=1"];
        await using var cluster = await Cluster.StartAsync(oneSlot, oneSlot, oneSlot);
        var nodes = cluster.Nodes;
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await nodes[i].SubmitAsync("seedance-2.0-fast", $"rain over a harbour, take {i}", duration: 15));
        }

        for (var i = 0; i < 200 && (await Task.WhenAll(ids.Select(id => nodes[1].GetAsync(id)))).Any(t => (string?)t["status"] != "running"); i++)
        {
            await Task.Delay(50);
        }

        nodes[0].Kill();

        foreach (var id in ids)
        {
            var task = await nodes[1 + (ids.IndexOf(id) % 2)].WaitAsync(id);
            Assert.Equal("succeeded", (string?)task["status"]);
            Assert.Equal(15, (int)task["duration"]!);
        }
    }

    [Fact]
    public async Task LongPollOnOneNode_WakesWhenAnotherNodeFinishes_AnyNodeServesTheVideo_ListsAndDeletesIt()
    {
        // Node 2 is API-only, so the job must run elsewhere.
        await using var cluster = await Cluster.StartAsync([], [], ["--Seedgate:Dispatch:Enabled=false"]);
        var nodes = cluster.Nodes;
        var id = await nodes[0].SubmitAsync("seedance-2.0-fast", "waves at dusk");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var task = await nodes[2].GetAsync(id, wait: 30);

        Assert.Equal("succeeded", (string?)task["status"]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"the long-poll took {clock.Elapsed}");
        var url = new Uri((string)task["content"]!["video_url"]!); // signed by node 2
        using var anonymous = new HttpClient(new SocketsHttpHandler());
        var bodies = new List<byte[]>();
        foreach (var node in nodes)
        {
            var onNode = new UriBuilder(url) { Port = node.Port }.Uri;
            using var response = await anonymous.GetAsync(onNode);
            Assert.True(response.IsSuccessStatusCode, $"node {node.Index}: {(int)response.StatusCode}");
            bodies.Add(await response.Content.ReadAsByteArrayAsync());
        }

        Assert.True(bodies[0].Length > 10_000);
        Assert.All(bodies, b => Assert.Equal(bodies[0], b));

        // Listed on another node, deleted there, gone everywhere (record and video).
        using var list = await nodes[1].Http.GetAsync($"/api/v3/contents/generations/tasks?filter.task_ids={id}");
        Assert.Contains(id, await list.Content.ReadAsStringAsync());
        using var delete = await nodes[1].Http.DeleteAsync($"/api/v3/contents/generations/tasks/{id}");
        Assert.True(delete.IsSuccessStatusCode);
        using var gone = await nodes[0].Http.GetAsync($"/api/v3/contents/generations/tasks/{id}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
        using var video = await anonymous.GetAsync(url);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, video.StatusCode);
    }

    [Fact]
    public async Task AKeyMadeAndRevokedWithTheCliOnOneNode_IsRefusedByAnotherWithinTwoSeconds()
    {
        await using var cluster = await Cluster.StartAsync(["--Seedgate:Dispatch:Enabled=false"], ["--Seedgate:Dispatch:Enabled=false"]);
        var nodes = cluster.Nodes;
        var onNode0 = new Dictionary<string, string> { ["SEEDGATE_URL"] = $"http://127.0.0.1:{nodes[0].Port}", ["SEEDGATE_ADMIN_KEY"] = Cluster.AdminKey };
        Assert.Equal(0, (await CliHarness.RunAsync(["accounts", "create", "--id", "acme", "--name", "Acme"], onNode0)).ExitCode);
        var created = await CliHarness.RunAsync(["keys", "create", "--account", "acme", "--name", "ci"], onNode0);
        Assert.True(created.ExitCode == 0, created.Error);
        var key = created.Out.Trim();
        var keyId = created.Error.Split(' ')[2];

        using var tenant = new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri($"http://127.0.0.1:{nodes[1].Port}") };
        tenant.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using (var before = await tenant.GetAsync("/v1/balance"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, before.StatusCode); // node 1 has the key in its cache now
        }

        var revoked = await CliHarness.RunAsync(["keys", "revoke", keyId], onNode0);
        Assert.True(revoked.ExitCode == 0, revoked.Error);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var status = await StatusAsync();
        while (status == System.Net.HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            await Task.Delay(20);
            status = await StatusAsync();
        }

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"refused after {clock.Elapsed}");

        async Task<System.Net.HttpStatusCode> StatusAsync()
        {
            using var response = await tenant.GetAsync("/v1/balance");
            return response.StatusCode;
        }
    }
}
