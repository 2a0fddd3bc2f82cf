using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Seedgate.Cli.Tests;

/// <summary>`seedgate serve` as a real process: crash recovery, the ffmpeg start-up check, and `generate` against it.</summary>
public sealed class ServeProcessTests : IDisposable
{
    private const string Key = "sg-process-test-key-0123456789abcdefghijkl";
    private const string Tasks = "/api/v3/contents/generations/tasks";
    private readonly string _data = CliHarness.TempDirectory();
    private readonly List<Process> _processes = [];

    [Fact]
    public async Task KilledMidRender_TheJobFinishesAfterARestart_AndIsNotLost()
    {
        var port = FreePort();
        using var http = Client(port);
        var first = Serve(port);
        await WaitHealthyAsync(http);
        using var created = await http.PostAsJsonAsync(Tasks, new
        {
            model = "seedance-2.0-fast",
            content = new object[] { new { type = "text", text = "rain over a neon city at night" } },
            resolution = "480p",
            duration = 15,
            generate_audio = true,
        });
        var id = (string)(await ReadAsync(created))["id"]!;

        // Kill -9 as soon as the job is running (a 15 s clip takes seconds to render, so this is mid-render).
        for (var i = 0; i < 500 && (string?)(await GetTaskAsync(http, id))["status"] != "running"; i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal("running", (string?)(await GetTaskAsync(http, id))["status"]);
        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();

        Serve(port);
        await WaitHealthyAsync(http);
        var task = await GetTaskAsync(http, id, wait: 60);
        if ((string?)task["status"] == "running")
        {
            task = await GetTaskAsync(http, id, wait: 60);
        }

        Assert.Equal("succeeded", (string?)task["status"]);
        Assert.Equal(15, (int)task["duration"]!);
        using var video = await http.GetAsync((string)task["content"]!["video_url"]!);
        Assert.Equal(HttpStatusCode.OK, video.StatusCode);
        Assert.True((await video.Content.ReadAsByteArrayAsync()).Length > 10_000);
    }

    /// <summary>
    /// The outbox under kill -9: the job's first delivery is on its way (the receiver holds it unanswered) while the job
    /// runs to its end, so every transition committed and none was delivered; the gateway is killed, restarted on the
    /// same data, and every event arrives, in order, signed, the one in flight with the webhook-id it had — at once, not
    /// when its lease (90 s here, longer than the test waits) would have run out: the restarted node frees its own leases.
    /// </summary>
    [Fact]
    public async Task Killed_with_a_delivery_in_flight_every_event_arrives_after_a_restart()
    {
        await using var receiver = await Seedgate.Server.Tests.Infrastructure.WebhookReceiver.StartAsync();
        string[] webhooks = ["--Seedgate:Fetch:AllowedNetworks:0=127.0.0.1/32", "--Seedgate:Webhooks:Timeout=00:01:00", "--Seedgate:Webhooks:Lease=00:01:30",
            "--Seedgate:Webhooks:PollInterval=00:00:00.2"];
        var port = FreePort();
        using var http = Client(port);
        var first = Serve(port, webhooks);
        await WaitHealthyAsync(http);
        using var endpoint = await http.PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url("/hooks") });
        var secret = (string)(await ReadAsync(endpoint))["secret"]!;
        receiver.HoldNext("/hooks");

        using var created = await http.PostAsJsonAsync(Tasks, new
        {
            model = "seedance-2.0-fast",
            content = new object[] { new { type = "text", text = "a paper boat in the rain" } },
            resolution = "480p",
            duration = 4,
            generate_audio = false,
        });
        var id = (string)(await ReadAsync(created))["id"]!;
        var held = await receiver.NextAsync();
        Assert.Equal(("job.queued", 0), ((string?)held.Json["type"], held.Answer));
        var task = await GetTaskAsync(http, id, wait: 60);
        Assert.Equal("succeeded", (string?)task["status"]);
        Assert.True(await receiver.StaysQuietAsync(TimeSpan.FromMilliseconds(500)), "the job's later events wait behind the one in flight");

        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();
        Serve(port, webhooks);
        await WaitHealthyAsync(http);

        var received = await receiver.UntilAsync(m => (string?)m.Json["type"] == "job.succeeded", TimeSpan.FromSeconds(60));
        Assert.Equal(["job.queued", "job.running", "job.succeeded"], received.Select(m => (string?)m.Json["type"]));
        Assert.Equal(held.Id, received[0].Id);
        Assert.All(received, m => Assert.Equal(200, m.Answer));
        Assert.All(await Seedgate.Server.Tests.Infrastructure.WebhookReceiver.VerifyAsync(secret, received), v => Assert.Equal("true", v?.ToJsonString()));
    }

    [Fact]
    public async Task Serve_WithoutFfmpeg_FailsAtOnceWithAClearMessage()
    {
        var process = Serve(FreePort(), "--Seedgate:Ffmpeg:FfmpegPath=/nonexistent/ffmpeg");
        var error = process.StandardError.ReadToEndAsync();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, process.ExitCode);
        Assert.Contains("ffmpeg", await error);
        Assert.Contains("cannot start", await error);
    }

    [Fact]
    public async Task Generate_AgainstTheRealGateway_DownloadsTheVideo()
    {
        var port = FreePort();
        using var http = Client(port);
        Serve(port);
        await WaitHealthyAsync(http);
        var output = Path.Combine(_data, "cat.mp4");

        var run = await CliHarness.RunAsync(
            ["generate", "An orange cat in cherry blossom rain", "--resolution", "480p", "--duration", "4", "--ratio", "1:1", "--out", output],
            new Dictionary<string, string> { ["SEEDGATE_URL"] = $"http://127.0.0.1:{port}", ["SEEDGATE_API_KEY"] = Key });

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("cgt-", run.Out);
        var bytes = await File.ReadAllBytesAsync(output);
        Assert.True(bytes.Length > 10_000);
        Assert.Equal("ftyp"u8.ToArray(), bytes[4..8]);

        // The other commands, for scripts: list, wait and download with --json, against the same task.
        var env = new Dictionary<string, string> { ["SEEDGATE_URL"] = $"http://127.0.0.1:{port}", ["SEEDGATE_API_KEY"] = Key };
        var list = await CliHarness.RunAsync(["list", "--json"], env);
        Assert.True(list.ExitCode == 0, list.Error);
        var task = Assert.Single(System.Text.Json.Nodes.JsonNode.Parse(list.Out)!.AsArray())!;
        var id = (string)task["id"]!;
        Assert.Equal(("succeeded", "480p"), ((string?)task["status"], (string?)task["resolution"]));

        var again = Path.Combine(_data, "again.mp4");
        var wait = await CliHarness.RunAsync(["wait", id, "--out", again, "--json"], env);
        Assert.True(wait.ExitCode == 0, wait.Error);
        var waited = System.Text.Json.Nodes.JsonNode.Parse(wait.Out)!;
        Assert.Equal((id, again), ((string?)waited["id"], (string?)waited["file"]));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(again));

        var download = await CliHarness.RunAsync(["download", id, "--out", again, "--json"], env);
        Assert.True(download.ExitCode == 0, download.Error);
        Assert.Equal(bytes.Length, (long)System.Text.Json.Nodes.JsonNode.Parse(download.Out)!["bytes"]!);
    }

    [Fact]
    public async Task Default_logs_tell_the_jobs_story_with_its_ids_and_nothing_per_request_nor_any_signed_url()
    {
        var port = FreePort();
        using var http = Client(port);
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = Serve(port);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Enqueue(e.Data);
            }
        };
        await WaitHealthyAsync(http);
        using var create = new HttpRequestMessage(HttpMethod.Post, Tasks)
        {
            Content = JsonContent.Create(new
            {
                model = "seedance-2.0-fast",
                content = new object[] { new { type = "text", text = "a lantern on a quiet lake" } },
                resolution = "480p",
                duration = 4,
            }),
        };
        create.Headers.Add("X-Client-Request-Id", "corr-77");
        using var created = await http.SendAsync(create);
        var id = (string)(await ReadAsync(created))["id"]!;
        var task = await GetTaskAsync(http, id, wait: 60);
        Assert.Equal("succeeded", (string?)task["status"]);
        for (var i = 0; i < 20; i++)
        {
            using var video = await http.GetAsync((string)task["content"]!["video_url"]!);
            using var missing = await http.GetAsync("/no/such/route?sig=not-a-secret");

            // Hostile ones too: a forged signature, a broken body, an unknown key. None may add log lines.
            using var forged = await http.GetAsync("/files/outputs/x/video.mp4?exp=1&sig=!" + new string('A', 42));
            using var broken = await http.PostAsync(Tasks, new StringContent("{\"model\":", System.Text.Encoding.UTF8, "application/json"));
            using var stranger = new HttpRequestMessage(HttpMethod.Get, Tasks);
            stranger.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sg-unknown");
            using var refused = await http.SendAsync(stranger);
        }

        // The job's last line says it succeeded; wait for it (bounded: the console logger writes from its own queue,
        // which lags on a loaded machine) rather than for a fixed time.
        bool Told(string line) => line.Contains($"JobId={id}", StringComparison.Ordinal)
            && line.Contains("CorrelationId=corr-77", StringComparison.Ordinal) && line.Contains("succeeded", StringComparison.Ordinal);
        for (var i = 0; i < 600 && !lines.Any(Told); i++)
        {
            await Task.Delay(50);
        }

        var log = lines.ToArray();
        Assert.True(log.Any(Told), string.Join('\n', log));
        Assert.DoesNotContain(log, l => l.Contains("sig=", StringComparison.Ordinal) || l.Contains("Request starting", StringComparison.Ordinal));
        Assert.DoesNotContain(log, l => l.Contains("System.Collections.Generic", StringComparison.Ordinal));
        Assert.True(log.Length < 20, string.Join('\n', log)); // 101 requests, 60 of them hostile: no line of their own
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }

        Directory.Delete(_data, recursive: true);
    }

    private Process Serve(int port, params string[] extra)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "seedgate.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { cli, "serve", "--urls", $"http://127.0.0.1:{port}", "--data", _data, "--Seedgate:Dispatch:Lease=00:00:05" }.Concat(extra))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["SEEDGATE_API_KEY"] = Key;
        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        _processes.Add(process);
        return process;
    }

    private static HttpClient Client(int port)
    {
        var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(90) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return http;
    }

    private static Task WaitHealthyAsync(HttpClient http) => CliHarness.WaitHealthyAsync(http);

    private static async Task<JsonObject> GetTaskAsync(HttpClient http, string id, int wait = 0)
    {
        using var response = await http.GetAsync($"{Tasks}/{id}?wait={wait}");
        return await ReadAsync(response);
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return (JsonObject)JsonNode.Parse(text)!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
