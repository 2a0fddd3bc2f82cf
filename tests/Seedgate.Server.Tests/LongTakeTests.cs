using System.Globalization;
using System.Text.Json.Nodes;
using Seedgate.Server.Simulator;
using Seedgate.Server.Tests.Infrastructure;
using Seedgate.Server.Tests.Upstream;
using Xunit.Abstractions;

namespace Seedgate.Server.Tests;

/// <summary>
/// Long takes (issue 10): one job of chained segments, each continuing the last, joined into one MP4 without seams,
/// billed for its seconds; the 400 that says how to ask for one.
/// </summary>
public sealed class LongTakeTests
{
    private const string Tasks = "/api/v3/contents/generations/tasks";

    private readonly ITestOutputHelper _output;

    public LongTakeTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task A_42_s_long_take_is_one_42_s_mp4_without_seams_billed_as_42_s()
    {
        await using var gateway = await Gateway.StartAsync();
        var (status, created) = await gateway.PostAsync(Tasks, new
        {
            model = "seedance-2.0",
            content = new object[] { new { type = "text", text = "a slow drift over rolling hills at dawn" } },
            duration = 42,
            long_take = true,
            resolution = "480p",
            ratio = "16:9",
            camera_motion = "pan_right",
        });
        Assert.True(status == 200, created.ToJsonString());
        var id = (string)created["id"]!;

        var task = await gateway.WaitArkAsync(id);

        Assert.True((string?)task["status"] == "succeeded", task.ToJsonString());
        var take = task["long_take"]!;
        Assert.Equal((42, 100), ((int)take["seconds"]!, (int)take["progress"]!));
        Assert.Equal(
            [(0, "succeeded", 14.0), (1, "succeeded", 14.0), (2, "succeeded", 14.0)],
            take["segments"]!.AsArray().Select(s => ((int)s!["index"]!, (string)s["status"]!, (double)s["seconds"]!)));
        Assert.Equal(1_260_000L, (long)task["cost"]!["amount_micros"]!); // 42 s at 480p's $0.030 a second
        Assert.Equal(1_260_000L, (long)task["reserved_cost"]!["amount_micros"]!);
        Assert.Equal(42, (int)task["duration"]!);

        var video = await gateway.DownloadAsync((string)task["content"]!["video_url"]!);
        var probe = await Media.ProbeAsync(video);
        Assert.InRange(probe.Duration, 41.95, 42.05);
        Assert.Equal((864, 496), (probe.Width, probe.Height)); // the catalog's 480p 16:9

        // Each seam (a segment's last frame and the next one's first) differs no more than ordinary neighbours do. The
        // figures (mean absolute grey levels at 160x90) are printed; seams measured 0.14–0.20, ordinary median 0.05, max 0.46.
        var differences = await Media.NeighbourDifferencesAsync(video);
        Assert.True(differences.Length == (42 * 24) - 1, $"{differences.Length + 1} frames");
        int[] seams = [(14 * 24) - 1, (28 * 24) - 1];
        var ordinary = differences.Where((_, i) => !seams.Contains(i)).Order().ToArray();
        foreach (var seam in seams)
        {
            _output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"seam after frame {seam}: {differences[seam]:F3}; ordinary median {ordinary[ordinary.Length / 2]:F3}, 99th percentile {ordinary[(int)(ordinary.Length * 0.99)]:F3}, max {ordinary[^1]:F3}"));
            Assert.True(differences[seam] <= ordinary[^1], $"seam after frame {seam} differs by {differences[seam]:F3}, ordinary neighbours at most {ordinary[^1]:F3}");
        }
    }

    [Fact]
    public async Task A_long_takes_middle_segment_that_fails_once_is_retried_alone_and_the_take_billed_once()
    {
        // Upstream, a 24 s take is 12 + 12 s: the first segment's task succeeds, the second's first task fails.
        await using var rig = await UpstreamRig.StartAsync(new SimulatorOptions { LatencyMs = 300, FailingTasks = [2] });
        var id = await rig.SubmitAsync("a take with a bad moment", extra: new { duration = 24, long_take = true });

        // Settled per segment: once the first is done (the second waits out its failure's retry delay, 2 s), it is
        // charged and no longer held, while the second's half of the hold remains.
        for (var i = 0; i < 200 && (string?)(await rig.Gateway.GetAsync($"{Tasks}/{id}")).Body["long_take"]?["segments"]?[0]?["status"] != "succeeded"; i++)
        {
            await Task.Delay(25);
        }

        var (_, midway) = await rig.Gateway.GetAsync("/v1/balance");
        Assert.Equal((120_000L, 120_000L), ((long)midway["charged_micros"]!, (long)midway["reserved_micros"]!));
        var task = await rig.Gateway.WaitArkAsync(id);

        Assert.True((string?)task["status"] == "succeeded", task.ToJsonString());
        Assert.Equal(3, rig.Simulator.Stats().TasksCreated); // segment 1, segment 2 failed, segment 2 again: never segment 1 twice
        Assert.Equal([12.0, 12.0], task["long_take"]!["segments"]!.AsArray().Select(s => (double)s!["seconds"]!));
        Assert.Equal(240_000L, (long)task["cost"]!["amount_micros"]!); // 24 s of Fast 480p at $0.010 a second
        var (_, balance) = await rig.Gateway.GetAsync("/v1/balance");
        Assert.Equal((240_000L, 0L), ((long)balance["charged_micros"]!, (long)balance["reserved_micros"]!));
        var probe = await Media.ProbeAsync(await rig.Gateway.DownloadAsync((string)task["content"]!["video_url"]!));
        Assert.InRange(probe.Duration, 23.95, 24.05);
    }

    [Fact]
    public async Task A_long_take_that_still_fails_keeps_the_part_it_made_and_is_billed_for_that_part()
    {
        await using var rig = await UpstreamRig.StartAsync(
            [new SimulatorOptions { LatencyMs = 300, FailingTasks = [2, 3] }], configuration: "--Seedgate:Dispatch:MaxAttempts=2");
        var id = await rig.SubmitAsync("a take cut short", extra: new { duration = 24, long_take = true });

        var task = await rig.Gateway.WaitArkAsync(id);

        Assert.True((string?)task["status"] == "failed", task.ToJsonString());
        Assert.Equal(("succeeded", "failed"), ((string?)task["long_take"]!["segments"]![0]!["status"], (string?)task["long_take"]!["segments"]![1]!["status"]));
        Assert.Equal(120_000L, (long)task["cost"]!["amount_micros"]!); // the 12 s delivered, not the 24 s held
        Assert.Equal(240_000L, (long)task["reserved_cost"]!["amount_micros"]!);
        var probe = await Media.ProbeAsync(await rig.Gateway.DownloadAsync((string)task["content"]!["video_url"]!));
        Assert.InRange(probe.Duration, 11.95, 12.05);
        var (_, balance) = await rig.Gateway.GetAsync("/v1/balance");
        Assert.Equal((120_000L, 0L), ((long)balance["charged_micros"]!, (long)balance["reserved_micros"]!)); // the hold is over
    }

    [Theory]
    [InlineData("""{"model":"seedance-2.0","content":[{"type":"text","text":"x"}],"duration":42}""", "duration", "long_take")]
    [InlineData("""{"model":"seedance-2.0","content":[{"type":"text","text":"x"}],"duration":121,"long_take":true}""", "duration", "4–120")]
    [InlineData("""{"model":"seedance-2.0","content":[{"type":"text","text":"x"}],"duration":-1,"long_take":true}""", "duration", "4–120")]
    [InlineData("""{"model":"seedance-2.0-i2v","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}],"duration":30,"long_take":true}""", "long_take", "cannot continue")]
    public async Task A_duration_past_the_models_longest_clip_is_a_400_that_says_how_to_ask(string body, string param, string says)
    {
        await using var gateway = await Gateway.StartAsync("--Seedgate:Dispatch:Enabled=false");
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await gateway.Http.PostAsync(Tasks, content);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(param, (string?)error["param"]);
        Assert.Contains(says, (string)error["message"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(16, new[] { 8, 8 })]
    [InlineData(42, new[] { 14, 14, 14 })]
    [InlineData(46, new[] { 12, 12, 11, 11 })]
    [InlineData(120, new[] { 15, 15, 15, 15, 15, 15, 15, 15 })]
    public void A_long_take_plans_as_few_and_as_even_segments_as_15_s_allows(int seconds, int[] plan) =>
        Assert.Equal(plan, Core.Generation.LongTakeRules.Plan(seconds));
}
