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
}
