using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Seedgate.Testing;

namespace Seedgate.Cli.Tests;

/// <summary>`generate`, `status` and `download` against a local server that plays Ark's wire format.</summary>
public sealed class GenerateTests
{
    private static readonly byte[] Video = [.. Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7))];
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3];

    /// <summary>A task that goes queued → running (50 %) → succeeded, or → failed when the prompt says "forbidden".</summary>
    private static Task<ArkTestServer> StartArkAsync(string finalStatus = "succeeded")
    {
        var polls = 0;
        return ArkTestServer.StartAsync(app =>
        {
            app.MapPost(ArkTestServer.TasksPath, () => Results.Json(new { id = "cgt-test-1" }));
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id, HttpRequest request) =>
            {
                var origin = $"{request.Scheme}://{request.Host}";
                return Interlocked.Increment(ref polls) switch
                {
                    1 => Results.Json(new { id, status = "queued" }),
                    2 => Results.Json(new { id, status = "running", progress = 50 }),
                    _ when finalStatus == "succeeded" => Results.Json(new
                    {
                        id, model = "seedance-2.0-fast", status = "succeeded",
                        content = new { video_url = origin + "/files/v.mp4?sig=1", last_frame_url = origin + "/files/last.png?sig=1" },
                        resolution = "720p", ratio = "16:9", duration = 5, framespersecond = 24, seed = 42,
                        cost = new { amount_micros = 75_000, currency = "USD" }, created_at = 1767225600, updated_at = 1767225610,
                    }),
                    _ => Results.Json(new
                    {
                        id, status = finalStatus, error = new { code = "OutputVideoSensitiveContentDetected", message = "the output was blocked" },
                    }),
                };
            });
            app.MapGet("/files/v.mp4", () => Results.Bytes(Video, "video/mp4"));
            app.MapGet("/files/last.png", () => Results.Bytes(Png, "image/png"));
        });
    }

    private static Dictionary<string, string> Env(ArkTestServer server) =>
        new() { ["SEEDGATE_URL"] = server.BaseAddress.ToString(), ["SEEDGATE_API_KEY"] = "sg-env-key" };

    [Fact]
    public async Task Generate_submits_follows_the_task_downloads_the_video_to_out_and_prints_the_facts()
    {
        await using var server = await StartArkAsync();
        var directory = CliHarness.TempDirectory();
        var image = Path.Combine(directory, "first.png");
        await File.WriteAllBytesAsync(image, Png, CliHarness.Ct);
        var output = Path.Combine(directory, "clips", "fox.mp4");

        var run = await CliHarness.RunAsync(
            ["generate", "a fox in the snow", "--image", image, "--duration", "5", "--no-audio", "--seed", "42",
             "--style", "cinematic", "--camera-motion", "dolly_in", "--return-last-frame", "--fallback-model", "seedance-2.0-mini", "--out", output],
            Env(server));

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(Video, await File.ReadAllBytesAsync(output, CliHarness.Ct));
        var lastFrame = Path.Combine(directory, "clips", "fox.last-frame.png");
        Assert.Equal(Png, await File.ReadAllBytesAsync(lastFrame, CliHarness.Ct));
        Assert.False(File.Exists(output + ".part"));

        Assert.Contains("task        cgt-test-1", run.Out, StringComparison.Ordinal);
        Assert.Contains("file        " + output, run.Out, StringComparison.Ordinal);
        Assert.Contains("resolution  720p", run.Out, StringComparison.Ordinal);
        Assert.Contains("ratio       16:9", run.Out, StringComparison.Ordinal);
        Assert.Contains("duration    5s", run.Out, StringComparison.Ordinal);
        Assert.Contains("seed        42", run.Out, StringComparison.Ordinal);
        Assert.Contains("cost        0.075 USD", run.Out, StringComparison.Ordinal);

        // stderr is not a terminal here: plain status lines, no carriage returns.
        Assert.Contains("submitted cgt-test-1", run.Error, StringComparison.Ordinal);
        Assert.Contains("queued", run.Error, StringComparison.Ordinal);
        Assert.Contains("running", run.Error, StringComparison.Ordinal);
        Assert.Contains("50%", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', run.Error);

        var create = Assert.Single(server.RequestsTo("POST", ArkTestServer.TasksPath));
        Assert.Equal("Bearer sg-env-key", create.Header("Authorization"));
        Assert.StartsWith("cli-", create.Header("Idempotency-Key"), StringComparison.Ordinal);
        var body = JsonNode.Parse(create.Body)!;
        Assert.Equal("seedance-2.0-fast", (string?)body["model"]);
        Assert.Equal("""{"type":"text","text":"a fox in the snow"}""", body["content"]![0]!.ToJsonString());
        Assert.Equal("image_url", (string?)body["content"]![1]!["type"]);
        Assert.Equal("first_frame", (string?)body["content"]![1]!["role"]);
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(Png), (string?)body["content"]![1]!["image_url"]!["url"]);
        Assert.False((bool)body["generate_audio"]!);
        Assert.True((bool)body["return_last_frame"]!);
        Assert.Equal(42, (long)body["seed"]!);
        Assert.Equal("seedance-2.0-mini", (string?)body["fallback_model"]);
        Assert.Equal("dolly_in", (string?)body["camera_motion"]);
        Assert.Null(body["resolution"]);

        Assert.All(server.RequestsTo("GET", "/files/"), r => Assert.Null(r.Header("Authorization")));
    }

    [Fact]
    public async Task Generate_sends_reference_media_with_their_roles()
    {
        await using var server = await StartArkAsync();
        var directory = CliHarness.TempDirectory();

        var run = await CliHarness.RunAsync(
            ["generate", "dance", "--reference-image", "https://x/a.png", "--reference-image", "https://x/b.png",
             "--reference-video", "https://x/v.mp4", "--reference-audio", "https://x/a.mp3", "--audio", "--out", Path.Combine(directory, "o.mp4"),
             "--api-key", "sg-flag-key", "--url", server.BaseAddress.ToString()]);

        Assert.True(run.ExitCode == 0, run.Error);
        var create = Assert.Single(server.RequestsTo("POST", ArkTestServer.TasksPath));
        Assert.Equal("Bearer sg-flag-key", create.Header("Authorization"));
        var content = JsonNode.Parse(create.Body)!["content"]!.AsArray();
        Assert.Equal(
            ["text:", "image_url:reference_image", "image_url:reference_image", "video_url:reference_video", "audio_url:reference_audio"],
            content.Select(c => $"{c!["type"]}:{c["role"]}"));
        Assert.Equal("https://x/v.mp4", (string?)content[3]!["video_url"]!["url"]);
        Assert.True((bool)JsonNode.Parse(create.Body)!["generate_audio"]!);
    }

    [Fact]
    public async Task Generate_from_a_draft_sends_the_draft_task_item_and_the_new_model_with_no_prompt_needed()
    {
        await using var server = await StartArkAsync();
        var output = Path.Combine(CliHarness.TempDirectory(), "final.mp4");

        var run = await CliHarness.RunAsync(["generate", "--from", "cgt-draft-1", "--model", "seedance-2.0", "--out", output], Env(server));

        Assert.True(run.ExitCode == 0, run.Error);
        var body = JsonNode.Parse(Assert.Single(server.RequestsTo("POST", ArkTestServer.TasksPath)).Body)!;
        Assert.Equal("seedance-2.0", (string?)body["model"]);
        Assert.Equal("""[{"type":"draft_task","draft_task":{"id":"cgt-draft-1"}}]""", body["content"]!.ToJsonString());
        Assert.Null(body["seed"]); // the draft's seed, chosen by the server
    }

    [Fact]
    public async Task Generate_long_take_asks_for_one()
    {
        await using var server = await StartArkAsync();

        var run = await CliHarness.RunAsync(
            ["generate", "a drift over hills", "--model", "seedance-2.0", "--duration", "42", "--long-take", "--out", Path.Combine(CliHarness.TempDirectory(), "o.mp4")],
            Env(server));

        Assert.True(run.ExitCode == 0, run.Error);
        var body = JsonNode.Parse(Assert.Single(server.RequestsTo("POST", ArkTestServer.TasksPath)).Body)!;
        Assert.Equal((42, true), ((int)body["duration"]!, (bool)body["long_take"]!));
    }

    [Theory]
    [InlineData(new[] { "generate" }, "a prompt is needed (or --from TASK_ID")]
    [InlineData(new[] { "generate", "--from", " " }, "--from needs the id")]
    public async Task Generate_without_a_prompt_or_a_draft_exits_2(string[] args, string message)
    {
        await using var server = await StartArkAsync();

        var run = await CliHarness.RunAsync(args, Env(server));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Empty(server.RequestsTo("POST", ArkTestServer.TasksPath));
    }

    [Theory]
    [InlineData("failed", 4)]  // its error is the content check's: exit 4
    [InlineData("expired", 1)]
    public async Task A_task_that_does_not_succeed_exits_non_zero_with_its_error_code_on_stderr(string status, int exitCode)
    {
        await using var server = await StartArkAsync(status);
        var output = Path.Combine(CliHarness.TempDirectory(), "never.mp4");

        var run = await CliHarness.RunAsync(["generate", "forbidden", "--out", output], Env(server));

        Assert.Equal(exitCode, run.ExitCode);
        Assert.Contains($"task cgt-test-1 {status}: OutputVideoSensitiveContentDetected the output was blocked", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task An_invalid_request_prints_code_message_and_param_and_exits_3()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapPost(ArkTestServer.TasksPath, () => ArkTestServer.ArkError(400, "InvalidParameter", "duration must be 4-15", "duration")));

        // A duration the SDK's preflight lets through, refused by this server's own (stricter) rule.
        var run = await CliHarness.RunAsync(["generate", "x", "--duration", "5"], Env(server));

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("error InvalidParameter: duration must be 4-15 (param: duration)", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, "InputTextSensitiveContentDetected", 4)]
    [InlineData(402, "AccountOverdueError", 6)]
    [InlineData(404, "NotFound", 1)]
    public async Task Each_kind_of_refusal_has_its_exit_code(int status, string code, int exitCode)
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapPost(ArkTestServer.TasksPath, () => ArkTestServer.ArkError(status, code, "refused")));

        var run = await CliHarness.RunAsync(["generate", "x"], Env(server));

        Assert.Equal(exitCode, run.ExitCode);
        Assert.Contains($"error {code}: refused", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_prints_a_summary_or_json()
    {
        await using var server = await StartArkAsync();
        await CliHarness.RunAsync(["status", "cgt-test-1"], Env(server));
        await CliHarness.RunAsync(["status", "cgt-test-1"], Env(server));

        var summary = await CliHarness.RunAsync(["status", "cgt-test-1", "--wait", "5"], Env(server));
        var json = await CliHarness.RunAsync(["status", "cgt-test-1", "--json"], Env(server));

        Assert.Equal(0, summary.ExitCode);
        Assert.Contains("status      succeeded", summary.Out, StringComparison.Ordinal);
        Assert.Contains("model       seedance-2.0-fast", summary.Out, StringComparison.Ordinal);
        Assert.Contains("created     2026-01-01 00:00:00Z", summary.Out, StringComparison.Ordinal);
        Assert.Contains("?wait=5", server.Requests.ElementAt(2).Query, StringComparison.Ordinal);

        Assert.Equal(0, json.ExitCode);
        var node = JsonNode.Parse(json.Out)!;
        Assert.Equal("succeeded", (string?)node["status"]);
        Assert.Equal(75_000, (long)node["cost"]!["amount_micros"]!);
        Assert.Equal(1767225600, (long)node["created_at"]!);
        Assert.Equal(24, (int)node["framespersecond"]!);
        Assert.Null(node["is_terminal"]);
    }

    [Fact]
    public async Task Download_saves_the_video_or_the_last_frame()
    {
        await using var server = await StartArkAsync();
        await CliHarness.RunAsync(["status", "cgt-test-1"], Env(server));
        var directory = CliHarness.TempDirectory();

        var running = await CliHarness.RunAsync(["download", "cgt-test-1", "--out", Path.Combine(directory, "x.mp4")], Env(server));
        var video = await CliHarness.RunAsync(["download", "cgt-test-1", "--out", Path.Combine(directory, "v.mp4")], Env(server));
        var frame = await CliHarness.RunAsync(["download", "cgt-test-1", "--last-frame", "-o", Path.Combine(directory, "f.png")], Env(server));

        Assert.Equal(1, running.ExitCode);
        Assert.Contains("is running", running.Error, StringComparison.Ordinal);
        Assert.Equal(0, video.ExitCode);
        Assert.Equal(Path.Combine(directory, "v.mp4"), video.Out.Trim());
        Assert.Equal(Video, await File.ReadAllBytesAsync(Path.Combine(directory, "v.mp4"), CliHarness.Ct));
        Assert.Equal(0, frame.ExitCode);
        Assert.Equal(Png, await File.ReadAllBytesAsync(Path.Combine(directory, "f.png"), CliHarness.Ct));
    }

    [Fact]
    public async Task On_a_terminal_progress_is_redrawn_in_place()
    {
        await using var server = await StartArkAsync();

        var run = await CliHarness.RunAsync(["generate", "x", "--out", Path.Combine(CliHarness.TempDirectory(), "o.mp4")], Env(server), terminal: true);

        // The status display (Spectre.Console, ProgressDisplayTests) draws with control sequences; the download bar with \r.
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\u001b[", run.Error, StringComparison.Ordinal);
        Assert.Contains("succeeded", run.Error, StringComparison.Ordinal);
        Assert.Contains("\rdownloading [", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_C_while_waiting_exits_130_and_says_how_to_pick_the_task_up_again()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
        {
            app.MapPost(ArkTestServer.TasksPath, () => Results.Json(new { id = "cgt-slow" }));
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => Results.Json(new { id, status = "running" }));
        });
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var run = await CliHarness.RunAsync(["generate", "x"], Env(server), cancellationToken: ctrlC.Token);

        Assert.Equal(130, run.ExitCode);
        Assert.Contains("task cgt-slow keeps running on the server: `seedgate status cgt-slow`", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Longtake_sends_a_long_take_and_needs_its_length()
    {
        await using var server = await StartArkAsync();
        var output = Path.Combine(CliHarness.TempDirectory(), "take.mp4");

        var missing = await CliHarness.RunAsync(["longtake", "a long walk"], Env(server));
        var run = await CliHarness.RunAsync(["longtake", "a long walk", "--duration", "40", "--out", output, "--json"], Env(server));

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--duration", missing.Error, StringComparison.Ordinal);
        Assert.True(run.ExitCode == 0, run.Error);
        var body = JsonNode.Parse(server.RequestsTo("POST", ArkTestServer.TasksPath).Single().Body)!;
        Assert.Equal((true, 40), ((bool?)body["long_take"], (int?)body["duration"]));
        Assert.Equal(output, (string?)JsonNode.Parse(run.Out)!["file"]);
    }

    [Fact]
    public async Task Wait_gives_up_after_its_timeout_with_exit_code_7_and_a_failed_task_exits_with_its_code()
    {
        await using var running = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => Results.Json(new { id, status = "running" })));
        await using var failing = await StartArkAsync("failed");

        var timedOut = await CliHarness.RunAsync(["wait", "cgt-slow", "--timeout", "1"], Env(running));
        var failed = await CliHarness.RunAsync(["wait", "cgt-test-1", "--json"], Env(failing));

        Assert.Equal(7, timedOut.ExitCode);
        Assert.Contains("may still finish", timedOut.Error, StringComparison.Ordinal);
        Assert.Equal(4, failed.ExitCode); // content policy
        Assert.Equal("failed", (string?)JsonNode.Parse(failed.Out)!["status"]);
        Assert.Contains("OutputVideoSensitiveContentDetected", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_deletes_a_queued_task_and_leaves_a_finished_one()
    {
        var cancelled = false;
        await using var server = await ArkTestServer.StartAsync(app =>
        {
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => Results.Json(new
            {
                id, status = id == "cgt-done" ? "succeeded" : cancelled ? "cancelled" : "queued",
            }));
            app.MapDelete(ArkTestServer.TasksPath + "/{id}", (string id) =>
            {
                cancelled = true;
                return Results.Json(new { });
            });
        });

        var queued = await CliHarness.RunAsync(["cancel", "cgt-queued"], Env(server));
        var done = await CliHarness.RunAsync(["cancel", "cgt-done", "--json"], Env(server));

        Assert.True(queued.ExitCode == 0, queued.Error);
        Assert.Equal("cgt-queued cancelled", queued.Out.Trim());
        Assert.Equal("succeeded", (string?)JsonNode.Parse(done.Out)!["status"]);
        Assert.Single(server.RequestsTo("DELETE", ArkTestServer.TasksPath));
    }

    [Fact]
    public async Task List_prints_a_table_of_the_tasks_and_stops_at_the_limit()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath, (int page_num, int page_size) => Results.Json(new
            {
                items = Enumerable.Range((page_num - 1) * page_size, page_size).Select(i => new
                {
                    id = $"cgt-{i}", status = "succeeded", model = "seedance-2.0-fast", resolution = "720p", duration = 5,
                    cost = new { amount_micros = 75_000 }, created_at = 1767225600,
                }),
            })));

        var run = await CliHarness.RunAsync(["list", "--limit", "3", "--status", "succeeded"], Env(server));

        Assert.True(run.ExitCode == 0, run.Error);
        var lines = run.Out.Trim().Split('\n');
        Assert.Equal(4, lines.Length); // the header and three tasks
        Assert.StartsWith("id", lines[0], StringComparison.Ordinal);
        Assert.Contains("cgt-2", lines[3], StringComparison.Ordinal);
        Assert.Contains("0.075 USD", lines[1], StringComparison.Ordinal);
        Assert.Equal("?page_num=1&page_size=3&filter.status=succeeded", Assert.Single(server.Requests).Query);
    }

    [Fact]
    public async Task A_dry_run_checks_with_the_servers_rules_prints_the_estimate_and_sends_nothing()
    {
        await using var server = await StartArkAsync();

        var ok = await CliHarness.RunAsync(["generate", "a fox", "--resolution", "720p", "--duration", "6", "--dry-run"], Env(server));
        var broken = await CliHarness.RunAsync(["generate", "a fox", "--duration", "99", "--dry-run"], Env(server));
        var refused = await CliHarness.RunAsync(["generate", "a fox", "--duration", "99"], Env(server));

        Assert.True(ok.ExitCode == 0, ok.Error);
        Assert.Contains("estimate    0.09 USD", ok.Out, StringComparison.Ordinal); // 6 s of 720p Fast at $0.015
        Assert.Equal(3, broken.ExitCode);
        Assert.Contains("(param: duration)", broken.Error, StringComparison.Ordinal);
        Assert.Equal(3, refused.ExitCode); // the preflight refuses before the submit, too
        Assert.Empty(server.Requests);
    }
}
