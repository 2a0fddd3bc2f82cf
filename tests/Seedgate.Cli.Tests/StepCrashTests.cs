using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Seedgate.Cli.Tests;

/// <summary>
/// Step-based engines under kill -9: a real `seedgate serve` process runs jobs on the remote-test engine against a fake
/// remote in this process; the gateway is killed at each point of a job's life, restarted on the same data, and every
/// job must finish with exactly one submission to the remote.
/// </summary>
public sealed class StepCrashTests : IAsyncLifetime, IDisposable
{
    private const string Key = "sg-step-crash-test-key-0123456789abcdefgh";
    private const string Tasks = "/api/v3/contents/generations/tasks";
    private const string Model = "seedgate-remote-test";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string _data = CliHarness.TempDirectory();
    private readonly int _port = FreePort();
    private FakeRemote _remote = null!;
    private Process? _gateway;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _remote = await FakeRemote.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(_data, "catalog.json"), Cluster.CatalogWith(Model, "remote-test"));
        _http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(90) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
    }

    [Theory]
    [InlineData("create", 1)] // the remote has the task, the gateway never learnt its id
    [InlineData("poll", 1)]   // resumed from its checkpoint, mid-poll
    [InlineData("poll", 2)]   // the poll that would have said "succeeded"
    public async Task Killed_at_a_point_of_its_life_the_job_finishes_with_one_submission(string kind, int nth)
    {
        await StartGatewayAsync();
        var killedAt = KillOn((k, _, count) => k == kind && count == nth);
        var id = await SubmitAsync("one take");

        await killedAt.WaitAsync(Bound);
        await StartGatewayAsync();

        Assert.Equal("succeeded", await WaitStatusAsync(id));
        Assert.Equal(1, _remote.Creates(id));
    }

    [Fact]
    public async Task Killed_again_and_again_while_jobs_run_every_job_finishes_once()
    {
        await StartGatewayAsync();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await SubmitAsync($"take {i}"));
        }

        // Three kills at the 3rd, 8th and 14th remote request after each restart, whatever they are.
        foreach (var nth in new[] { 3, 8, 14 })
        {
            var seen = 0;
            var killed = KillOn((_, _, _) => Interlocked.Increment(ref seen) == nth);
            if (await Task.WhenAny(killed, Task.Delay(Bound)) != killed)
            {
                break; // every job finished before this kill point
            }

            await StartGatewayAsync();
        }

        foreach (var id in ids)
        {
            Assert.Equal("succeeded", await WaitStatusAsync(id));
            Assert.Equal(1, _remote.Creates(id));
        }
    }

    /// <summary>
    /// Kills the gateway (kill -9) inside the remote's handler of the first request that matches (its kind, its job, and
    /// how many requests of that kind came since), before the request is answered.
    /// </summary>
    private Task KillOn(Func<string, string, int, bool> matches)
    {
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gateway = _gateway!;
        var counts = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var fired = 0;
        _remote.OnRequest = async (kind, jobId, _) =>
        {
            if (matches(kind, jobId, counts.AddOrUpdate(kind, 1, (_, n) => n + 1)) && Interlocked.Exchange(ref fired, 1) == 0)
            {
                _remote.OnRequest = null;
                gateway.Kill(entireProcessTree: true);
                await gateway.WaitForExitAsync();
                killed.TrySetResult();
            }
        };
        return killed.Task;
    }

    private async Task StartGatewayAsync()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "seedgate.dll"), "serve", "--urls", $"http://127.0.0.1:{_port}", "--data", _data,
            $"--Seedgate:CatalogPath={Path.Combine(_data, "catalog.json")}",
            $"--Seedgate:Engines:RemoteTest:BaseUrl={_remote.BaseAddress}",
            "--Seedgate:Engines:RemoteTest:PollInterval=00:00:00.100",
            "--Seedgate:Dispatch:PollInterval=00:00:00.100",
            "--Logging:LogLevel:Default=Warning",
        }.Concat(CliHarness.GenerousPlan))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["SEEDGATE_API_KEY"] = Key;
        _gateway?.Dispose();
        _gateway = Process.Start(info)!;
        _gateway.OutputDataReceived += (_, _) => { };
        _gateway.ErrorDataReceived += (_, _) => { };
        _gateway.BeginOutputReadLine();
        _gateway.BeginErrorReadLine();
        await CliHarness.WaitHealthyAsync(_http, _gateway);
    }

    private async Task<string> SubmitAsync(string prompt)
    {
        using var created = await _http.PostAsJsonAsync(Tasks, new
        {
            model = Model,
            content = new object[] { new { type = "text", text = prompt } },
            duration = 4,
        });
        var body = (JsonObject)JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.True(created.IsSuccessStatusCode, body.ToJsonString());
        return (string)body["id"]!;
    }

    private async Task<string?> WaitStatusAsync(string id)
    {
        string? status = null;
        for (var i = 0; i < 4 && status is not ("succeeded" or "failed" or "expired" or "cancelled"); i++)
        {
            using var response = await _http.GetAsync($"{Tasks}/{id}?wait=20");
            var task = (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            status = (string?)task["status"];
        }

        return status;
    }

    public async Task DisposeAsync()
    {
        if (_gateway is { HasExited: false })
        {
            _gateway.Kill(entireProcessTree: true);
            await _gateway.WaitForExitAsync();
        }

        _gateway?.Dispose();
        await _remote.DisposeAsync();
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
