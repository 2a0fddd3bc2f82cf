using Seedgate.Server.Simulator;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests.Upstream;

/// <summary>
/// Jobs served by an upstream Ark account, against the upstream simulator over real HTTP: success by polls and by
/// callbacks, every video copied into Seedgate's storage (and served after the upstream's URL died), faults retried
/// without ever creating one job's task twice, permanent failures never resubmitted, and the odd answers real
/// clients have met handled.
/// </summary>
public sealed class UpstreamEngineTests
{
    private static readonly SimulatorOptions Quick = new() { LatencyMs = 300 };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_job_succeeds_upstream_and_its_video_is_served_by_Seedgate_after_the_upstream_url_died(bool callbacks)
    {
        await using var rig = await UpstreamRig.StartAsync(Quick with { UrlTtlSeconds = 1 }, callbacks);
        var id = await rig.SubmitAsync("a red kite over dunes");

        var task = await rig.Gateway.WaitArkAsync(id);
        Assert.Equal("succeeded", (string?)task["status"]);
        Assert.Equal("seedance-2.0-fast", (string?)task["model"]);
        var stats = rig.Simulator.Stats();
        Assert.Equal(1, stats.TasksCreated);
        Assert.Equal(0, stats.DuplicatePrompts);
        if (callbacks)
        {
            Assert.True(stats.CallbacksSent > 0);
            Assert.Equal(0, stats.GetsServed + stats.ListsServed); // the callback told; nothing was polled
        }

        // The simulator's URL dies a second after the task ended; Seedgate's copy does not.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var probe = await Media.ProbeAsync(await rig.Gateway.DownloadAsync((string)task["content"]!["video_url"]!));
        Assert.Equal((864, 496), (probe.Width, probe.Height));
        Assert.InRange(probe.Duration, 3.9, 4.2);
    }

    [Fact]
    public async Task Errors_hangs_and_a_429_storm_are_retried_to_success_without_a_second_task_of_any_job()
    {
        await using var rig = await UpstreamRig.StartAsync(
            [Quick with { ErrorRate = 0.25, HangRate = 0.1, Qps = 3, RandomSeed = 7 }], requestsPerSecond: 50);
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add(await rig.SubmitAsync($"storm take {i}"));
        }

        foreach (var id in ids)
        {
            var task = await rig.Gateway.WaitArkAsync(id);
            Assert.True((string?)task["status"] == "succeeded", task.ToJsonString());
        }

        var stats = rig.Simulator.Stats();
        Assert.Equal(0, stats.DuplicatePrompts);
        Assert.Equal(8, stats.TasksCreated);
        Assert.True(stats.ErrorsSent > 0 && stats.RateLimited > 0, $"the faults happened: {stats}");
    }

    [Fact]
    public async Task A_content_policy_failure_fails_once_and_is_never_resubmitted()
    {
        await using var rig = await UpstreamRig.StartAsync(Quick with { PolicyWords = ["forbidden"] });
        var id = await rig.SubmitAsync("a forbidden scene");

        var task = await rig.Gateway.WaitArkAsync(id);
        Assert.Equal("failed", (string?)task["status"]);
        Assert.Equal("OutputVideoSensitiveContentDetected", (string?)task["error"]!["code"]);
        await Task.Delay(TimeSpan.FromSeconds(1)); // retries would come within this (test backoff 0.2 s)
        Assert.Equal(1, rig.Simulator.Stats().TasksCreated);
    }

    [Theory]
    [InlineData(SimulatorQuirks.RelayStatuses, "succeeded")]
    [InlineData(SimulatorQuirks.Transient404, "succeeded")]
    [InlineData(SimulatorQuirks.Complete500, "succeeded")]
    [InlineData(SimulatorQuirks.StringCounts, "succeeded")]
    [InlineData(SimulatorQuirks.FloatDuration, "succeeded")]
    [InlineData(SimulatorQuirks.NoVideo, "failed")]
    public async Task An_odd_answer_of_the_upstream_is_handled(string quirk, string expected)
    {
        await using var rig = await UpstreamRig.StartAsync(Quick with { Quirks = [quirk] });
        var id = await rig.SubmitAsync("a quirky take");

        var task = await rig.Gateway.WaitArkAsync(id);
        Assert.True((string?)task["status"] == expected, task.ToJsonString());
        Assert.Equal(1, rig.Simulator.Stats().TasksCreated);
        if (expected == "failed")
        {
            Assert.Null(task["cost"]); // a "success" without a video is never billed
        }
    }

    [Fact]
    public async Task A_failed_task_read_from_a_batched_list_with_failure_reason_fails_the_job()
    {
        await using var rig = await UpstreamRig.StartAsync(Quick with { Quirks = [SimulatorQuirks.FailureReason], PolicyWords = ["banned"] });
        var ids = new[] { await rig.SubmitAsync("banned one"), await rig.SubmitAsync("banned two") };
        foreach (var id in ids)
        {
            var task = await rig.Gateway.WaitArkAsync(id);
            Assert.Equal("OutputVideoSensitiveContentDetected", (string?)task["error"]!["code"]);
        }

        Assert.True(rig.Simulator.Stats().ListsServed > 0);
    }

    [Fact]
    public async Task An_overloaded_account_passes_its_jobs_to_the_next_one()
    {
        // The first account lets one task in at a time (another client fills it); Seedgate thinks it has three.
        await using var rig = await UpstreamRig.StartAsync([new SimulatorOptions { LatencyMs = 3000, MaxInFlight = 1 }, Quick], tasksInFlight: 3);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await rig.SubmitAsync($"failover take {i}"));
        }

        foreach (var id in ids)
        {
            Assert.Equal("succeeded", (string?)(await rig.Gateway.WaitArkAsync(id))["status"]);
        }

        var (first, second) = (rig.Simulators[0].Stats(), rig.Simulators[1].Stats());
        Assert.True(first.QuotaRejected > 0);
        Assert.Equal(3, first.TasksCreated + second.TasksCreated);
        Assert.True(second.TasksCreated >= 1);
    }

    [Fact]
    public async Task A_job_that_keeps_failing_on_its_model_runs_on_its_fallback_and_pays_the_fallbacks_price()
    {
        // Seedance 2.0 standard is in trouble upstream; Fast serves. The seed's advice: retry 2–3 times, then fall back.
        await using var rig = await UpstreamRig.StartAsync(Quick with { FailingModels = ["dreamina-seedance-2-0"] });
        var id = await rig.SubmitAsync("a tier in trouble", extra: new { model = "seedance-2.0", fallback_model = "seedance-2.0-fast" });

        var task = await rig.Gateway.WaitArkAsync(id);
        Assert.True((string?)task["status"] == "succeeded", task.ToJsonString());
        Assert.Equal("seedance-2.0", (string?)task["model"]); // what the caller asked for …
        Assert.Equal("seedance-2.0-fast", (string?)task["fallback_model"]);
        Assert.Equal("seedance-2.0-fast", (string?)task["served_model"]); // … and what served it
        Assert.Equal(40_000, (long?)task["cost"]!["price_micros"]); // Fast 480p, 4 s at $0.010 a second
        Assert.Equal(120_000, (long?)task["reserved_cost"]!["amount_micros"]); // held: the dearer of the two (standard)
        var stats = rig.Simulator.Stats();
        Assert.Equal(3, stats.TasksCreated); // two failed on standard (FallbackAfterFailures = 2), one succeeded on Fast

        var (_, v1) = await rig.Gateway.GetAsync($"/seedance/v1/videos/{id}");
        Assert.Equal(("seedance-2.0-fast", "seedance-2.0-fast"), ((string?)v1["fallback_model"], (string?)v1["served_model"]));
        using var http = new HttpClient(new SocketsHttpHandler());
        var sdk = new Seedgate.Client.SeedgateClient(http, new() { BaseAddress = rig.Gateway.BaseAddress, ApiKey = Gateway.Key });
        var viewed = await sdk.GetTaskAsync(id);
        Assert.Equal(("seedance-2.0", "seedance-2.0-fast", "seedance-2.0-fast"), (viewed.Model, viewed.FallbackModel, viewed.ServedModel));
    }

    [Fact]
    public async Task A_job_with_a_fallback_that_succeeds_on_its_own_model_never_falls_back()
    {
        await using var rig = await UpstreamRig.StartAsync(Quick);
        var id = await rig.SubmitAsync("a tier in good health", extra: new { model = "seedance-2.0", fallback_model = "seedance-2.0-fast" });

        var task = await rig.Gateway.WaitArkAsync(id);
        Assert.Equal(("succeeded", "seedance-2.0"), ((string?)task["status"], (string?)task["served_model"]));
        Assert.Equal(120_000, (long?)task["cost"]!["price_micros"]);
        Assert.Equal(1, rig.Simulator.Stats().TasksCreated);
    }

    [Fact]
    public async Task Fields_a_model_refuses_upstream_are_never_sent_and_newer_fields_are()
    {
        // Seedance 2.x answers service_tier or camera_fixed with a 400, even at their defaults; Seedgate accepts them.
        await using var rig = await UpstreamRig.StartAsync(Quick);
        var id = await rig.SubmitAsync("a careful take", extra: new { service_tier = "default", camera_fixed = false, safety_identifier = "user-42" });

        var task = await rig.Gateway.WaitArkAsync(id);
        Assert.True((string?)task["status"] == "succeeded", task.ToJsonString());
        Assert.Equal("user-42", (string?)task["safety_identifier"]);
    }

    [Fact]
    public async Task A_reference_image_below_the_models_minimum_is_refused_before_any_upstream_call()
    {
        await using var rig = await UpstreamRig.StartAsync(Quick);
        var small = Media.DataUrl("image/png", await Media.PngAsync(320, 320));
        var (status, body) = await rig.Gateway.PostAsync(UpstreamRig.Tasks, new
        {
            model = "seedance-2.0-fast",
            content = new object[]
            {
                new { type = "text", text = "from a small picture" },
                new { type = "image_url", image_url = new { url = small }, role = "first_frame" },
            },
        });

        Assert.Equal(400, status);
        Assert.Equal("content[1].image_url.url", (string?)body["error"]!["param"]);
        Assert.Equal(0, rig.Simulator.Stats().Requests);
    }
}
