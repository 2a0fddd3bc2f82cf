using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Seedgate.Server.Simulator;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests.Simulator;

/// <summary>The upstream simulator over real HTTP on 127.0.0.1: the Ark protocol, its limits, faults, quirks and stats.</summary>
public sealed class SimulatorTests
{
    private const string Fast = "dreamina-seedance-2-0-fast-260128";

    /// <summary>A task that fails after its latency: no render, so tests about the protocol stay fast.</summary>
    private static readonly SimulatorOptions Failing = new() { LatencyMs = 200, FailRate = 1 };

    [Fact]
    public async Task A_task_goes_queued_or_running_then_succeeded_and_its_video_downloads()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 200 });
        var body = Tiny("a lighthouse at dusk");
        body["model"] = "dreamina-seedance-2-0-fast"; // the name without its version
        body["return_last_frame"] = true;
        body["seed"] = 42;

        var id = await sim.CreateAsync(body);
        Assert.StartsWith("cgt-", id, StringComparison.Ordinal);
        var (status, first) = await sim.GetAsync(id);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains((string)first!["status"]!, new[] { "queued", "running" });
        Assert.Equal(Fast, (string?)first["model"]);
        Assert.Null(first["content"]);
        Assert.Null(first["usage"]);

        var done = await sim.WaitAsync(id, "succeeded");
        Assert.Equal(Fast, (string?)done["model"]);
        Assert.Equal(42, (long)done["seed"]!);
        Assert.Equal("480p", (string?)done["resolution"]);
        Assert.Equal("16:9", (string?)done["ratio"]);
        Assert.Equal(4, (int)done["duration"]!);
        Assert.Equal(24, (int)done["framespersecond"]!);
        Assert.False((bool)done["generate_audio"]!);
        Assert.Equal("default", (string?)done["service_tier"]);
        Assert.Equal(172800, (int)done["execution_expires_after"]!);
        Assert.Equal(0, (int)done["priority"]!);
        Assert.Null(done["error"]);
        Assert.True((long)done["updated_at"]! >= (long)done["created_at"]!);
        var tokens = 864L * 496 * 24 * 4 / 1024;
        Assert.Equal(tokens, (long)done["usage"]!["completion_tokens"]!);
        Assert.Equal(tokens, (long)done["usage"]!["total_tokens"]!);

        var videoUrl = (string)done["content"]!["video_url"]!;
        Assert.StartsWith(sim.Upstream.RootUrl + "_sim/files/" + id + "/video.mp4", videoUrl, StringComparison.Ordinal);
        using var download = sim.Client(null); // no key: the links stand alone, like TOS signed links
        var video = await download.GetByteArrayAsync(videoUrl);
        Assert.Equal("ftyp", Encoding.ASCII.GetString(video, 4, 4));
        var path = Path.Combine(Path.GetTempPath(), $"sim-{Guid.NewGuid():n}.mp4");
        try
        {
            await File.WriteAllBytesAsync(path, video);
            var probe = await Media.ProbeAsync(path);
            Assert.Equal((864, 496), (probe.Width, probe.Height));
            Assert.Equal(24, probe.Fps, 2);
            Assert.InRange(probe.Duration, 3.9, 4.1);
            Assert.Null(probe.AudioCodec);
        }
        finally
        {
            File.Delete(path);
        }

        var png = await download.GetByteArrayAsync((string)done["content"]!["last_frame_url"]!);
        Assert.Equal("\x89PNG", Encoding.Latin1.GetString(png, 0, 4));

        var stats = sim.Upstream.Stats();
        Assert.Equal(1, stats.TasksCreated);
        Assert.Equal(1, stats.MaxInFlightSeen);
        Assert.Equal(0, stats.InFlight);
        Assert.True(stats.GetsServed >= 2);
    }

    [Fact]
    public async Task The_model_is_echoed_as_its_full_id()
    {
        await using var sim = await Sim.StartAsync(Failing);
        foreach (var (sent, echoed) in new[]
        {
            ("doubao-seedance-1-5-pro", "doubao-seedance-1-5-pro-251215"),
            ("seedance-1-5-pro-251215", "seedance-1-5-pro-251215"),
            ("doubao-seedance-2-0", "doubao-seedance-2-0-260128"),
            ("dreamina-seedance-2-0-mini", "dreamina-seedance-2-0-mini-260615"),
            ("dreamina-seedance-2-5-260628", "dreamina-seedance-2-5-260628"),
        })
        {
            var body = Tiny("a model echo");
            body["model"] = sent;
            var (_, task) = await sim.GetAsync(await sim.CreateAsync(body));
            Assert.Equal(echoed, (string?)task!["model"]);
        }
    }

    [Fact]
    public async Task Without_a_bearer_key_or_with_the_wrong_one_the_answer_is_401()
    {
        await using var sim = await Sim.StartAsync(Failing with { ApiKey = "right-key" });
        using var anonymous = sim.Client(null);
        using var wrong = sim.Client("wrong-key");

        foreach (var client in new[] { anonymous, wrong })
        {
            using var response = await client.GetAsync("contents/generations/tasks");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("AuthenticationError", (string?)(await Json(response))!["error"]!["code"]);
        }

        using var right = sim.Client("right-key");
        using var ok = await right.GetAsync("contents/generations/tasks");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Beyond_the_qps_the_answer_is_429_with_Retry_After_and_sim_endpoints_are_not_limited()
    {
        await using var sim = await Sim.StartAsync(Failing with { Qps = 2 });

        for (var i = 0; i < 2; i++)
        {
            using var allowed = await sim.Http.GetAsync("contents/generations/tasks");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var limited = await sim.Http.GetAsync("contents/generations/tasks");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("RateLimitExceeded", (string?)(await Json(limited))!["error"]!["code"]);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 1);

        for (var i = 0; i < 5; i++)
        {
            using var stats = await sim.Http.GetAsync(new Uri(sim.Upstream.RootUrl, "_sim/stats"));
            Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        }

        Assert.Equal(1, sim.Upstream.Stats().RateLimited);
        Assert.Equal(3, sim.Upstream.Stats().Requests);
    }

    [Fact]
    public async Task Beyond_max_in_flight_a_create_is_429_QuotaExceeded_and_makes_no_task()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 30_000, FailRate = 1, MaxInFlight = 1 });
        await sim.CreateAsync(Tiny("the first"));

        var (status, error) = await sim.PostAsync(Tiny("the second"));

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("QuotaExceeded", (string?)error!["error"]!["code"]);
        var stats = sim.Upstream.Stats();
        Assert.Equal((1, 1, 1, 1), (stats.TasksCreated, stats.QuotaRejected, stats.InFlight, stats.MaxInFlightSeen));
    }

    [Fact]
    public async Task Over_capacity_creates_are_queued_until_a_slot_frees_and_a_queued_task_can_be_cancelled()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 400, FailRate = 1, MaxInFlight = 1, QueueOverCapacity = true });
        var first = await sim.CreateAsync(Tiny("first in line"));
        var second = await sim.CreateAsync(Tiny("second in line"));
        var third = await sim.CreateAsync(Tiny("third in line"));

        await sim.WaitAsync(first, "running");
        Assert.Equal("queued", (string?)(await sim.GetAsync(second)).Task!["status"]);

        using (var cancel = await sim.Http.DeleteAsync($"contents/generations/tasks/{third}"))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
            Assert.Empty(await cancel.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal("cancelled", (string?)(await sim.GetAsync(third)).Task!["status"]);
        using (var again = await sim.Http.DeleteAsync($"contents/generations/tasks/{third}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
            Assert.Equal("InvalidParameter", (string?)(await Json(again))!["error"]!["code"]);
        }

        await sim.WaitAsync(first, "failed");
        // The second's latency clock starts only when the first has ended: it is still on its way then.
        Assert.Contains((string?)(await sim.GetAsync(second)).Task!["status"], new[] { "queued", "running" });
        await sim.WaitAsync(second, "failed");
        var stats = sim.Upstream.Stats();
        Assert.Equal((3, 0, 3), (stats.TasksCreated, stats.QuotaRejected, stats.MaxInFlightSeen));
    }

    [Fact]
    public async Task At_error_rate_1_creates_gets_and_lists_answer_500_or_503_and_no_task_is_made()
    {
        await using var sim = await Sim.StartAsync(Failing with { ErrorRate = 1 });

        var (status, error) = await sim.PostAsync(Tiny("never made"));
        Assert.Contains(status, new[] { HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable });
        Assert.Contains((string?)error!["error"]!["code"], new[] { "InternalServiceError", "ServiceUnavailable" });
        using (var list = await sim.Http.GetAsync("contents/generations/tasks"))
        {
            Assert.Contains(list.StatusCode, new[] { HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable });
        }

        var stats = sim.Upstream.Stats();
        Assert.Equal((0, 2), (stats.TasksCreated, stats.ErrorsSent));
    }

    [Fact]
    public async Task A_hung_create_never_answers_but_makes_its_task()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 30_000, FailRate = 1, HangRate = 1 });
        using var impatient = sim.Client("k", TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.PostAsJsonAsync("contents/generations/tasks", Tiny("a hung create")));

        var stats = sim.Upstream.Stats();
        Assert.Equal((1, 1, 1), (stats.TasksCreated, stats.Hangs, stats.InFlight));
    }

    [Fact]
    public async Task A_prompt_holding_a_policy_word_fails_with_OutputVideoSensitiveContentDetected_after_the_latency()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 300, PolicyWords = ["forbidden", "banned"] });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var id = await sim.CreateAsync(Tiny("a FORBIDDEN dance"));

        var done = await sim.WaitAsync(id, "failed");

        Assert.True(clock.ElapsedMilliseconds >= 300, $"failed after {clock.ElapsedMilliseconds} ms, before the latency");

        Assert.Equal("OutputVideoSensitiveContentDetected", (string?)done["error"]!["code"]);
        Assert.False(string.IsNullOrEmpty((string?)done["error"]!["message"]));
        Assert.Null(done["content"]);
        Assert.Null(done["usage"]);
    }

    [Fact]
    public async Task Every_task_of_a_failing_model_fails_while_the_other_models_serve()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 100, FailingModels = ["dreamina-seedance-2-0"] });
        var troubled = Tiny("a standard take");
        troubled["model"] = "dreamina-seedance-2-0-260128";

        var failed = await sim.WaitAsync(await sim.CreateAsync(troubled), "failed");
        await sim.WaitAsync(await sim.CreateAsync(Tiny("a fast take")), "succeeded");

        Assert.Equal("InternalServiceError", (string?)failed["error"]!["code"]);
        Assert.Contains("unknown model 'seedance-9'", new SimulatorOptions { FailingModels = ["seedance-9"] }.Problem(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_links_answer_403_Request_has_expired_after_the_url_ttl()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 0, UrlTtlSeconds = 2 });
        var done = await sim.WaitAsync(await sim.CreateAsync(Tiny("a short-lived link")), "succeeded");
        var url = (string)done["content"]!["video_url"]!;
        using var download = sim.Client(null);

        using (var fresh = await download.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        var expired = await Poll(async () =>
        {
            var response = await download.GetAsync(url);
            return response.StatusCode == HttpStatusCode.Forbidden ? await response.Content.ReadAsStringAsync() : null;
        });
        Assert.Contains("AccessDenied", expired, StringComparison.Ordinal);
        Assert.Contains("Request has expired", expired, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_refuses_a_running_task_and_deletes_a_finished_one_with_an_empty_answer()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 1000, FailRate = 1 });
        var id = await sim.CreateAsync(Tiny("deleted in the end"));
        await sim.WaitAsync(id, "running");

        using (var running = await sim.Http.DeleteAsync($"contents/generations/tasks/{id}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, running.StatusCode);
            var error = (await Json(running))!["error"]!;
            Assert.Equal("InvalidParameter", (string?)error["code"]);
            Assert.Contains("not allowed", (string?)error["message"], StringComparison.Ordinal);
        }

        await sim.WaitAsync(id, "failed");
        using (var deleted = await sim.Http.DeleteAsync($"contents/generations/tasks/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());
        }

        var (status, gone) = await sim.GetAsync(id);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("ResourceNotFound", (string?)gone!["error"]!["code"]);
        using var unknown = await sim.Http.DeleteAsync("contents/generations/tasks/cgt-unknown");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_task_still_unfinished_at_execution_expires_after_ends_expired()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 30_000, FailRate = 1, MinExecutionExpiresAfterSeconds = 1 });
        var body = Tiny("too slow");
        body["execution_expires_after"] = 1;

        var done = await sim.WaitAsync(await sim.CreateAsync(body), "expired");

        Assert.Equal(1, (int)done["execution_expires_after"]!);
        Assert.Equal(0, sim.Upstream.Stats().InFlight);
    }

    [Fact]
    public async Task The_list_filters_by_task_ids_pages_newest_first_and_omits_resolution_ratio_and_duration()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 30_000, FailRate = 1 });
        var a = await sim.CreateAsync(Tiny("list a"));
        var b = await sim.CreateAsync(Tiny("list b"));
        var c = await sim.CreateAsync(Tiny("list c"));

        var filtered = await sim.ListAsync($"filter.task_ids={a}&filter.task_ids={c}");
        Assert.Equal(2, (int)filtered["total"]!);
        Assert.Equal(new[] { c, a }, filtered["items"]!.AsArray().Select(i => (string)i!["id"]!));

        var page = await sim.ListAsync("page_num=2&page_size=1");
        Assert.Equal(3, (int)page["total"]!);
        var item = page["items"]!.AsArray().Single()!.AsObject();
        Assert.Equal(b, (string?)item["id"]);
        Assert.False(item.ContainsKey("resolution") || item.ContainsKey("ratio") || item.ContainsKey("duration"));
        Assert.True(item.ContainsKey("error") && item.ContainsKey("seed") && item.ContainsKey("framespersecond"));

        Assert.Equal(3, (int)(await sim.ListAsync($"filter.status=queued&filter.status=running&filter.model={Fast}"))["total"]!);
        Assert.Equal(0, (int)(await sim.ListAsync("filter.status=succeeded"))["total"]!);
        Assert.Equal(3, (int)(await sim.ListAsync("filter.model=dreamina-seedance-2-0-fast&filter.service_tier=default"))["total"]!);

        foreach (var (query, param) in new[] { ("page_size=0", "page_size"), ("page_size=501", "page_size"), ("page_num=x", "page_num"), ("filter.status=done", "filter.status") })
        {
            using var bad = await sim.Http.GetAsync($"contents/generations/tasks?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal(param, (string?)(await Json(bad))!["error"]!["param"]);
        }

        Assert.Equal(5, sim.Upstream.Stats().ListsServed);
    }

    [Theory]
    [InlineData("dreamina-seedance-2-0-260128", "service_tier", "\"default\"")]
    [InlineData("dreamina-seedance-2-0-fast-260128", "service_tier", "\"flex\"")]
    [InlineData("dreamina-seedance-2-5-260628", "service_tier", "\"default\"")]
    [InlineData("dreamina-seedance-2-0-mini-260615", "camera_fixed", "false")]
    [InlineData("dreamina-seedance-2-5-260628", "camera_fixed", "true")]
    [InlineData("dreamina-seedance-2-0-260128", "resolution", "\"2k\"")]
    [InlineData("dreamina-seedance-2-0-fast-260128", "resolution", "\"1080p\"")]
    [InlineData("dreamina-seedance-2-5-260628", "resolution", "\"4k\"")]
    [InlineData("dreamina-seedance-2-0-260128", "duration", "16")]
    [InlineData("dreamina-seedance-2-0-260128", "duration", "3")]
    [InlineData("dreamina-seedance-2-5-260628", "duration", "31")]
    [InlineData("seedance-1-5-pro-251215", "duration", "13")]
    [InlineData("seedance-1-5-pro-251215", "priority", "0")]
    [InlineData("dreamina-seedance-2-0-260128", "priority", "10")]
    [InlineData("dreamina-seedance-2-0-260128", "duration", "\"5\"")]
    [InlineData("dreamina-seedance-2-0-260128", "ratio", "\"2:1\"")]
    [InlineData("dreamina-seedance-2-0-260128", "seed", "4294967296")]
    [InlineData("dreamina-seedance-2-0-260128", "frames", "121")]
    [InlineData("dreamina-seedance-2-0-260128", "execution_expires_after", "60")]
    [InlineData("dreamina-seedance-2-0-260128", "callback_url", "\"not a url\"")]
    [InlineData("dreamina-seedance-2-0-260128", "output_format", "\"mov\"")]
    public async Task A_field_the_model_does_not_take_is_a_400_naming_it(string model, string field, string json)
    {
        await using var sim = await Sim.StartAsync(Failing);
        var body = Tiny("rules");
        body["model"] = model;
        body[field] = JsonNode.Parse(json);

        var (status, error) = await sim.PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("InvalidParameter", (string?)error!["error"]!["code"]);
        Assert.Equal(field, (string?)error["error"]!["param"]);
        Assert.Equal("BadRequest", (string?)error["error"]!["type"]);
        Assert.Equal(0, sim.Upstream.Stats().TasksCreated);
    }

    [Theory]
    [InlineData("seedance-1-5-pro-251215", "service_tier", "\"flex\"")]
    [InlineData("doubao-seedance-1-5-pro-251215", "camera_fixed", "true")]
    [InlineData("dreamina-seedance-2-0-260128", "resolution", "\"4K\"")]
    [InlineData("dreamina-seedance-2-0-fast-260128", "resolution", "\"720P\"")]
    [InlineData("dreamina-seedance-2-5-260628", "duration", "30")]
    [InlineData("dreamina-seedance-2-0-260128", "duration", "-1")]
    [InlineData("dreamina-seedance-2-0-260128", "priority", "9")]
    [InlineData("dreamina-seedance-2-5-260628", "output_format", "\"mov\"")]
    [InlineData("dreamina-seedance-2-0-260128", "safety_identifier", "\"user-123\"")]
    [InlineData("dreamina-seedance-2-0-260128", "tools", "[{\"type\":\"web_search\"}]")]
    [InlineData("dreamina-seedance-2-0-260128", "watermark", "true")]
    public async Task A_field_the_model_takes_is_accepted(string model, string field, string json)
    {
        await using var sim = await Sim.StartAsync(Failing);
        var body = Tiny("rules");
        body["model"] = model;
        body[field] = JsonNode.Parse(json);

        var (status, created) = await sim.PostAsync(body);

        Assert.True(status == HttpStatusCode.OK, created?.ToJsonString());
        var (_, task) = await sim.GetAsync((string)created!["id"]!);
        if (field == "resolution")
        {
            Assert.Equal(((string)JsonNode.Parse(json)!).ToLowerInvariant(), (string?)task!["resolution"]);
        }
        else if (field == "duration")
        {
            Assert.Equal(json == "-1" ? 5 : 30, (int)task!["duration"]!);
        }
        else if (field == "service_tier")
        {
            Assert.Equal("flex", (string?)task!["service_tier"]);
        }
    }

    [Fact]
    public async Task Models_content_and_references_are_checked()
    {
        await using var sim = await Sim.StartAsync(Failing);
        var text = new JsonObject { ["type"] = "text", ["text"] = "refs" };
        var audio = new JsonObject { ["type"] = "audio_url", ["audio_url"] = new JsonObject { ["url"] = "https://example.com/a.mp3" }, ["role"] = "reference_audio" };

        await Expect(new JsonObject { ["content"] = new JsonArray(text.DeepClone()) }, HttpStatusCode.BadRequest, "MissingParameter", "model");
        await Expect(new JsonObject { ["model"] = Fast }, HttpStatusCode.BadRequest, "MissingParameter", "content");
        await Expect(new JsonObject { ["model"] = "ep-20261201-unknown", ["content"] = new JsonArray(text.DeepClone()) }, HttpStatusCode.NotFound, "ModelNotOpen", "model");
        await Expect(new JsonObject { ["model"] = Fast, ["content"] = new JsonArray(text.DeepClone(), audio.DeepClone()) }, HttpStatusCode.BadRequest, "InvalidParameter", "content");
        await Expect(
            new JsonObject { ["model"] = Fast, ["content"] = new JsonArray(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "data:image/png;base64,@@@" } }) },
            HttpStatusCode.BadRequest, "InvalidParameter", "content[0].image_url.url");
        await Expect(
            new JsonObject { ["model"] = Fast, ["content"] = new JsonArray(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "ftp://example.com/a.png" } }) },
            HttpStatusCode.BadRequest, "InvalidParameter", "content[0].image_url.url");
        await Expect(
            new JsonObject { ["model"] = "seedance-1-5-pro-251215", ["content"] = new JsonArray(text.DeepClone(), audio.DeepClone()) },
            HttpStatusCode.BadRequest, "InvalidParameter", "content[1].type");

        // Seedance 2.5 takes an audio reference alone; references by URL and data URL are accepted without being fetched.
        var png = Media.DataUrl("image/png", await Media.PngAsync(320, 180));
        foreach (var content in new[]
        {
            new JsonArray(text.DeepClone(), audio.DeepClone()),
            new JsonArray(text.DeepClone(), new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = png } }),
            new JsonArray(
                new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "https://example.com/a.png" }, ["role"] = "reference_image" },
                new JsonObject { ["type"] = "video_url", ["video_url"] = new JsonObject { ["url"] = "asset://asset-123" }, ["role"] = "reference_video" }),
        })
        {
            var (status, created) = await sim.PostAsync(new JsonObject { ["model"] = "dreamina-seedance-2-5-260628", ["content"] = content });
            Assert.True(status == HttpStatusCode.OK, created?.ToJsonString());
        }

        async Task Expect(JsonObject body, HttpStatusCode expected, string code, string param)
        {
            var (status, error) = await sim.PostAsync(body);
            Assert.Equal(expected, status);
            Assert.Equal(code, (string?)error!["error"]!["code"]);
            Assert.Equal(param, (string?)error["error"]!["param"]);
        }
    }

    [Fact]
    public async Task An_image_sent_inline_is_the_first_frame_of_the_render()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 0 });
        var body = Tiny("from a picture");
        body["content"]!.AsArray().Add(new JsonObject
        {
            ["type"] = "image_url",
            ["image_url"] = new JsonObject { ["url"] = Media.DataUrl("image/png", await Media.PngAsync(640, 360)) },
            ["role"] = "first_frame",
        });

        var done = await sim.WaitAsync(await sim.CreateAsync(body), "succeeded");

        Assert.Equal("16:9", (string?)done["ratio"]); // adaptive (the default with a first frame), resolved
        using var download = sim.Client(null);
        Assert.NotEmpty(await download.GetByteArrayAsync((string)done["content"]!["video_url"]!));
    }

    [Fact]
    public async Task Quirk_relay_statuses_reports_unknown_and_processing()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 2000, FailRate = 1, Quirks = [SimulatorQuirks.RelayStatuses] });
        var id = await sim.CreateAsync(Tiny("relayed"));

        Assert.Equal("unknown", (string?)(await sim.GetAsync(id)).Task!["status"]);
        await sim.WaitAsync(id, "processing");
        var done = await sim.WaitAsync(id, "failed");
        Assert.Equal("InternalServiceError", (string?)done["error"]!["code"]);
    }

    [Fact]
    public async Task Quirks_no_video_and_string_counts_change_the_success()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 0, Quirks = [SimulatorQuirks.NoVideo, SimulatorQuirks.StringCounts] });

        var done = await sim.WaitAsync(await sim.CreateAsync(Tiny("a success without a video")), "succeeded");

        Assert.NotNull(done["content"]);
        Assert.Null(done["content"]!["video_url"]);
        var tokens = (864L * 496 * 24 * 4 / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(System.Text.Json.JsonValueKind.String, done["usage"]!["completion_tokens"]!.GetValueKind());
        Assert.Equal(tokens, (string?)done["usage"]!["completion_tokens"]);
        Assert.Equal(tokens, (string?)done["usage"]!["total_tokens"]);
    }

    [Fact]
    public async Task Quirk_transient_404_answers_the_first_two_gets_404()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 30_000, FailRate = 1, Quirks = [SimulatorQuirks.Transient404] });
        var id = await sim.CreateAsync(Tiny("not there yet"));

        Assert.Equal(HttpStatusCode.NotFound, (await sim.GetAsync(id)).Status);
        var (status, error) = await sim.GetAsync(id);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("ResourceNotFound", (string?)error!["error"]!["code"]);
        Assert.Equal(HttpStatusCode.OK, (await sim.GetAsync(id)).Status);
        Assert.Equal(1, sim.Upstream.Stats().GetsServed);
    }

    [Fact]
    public async Task Quirk_complete_500_answers_the_first_get_or_list_showing_the_end_500()
    {
        await using var sim = await Sim.StartAsync(Failing with { Quirks = [SimulatorQuirks.Complete500] });
        var byGet = await sim.CreateAsync(Tiny("seen by get"));
        var byList = await sim.CreateAsync(Tiny("seen by list"));

        var answers = new List<string>();
        await Poll(async () =>
        {
            var (status, task) = await sim.GetAsync(byGet);
            answers.Add(status == HttpStatusCode.OK ? (string)task!["status"]! : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return answers[^1] == "failed" ? "" : null;
        });
        Assert.Equal(1, answers.Count(a => a == "500"));
        Assert.Equal("500", answers[^2]);

        var listAnswers = new List<HttpStatusCode>();
        await Poll(async () =>
        {
            using var response = await sim.Http.GetAsync($"contents/generations/tasks?filter.task_ids={byList}");
            listAnswers.Add(response.StatusCode);
            return response.StatusCode == HttpStatusCode.OK && (string?)(await Json(response))!["items"]![0]!["status"] == "failed" ? "" : null;
        });
        Assert.Equal(HttpStatusCode.InternalServerError, listAnswers[^2]);
        Assert.Equal(1, listAnswers.Count(s => s == HttpStatusCode.InternalServerError));
        Assert.Equal(2, sim.Upstream.Stats().ErrorsSent);
    }

    [Fact]
    public async Task Quirks_float_duration_and_failure_reason_change_the_fields()
    {
        await using var sim = await Sim.StartAsync(Failing with { Quirks = [SimulatorQuirks.FloatDuration, SimulatorQuirks.FailureReason] });
        var id = await sim.CreateAsync(Tiny("odd fields"));
        await sim.WaitAsync(id, "failed");

        using var get = await sim.Http.GetAsync($"contents/generations/tasks/{id}");
        var raw = await get.Content.ReadAsStringAsync();
        Assert.Contains("\"duration\":4.0", raw, StringComparison.Ordinal);
        Assert.Equal("InternalServiceError", (string?)JsonNode.Parse(raw)!["error"]!["code"]);

        var item = (await sim.ListAsync(""))["items"]![0]!.AsObject();
        Assert.False(item.ContainsKey("error"));
        Assert.Equal("InternalServiceError", (string?)item["failure_reason"]!["code"]);
    }

    [Fact]
    public async Task A_quirk_rate_of_0_applies_no_quirk()
    {
        await using var sim = await Sim.StartAsync(Failing with { Quirks = [SimulatorQuirks.FloatDuration], QuirkRate = 0 });
        using var get = await sim.Http.GetAsync($"contents/generations/tasks/{await sim.CreateAsync(Tiny("plain"))}");
        Assert.Contains("\"duration\":4,", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callbacks_post_every_status_in_order_and_a_terminal_one_is_retried_until_answered_2xx()
    {
        await using var listener = await CallbackListener.StartAsync(failFirstTerminal: true);
        await using var sim = await Sim.StartAsync(Failing with { CallbackTimeout = TimeSpan.FromMilliseconds(300) });
        var body = Tiny("called back");
        body["callback_url"] = listener.Url;
        var id = await sim.CreateAsync(body);

        var received = new List<JsonNode>();
        while (received.Count < 4)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            received.Add(await listener.Bodies.ReadAsync(timeout.Token));
        }

        Assert.All(received, b => Assert.Equal(id, (string?)b["id"]));
        Assert.Equal(new[] { "queued", "running", "failed", "failed" }, received.Select(b => (string)b["status"]!));
        Assert.Equal("InternalServiceError", (string?)received[^1]["error"]!["code"]);
        Assert.Equal(Fast, (string?)received[^1]["model"]);
        Assert.Equal(4, (int)received[^1]["duration"]!);
        await Poll(() => Task.FromResult(sim.Upstream.Stats().CallbacksSent == 4 ? "" : null));
    }

    [Fact]
    public async Task Stats_count_duplicate_prompts_and_reset_clears_them_but_not_the_tasks()
    {
        await using var sim = await Sim.StartAsync(new SimulatorOptions { LatencyMs = 30_000, FailRate = 1 });
        var first = await sim.CreateAsync(Tiny("the same prompt"));
        await sim.CreateAsync(Tiny("the same prompt"));
        await sim.CreateAsync(Tiny("another prompt"));

        using (var stats = await sim.Http.GetAsync(new Uri(sim.Upstream.RootUrl, "_sim/stats")))
        {
            var json = (await Json(stats))!.AsObject();
            foreach (var key in new[]
            {
                "tasks_created", "max_in_flight_seen", "rate_limited", "quota_rejected", "errors_sent", "gets_served", "duplicate_prompts",
                "requests", "lists_served", "hangs", "callbacks_sent",
            })
            {
                Assert.True(json.ContainsKey(key), key);
            }

            Assert.Equal(3, (int)json["tasks_created"]!);
            Assert.Equal(1, (int)json["duplicate_prompts"]!);
            Assert.Equal(3, (int)json["max_in_flight_seen"]!);
            Assert.Equal(3, (int)json["requests"]!);
        }

        using (var reset = await sim.Http.PostAsync(new Uri(sim.Upstream.RootUrl, "_sim/reset"), null))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        var cleared = sim.Upstream.Stats();
        Assert.Equal((0, 0, 0, 3), (cleared.TasksCreated, cleared.DuplicatePrompts, cleared.Requests, cleared.MaxInFlightSeen));
        Assert.Equal(HttpStatusCode.OK, (await sim.GetAsync(first)).Status);
        Assert.Equal(1, sim.Upstream.Stats().GetsServed);
    }

    [Fact]
    public async Task Options_that_cannot_work_are_refused_by_name()
    {
        var problem = await Assert.ThrowsAsync<ArgumentException>(() => UpstreamSimulator.StartAsync(new SimulatorOptions { FailRate = 1.5 }, CancellationToken.None));
        Assert.Contains("FailRate", problem.Message, StringComparison.Ordinal);
        problem = await Assert.ThrowsAsync<ArgumentException>(() => UpstreamSimulator.StartAsync(new SimulatorOptions { Quirks = ["odd"] }, CancellationToken.None));
        Assert.Contains("odd", problem.Message, StringComparison.Ordinal);
    }

    /// <summary>A 4 s 480p clip without audio: the smallest render the models take.</summary>
    private static JsonObject Tiny(string prompt) => new()
    {
        ["model"] = Fast,
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = prompt }),
        ["resolution"] = "480p",
        ["duration"] = 4,
        ["generate_audio"] = false,
    };

    private static async Task<JsonNode?> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>Polls every 50 ms (for 30 s at most) until <paramref name="probe"/> gives a value.</summary>
    private static async Task<string> Poll(Func<Task<string?>> probe)
    {
        for (var i = 0; i < 600; i++)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The condition was not met within 30 s.");
    }

    /// <summary>A simulator on a free port of 127.0.0.1 and a client that sends a key.</summary>
    private sealed class Sim : IAsyncDisposable
    {
        private Sim(UpstreamSimulator upstream)
        {
            Upstream = upstream;
            Http = Client("k");
        }

        public UpstreamSimulator Upstream { get; }
        public HttpClient Http { get; }

        public static async Task<Sim> StartAsync(SimulatorOptions options) => new(await UpstreamSimulator.StartAsync(
            options with { Urls = ["http://127.0.0.1:0"], LogLevel = LogLevel.Warning, RandomSeed = options.RandomSeed ?? 7 }, CancellationToken.None));

        public HttpClient Client(string? key, TimeSpan? timeout = null)
        {
            var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = Upstream.BaseUrl, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
            if (key is not null)
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            return http;
        }

        public async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(JsonObject body)
        {
            using var response = await Http.PostAsJsonAsync("contents/generations/tasks", body);
            return (response.StatusCode, await Json(response));
        }

        public async Task<string> CreateAsync(JsonObject body)
        {
            var (status, created) = await PostAsync(body);
            Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {created?.ToJsonString()}");
            return (string)created!["id"]!;
        }

        public async Task<(HttpStatusCode Status, JsonNode? Task)> GetAsync(string id)
        {
            using var response = await Http.GetAsync($"contents/generations/tasks/{id}");
            return (response.StatusCode, await Json(response));
        }

        public async Task<JsonNode> ListAsync(string query)
        {
            using var response = await Http.GetAsync($"contents/generations/tasks?{query}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await Json(response))!;
        }

        /// <summary>Polls the task until it reports <paramref name="status"/>; fails when it ends in another one.</summary>
        public async Task<JsonNode> WaitAsync(string id, string status)
        {
            JsonNode? last = null;
            await Poll(async () =>
            {
                var (code, task) = await GetAsync(id);
                if (code != HttpStatusCode.OK)
                {
                    return null;
                }

                last = task;
                var now = (string)task!["status"]!;
                Assert.False(now != status && now is "succeeded" or "failed" or "expired" or "cancelled", $"ended {now}, not {status}: {task.ToJsonString()}");
                return now == status ? now : null;
            });
            return last!;
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Upstream.DisposeAsync();
        }
    }

    /// <summary>A callback receiver on 127.0.0.1 that records each body; it can refuse the first terminal delivery.</summary>
    private sealed class CallbackListener : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private CallbackListener(WebApplication app, Channel<JsonNode> bodies)
        {
            _app = app;
            Bodies = bodies.Reader;
            Url = app.Urls.First() + "/hook?token=secret";
        }

        public string Url { get; }
        public ChannelReader<JsonNode> Bodies { get; }

        public static async Task<CallbackListener> StartAsync(bool failFirstTerminal)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var bodies = Channel.CreateUnbounded<JsonNode>();
            var refused = 0;
            app.MapPost("/hook", async (HttpContext context) =>
            {
                var body = (await JsonNode.ParseAsync(context.Request.Body))!;
                await bodies.Writer.WriteAsync(body);
                var terminal = (string?)body["status"] is "succeeded" or "failed" or "expired" or "cancelled";
                return failFirstTerminal && terminal && Interlocked.Exchange(ref refused, 1) == 0 ? Results.StatusCode(500) : Results.Ok();
            });
            await app.StartAsync();
            return new CallbackListener(app, bodies);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
