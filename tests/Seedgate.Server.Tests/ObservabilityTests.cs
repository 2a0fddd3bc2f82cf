using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Seedgate.Core.Telemetry;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>
/// What an operator watches (issue 11, server side): /metrics in Prometheus' format counting finished jobs, /readyz
/// answering for the store, the blob store and ffmpeg, and one trace from the create to the finished job's step.
/// </summary>
public sealed class ObservabilityTests
{
    private const string Tasks = "/api/v3/contents/generations/tasks";

    private static object TinyTask(string prompt) => new
    {
        model = "seedance-2.0-fast",
        content = new object[] { new { type = "text", text = prompt } },
        resolution = "480p",
        duration = 4,
        generate_audio = false,
    };

    [Fact]
    public async Task Metrics_count_a_finished_job_by_status_model_and_account_and_need_the_admin_key()
    {
        await using var gateway = await Gateway.StartAsync();
        var account = "obs-" + Guid.NewGuid().ToString("n")[..8];
        using var tenant = await gateway.AddTenantAsync(account);
        var (status, created) = await gateway.PostAsync(Tasks, TinyTask("a lighthouse counted"), tenant);
        Assert.True(status == 200, created.ToJsonString());
        Assert.Equal("succeeded", (string?)(await gateway.WaitArkAsync((string)created["id"]!, tenant))["status"]);

        using (var anonymous = gateway.Client(null))
        using (var refused = await anonymous.GetAsync("/metrics"))
        {
            Assert.Equal(401, (int)refused.StatusCode); // an admin key is configured: the scrape needs it
        }

        var metrics = await gateway.Admin.GetStringAsync("/metrics");
        var line = metrics.Split('\n').SingleOrDefault(l => l.StartsWith("seedgate_jobs_finished_total{", StringComparison.Ordinal) && l.Contains($"seedgate_account=\"{account}\"", StringComparison.Ordinal));
        Assert.True(line is not null, metrics);
        Assert.Contains("seedgate_status=\"succeeded\"", line, StringComparison.Ordinal);
        Assert.Contains("seedgate_model=\"seedance-2.0-fast\"", line, StringComparison.Ordinal);
        Assert.Equal("1", line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0]); // name{labels} value [timestamp]
        Assert.Contains("seedgate_job_step_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
        Assert.Contains($"seedgate_job_queue_wait_seconds_count{{otel_scope_name=\"Seedgate\",seedgate_account=\"{account}\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_answers_for_the_store_the_blob_store_and_ffmpeg()
    {
        await using (var ready = await Gateway.StartAsync())
        {
            var (status, body) = await ready.GetAsync("/readyz", ready.Client(null));
            Assert.Equal(200, status);
            Assert.Equal("""{"status":"ready","checks":{"store":"ok","blobs":"ok","ffmpeg":"ok"}}""", body.ToJsonString());
        }

        await using var broken = await Gateway.StartAsync("--Seedgate:Ffmpeg:FfmpegPath=/nonexistent/ffmpeg");
        var (brokenStatus, brokenBody) = await broken.GetAsync("/readyz", broken.Client(null));
        Assert.Equal(503, brokenStatus);
        Assert.Equal("not_ready", (string?)brokenBody["status"]);
        Assert.Equal(("ok", "ok"), ((string?)brokenBody["checks"]!["store"], (string?)brokenBody["checks"]!["blobs"]));
        Assert.Contains("ffmpeg", (string?)brokenBody["checks"]!["ffmpeg"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_trace_runs_from_the_create_to_the_jobs_step()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is SeedgateTelemetry.Name or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await using var gateway = await Gateway.StartAsync();
        var traceId = ActivityTraceId.CreateRandom();

        using var request = new HttpRequestMessage(HttpMethod.Post, Tasks) { Content = System.Net.Http.Json.JsonContent.Create(TinyTask("a traced harbour")) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await gateway.Http.SendAsync(request);
        var id = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!;
        Assert.Equal("succeeded", (string?)(await gateway.WaitArkAsync(id))["status"]);

        var mine = spans.Where(s => (string?)s.GetTagItem(SeedgateTelemetry.JobIdTag) == id).ToList();
        var submit = Assert.Single(mine, s => s.OperationName == "seedgate.submit");
        var step = Assert.Single(mine, s => s.OperationName == "seedgate.job.step");
        Assert.Equal((traceId, traceId), (submit.TraceId, step.TraceId)); // the caller's trace, on the dispatcher too
        Assert.Equal(submit.SpanId, step.ParentSpanId);
        var claim = Assert.Single(mine, s => s.OperationName == "seedgate.job.claim");
        Assert.Equal((traceId, submit.SpanId), (claim.TraceId, claim.ParentSpanId));
        Assert.True(claim.StartTimeUtc <= step.StartTimeUtc, "claimed, then run");
        var complete = Assert.Single(mine, s => s.OperationName == "seedgate.job.complete");
        Assert.Equal(step.SpanId, complete.ParentSpanId); // storing the outputs and the completion, inside the step
        Assert.Equal("completed", (string?)step.GetTagItem("seedgate.outcome"));
    }

    [Fact]
    public async Task Readyz_asks_each_upstream_account_and_says_which_refuses_its_key()
    {
        await using var rig = await Upstream.UpstreamRig.StartAsync(new Seedgate.Server.Simulator.SimulatorOptions { LatencyMs = 300 });
        var (status, body) = await rig.Gateway.GetAsync("/readyz", rig.Gateway.Client(null));
        Assert.Equal(200, status);
        Assert.Equal("ok", (string?)body["checks"]!["upstream"]);

        var wrongKey = await rig.AddNodeAsync("--SIM_UPSTREAM_KEY=sim-wrong-key-0000000000");
        var (refusedStatus, refused) = await wrongKey.GetAsync("/readyz", wrongKey.Client(null));
        Assert.Equal(503, refusedStatus);
        Assert.Equal("not_ready", (string?)refused["status"]);
        Assert.StartsWith("sim0 refuses the API key (401", (string?)refused["checks"]!["upstream"], StringComparison.Ordinal);
    }
}
