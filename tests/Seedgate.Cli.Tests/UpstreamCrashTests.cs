using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Seedgate.Server.Simulator;

namespace Seedgate.Cli.Tests;

/// <summary>
/// The Ark engine under kill -9: a real `seedgate serve` process runs jobs on an upstream simulator in this process,
/// through a recording proxy; the gateway is killed once the simulator has acted on a chosen request and before the
/// answer reaches it (the task exists upstream, its id never reached the gateway; a poll or a download was answered
/// into the void), restarted on the same data, and every job must succeed with exactly one upstream task.
/// </summary>
public sealed class UpstreamCrashTests : IAsyncLifetime, IDisposable
{
    private const string Key = "sg-upstream-crash-test-key-0123456789abc";
    private const string SimKey = "sim-upstream-crash-key-0123456789";
    private const string Tasks = "/api/v3/contents/generations/tasks";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _data = CliHarness.TempDirectory();
    private readonly int _port = FreePort();
    private readonly ConcurrentQueue<string> _output = new();
    private UpstreamSimulator? _simulator;
    private RecordingProxy? _proxy;
    private Process? _gateway;
    private HttpClient _http = null!;
    private bool _callbacks;

    private UpstreamSimulator Simulator => _simulator ?? throw new InvalidOperationException("The upstream is not started.");

    private RecordingProxy Proxy => _proxy ?? throw new InvalidOperationException("The upstream is not started.");

    public Task InitializeAsync()
    {
        _http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(90) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return Task.CompletedTask;
    }

    /// <summary>The simulator and the recording proxy before it.</summary>
    private async Task StartUpstreamAsync()
    {
        _simulator = await UpstreamSimulator.StartAsync(
            new SimulatorOptions
            {
                Urls = ["http://127.0.0.1:0"],
                ApiKey = SimKey,
                LatencyMs = 300,
                LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
                CallbackTimeout = TimeSpan.FromSeconds(2), // a terminal callback refused by a gateway being restarted is retried soon
            },
            CancellationToken.None);
        _proxy = await RecordingProxy.StartAsync(_simulator.RootUrl);
    }

    [Theory]
    [InlineData("create")]      // the task exists upstream, the gateway never learnt its id: found again by its seed
    [InlineData("create,list")] // … and the answer of the list that looks for it is lost as well
    [InlineData("get")]         // resumed from its checkpoint, mid-poll
    [InlineData("file")]        // the task ended, its output being copied
    public async Task Killed_at_a_point_of_its_life_the_job_succeeds_with_one_upstream_task(string kills)
    {
        await StartUpstreamAsync();
        var points = kills.Split(',');
        var killed = await StartGatewayAsync(KillAt(points[0], 1));
        var id = await SubmitAsync("one take");

        foreach (var next in points.Skip(1).Select(kind => KillAt(kind, 1)).Append(null))
        {
            await WaitKilledAsync(killed);
            killed = await StartGatewayAsync(next);
        }

        await AssertEachSucceededWithOneTaskAsync([id]);
    }

    /// <summary>
    /// Three kills while 6 jobs run (3 upstream slots), each counted from the restart before it: at the 2nd create, then
    /// by polls at the 1st list (the lost create's reconcile lists for certain) and at the 1st download, or by callbacks
    /// at the 1st download and at the 3rd request of any kind. Each is sure to come (at least that many requests remain:
    /// 3 jobs at least had no create at the first kill), and three is as often as a job may be lost mid-step before it is given
    /// up for good (Seedgate:Dispatch:MaxLapses).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Killed_again_and_again_while_jobs_run_every_job_succeeds_with_one_upstream_task(bool callbacks)
    {
        _callbacks = callbacks;
        await StartUpstreamAsync();
        (string Kind, int Nth)[] plan = callbacks
            ? [("create", 2), ("file", 1), ("any", 3)]
            : [("create", 2), ("list", 1), ("file", 1)];
        var killed = await StartGatewayAsync(KillAt(plan[0].Kind, plan[0].Nth));
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await SubmitAsync($"take {i}"));
        }

        foreach (var next in plan.Skip(1).Select(p => KillAt(p.Kind, p.Nth)).Append(null))
        {
            await WaitKilledAsync(killed);
            killed = await StartGatewayAsync(next);
        }

        await AssertEachSucceededWithOneTaskAsync(ids);
    }

    /// <summary>
    /// The create's answer lost, the task's callback comes while the restarted gateway's list that looks for the task is
    /// on its way: the id it told is the job's own (not another job's, which would send the job again), and the end it
    /// told is collected at once, though it came while the job was held (not at the safety-net look, 45 s on). The
    /// callback is the simulator's task object, posted by the test to the URL the create carried (the simulator was
    /// given none), while the first list is answered; the gateway was down long enough for that list to decide.
    /// </summary>
    [Fact]
    public async Task A_long_take_killed_between_segments_finishes_on_restart_without_making_a_finished_segment_again()
    {
        await StartUpstreamAsync();
        // Killed when the second segment's create is answered: the first segment is stored, the second sent.
        var killed = await StartGatewayAsync(KillAt("create", 2));
        using var created = await _http.PostAsJsonAsync(Tasks, new
        {
            model = "seedance-2.0-fast",
            content = new object[] { new { type = "text", text = "one long take across a restart" } },
            resolution = "480p",
            duration = 16,
            long_take = true,
            generate_audio = false,
        });
        var id = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!;
        await WaitKilledAsync(killed);
        await StartGatewayAsync(null);

        var task = await WaitEndAsync(id);
        Assert.True((string?)task["status"] == "succeeded", $"{task.ToJsonString()}\n{Diagnostics()}");
        Assert.Equal(["succeeded", "succeeded"], task["long_take"]!["segments"]!.AsArray().Select(s => (string)s!["status"]!));
        Assert.Equal(16, (int)task["duration"]!);
        Assert.Equal(160_000L, (long)task["cost"]!["amount_micros"]!); // 16 s of Fast 480p; a long take is not a free-quota clip
        var stats = Simulator.Stats();
        Assert.True(stats.TasksCreated == 2, $"{stats}\n{Diagnostics()}"); // one task a segment: the finished one never made again
    }

    [Fact]
    public async Task Killed_at_the_create_a_callback_while_the_task_is_looked_for_tells_the_jobs_own_task()
    {
        _callbacks = true;
        await StartUpstreamAsync();
        Proxy.DropCallbackUrls = true; // the simulator's own callbacks would tell the task whenever they land
        var killed = await StartGatewayAsync(KillAt("create", 1));
        var id = await SubmitAsync("one take");
        await WaitKilledAsync(killed);
        var sent = Stopwatch.GetTimestamp(); // after the intent was recorded and the create answered
        var create = Proxy.Requests.Single(r => r.Kind == "create");
        var callbackUrl = (string)JsonNode.Parse(create.Body!)!["callback_url"]!;
        var taskId = (string)JsonNode.Parse(create.Answer!)!["id"]!;

        // Down past the create's request timeout (2 s) and reconcile margin (0.5 s): the restarted gateway's first look
        // decides between "found" and "never created" (the downtime is the scenario, not a wait for something).
        var down = TimeSpan.FromSeconds(2.6) - Stopwatch.GetElapsedTime(sent);
        if (down > TimeSpan.Zero)
        {
            await Task.Delay(down);
        }

        var told = new TaskCompletionSource<HttpStatusCode>(TaskCreationOptions.RunContinuationsAsynchronously);
        var once = 0;
        await StartGatewayAsync(null, async request =>
        {
            if (request.Kind == "list" && Interlocked.Exchange(ref once, 1) == 0)
            {
                told.TrySetResult(await CallBackAsync(callbackUrl, taskId));
            }
        });

        if (await Task.WhenAny(told.Task, Task.Delay(Bound)) != told.Task)
        {
            Assert.Fail($"No list came within {Bound.TotalSeconds} s.\n{Diagnostics()}");
        }

        Assert.Equal(HttpStatusCode.OK, await told.Task);
        var since = Stopwatch.GetTimestamp();
        await AssertEachSucceededWithOneTaskAsync([id]);
        var took = Stopwatch.GetElapsedTime(since);
        Assert.True(took < TimeSpan.FromSeconds(15), $"Told of its end, the job still took {took}.\n{Diagnostics()}");
    }

    /// <summary>Posts the task as the simulator has it now (its GET and callback bodies are the same object) to a callback URL, as Ark does.</summary>
    private async Task<HttpStatusCode> CallBackAsync(string callbackUrl, string taskId)
    {
        using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(Simulator.BaseUrl, $"contents/generations/tasks/{taskId}"));
        get.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SimKey);
        using var task = await _http.SendAsync(get);
        task.EnsureSuccessStatusCode();
        using var body = new StringContent(await task.Content.ReadAsStringAsync(), System.Text.Encoding.UTF8, "application/json");
        using var delivered = await _http.PostAsync(new Uri(callbackUrl), body);
        return delivered.StatusCode;
    }

    /// <summary>Matches the <paramref name="nth"/> answered request of a kind ("any": of every kind) since it was armed.</summary>
    private static Func<ProxiedRequest, bool> KillAt(string kind, int nth)
    {
        var seen = 0;
        return request => (kind == "any" || request.Kind == kind) && Interlocked.Increment(ref seen) == nth;
    }

    /// <summary>
    /// Starts the gateway; with <paramref name="killWhen"/>, arms the proxy (before the gateway can send anything) to
    /// kill it (kill -9) at the first answered request that matches, before the answer is passed on. The task ends
    /// when it is dead. Without, <paramref name="onAnswered"/> (if any) runs before each answer is passed on.
    /// </summary>
    private async Task<Task> StartGatewayAsync(Func<ProxiedRequest, bool>? killWhen, Func<ProxiedRequest, Task>? onAnswered = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "seedgate.dll"), "serve", "--urls", $"http://127.0.0.1:{_port}", "--data", _data,
            $"--Seedgate:Upstreams:sim:BaseUrl={Proxy.BaseUrl}",
            "--Seedgate:Upstreams:sim:ApiKeyVariable=SIM_KEY",
            "--Seedgate:Upstreams:sim:RequestTimeout=00:00:02",
            "--Seedgate:Upstreams:sim:RequestsPerSecond=50",
            "--Seedgate:Upstreams:sim:TasksInFlight=3",
            "--Seedgate:Upstream:ReconcileMargin=00:00:00.500",
            "--Seedgate:Upstream:MinPollInterval=00:00:00.100",
            "--Seedgate:Upstream:MaxPollInterval=00:00:00.300",
            "--Seedgate:Upstream:CallbackGrace=00:00:00.500",
            "--Seedgate:Dispatch:PollInterval=00:00:00.100",
            "--Seedgate:Dispatch:RetryBaseDelay=00:00:00.200",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Seedgate=Information", // submitted, reconciled, "never created": what a failure needs told
        }.Concat(_callbacks ? [$"--Seedgate:PublicBaseUrl=http://127.0.0.1:{_port}"] : []).Concat(CliHarness.GenerousPlan))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["SEEDGATE_API_KEY"] = Key;
        info.Environment["SIM_KEY"] = SimKey;
        _gateway?.Dispose();
        var gateway = _gateway = Process.Start(info)!;
        gateway.OutputDataReceived += (_, e) => Keep(e.Data);
        gateway.ErrorDataReceived += (_, e) => Keep(e.Data);
        gateway.BeginOutputReadLine();
        gateway.BeginErrorReadLine();

        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fired = 0;
        Proxy.OnAnswered = killWhen is null ? Pass(onAnswered) : async request =>
        {
            if (!killWhen(request) || Interlocked.Exchange(ref fired, 1) != 0)
            {
                return false;
            }

            Keep($"[test] kill -9 at {request.Kind} {request.Method} {request.Path} (answered {request.Status})");
            gateway.Kill(entireProcessTree: true);
            await gateway.WaitForExitAsync();
            killed.TrySetResult();
            return true;
        };
        if (killWhen is null)
        {
            killed.SetResult();
        }

        try
        {
            await CliHarness.WaitHealthyAsync(_http, gateway, Diagnostics);
        }
        catch (InvalidOperationException) when (Volatile.Read(ref fired) == 1)
        {
            // Killed before it answered /healthz: a restarted gateway resumes its jobs (a reconcile's list) while it starts.
        }

        return killed.Task;
    }

    private static Func<ProxiedRequest, Task<bool>>? Pass(Func<ProxiedRequest, Task>? onAnswered) =>
        onAnswered is null ? null : async request =>
        {
            await onAnswered(request);
            return false;
        };

    private async Task WaitKilledAsync(Task killed)
    {
        if (await Task.WhenAny(killed, Task.Delay(Bound)) != killed)
        {
            Assert.Fail($"The kill point never came within {Bound.TotalSeconds} s.\n{Diagnostics()}");
        }
    }

    private async Task<string> SubmitAsync(string prompt)
    {
        using var created = await _http.PostAsJsonAsync(Tasks, new
        {
            model = "seedance-2.0-fast",
            content = new object[] { new { type = "text", text = prompt } },
            resolution = "480p",
            duration = 4,
            generate_audio = false,
        });
        var body = (JsonObject)JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.True(created.IsSuccessStatusCode, body.ToJsonString());
        return (string)body["id"]!;
    }

    /// <summary>Each job succeeded with a video one can download; the upstream made one task per job and never a second of a prompt.</summary>
    private async Task AssertEachSucceededWithOneTaskAsync(List<string> ids)
    {
        foreach (var id in ids)
        {
            var task = await WaitEndAsync(id);
            Assert.True((string?)task["status"] == "succeeded", $"{id}: {task.ToJsonString()}\n{Diagnostics()}");
            var video = await _http.GetByteArrayAsync((string)task["content"]!["video_url"]!);
            Assert.True(video.Length > 8 && "ftyp"u8.SequenceEqual(video.AsSpan(4, 4)), $"{id}: the video is not an MP4 ({video.Length} bytes)");
        }

        var stats = Simulator.Stats();
        Assert.True(stats.TasksCreated == ids.Count && stats.DuplicatePrompts == 0, $"{stats}\n{Diagnostics()}");
    }

    private async Task<JsonObject> WaitEndAsync(string id)
    {
        JsonObject task = [];
        for (var i = 0; i < 4 && (string?)task["status"] is not ("succeeded" or "failed" or "expired" or "cancelled"); i++)
        {
            using var response = await _http.GetAsync($"{Tasks}/{id}?wait=20");
            task = (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        }

        return task;
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    /// <summary>What went through the proxy and what the gateways wrote (Seedgate's Information and above), for a failure's message.</summary>
    private string Diagnostics() =>
        "Upstream requests:\n" + string.Join('\n', Proxy.Requests.Select(r => $"  {r.Kind} {r.Method} {r.Path} → {r.Status}"))
        + "\nGateway output:\n" + string.Join('\n', _output.TakeLast(80));

    public async Task DisposeAsync()
    {
        if (_gateway is { HasExited: false })
        {
            _gateway.Kill(entireProcessTree: true);
            await _gateway.WaitForExitAsync();
        }

        _gateway?.Dispose();
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }

    public void Dispose() => _http.Dispose();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
