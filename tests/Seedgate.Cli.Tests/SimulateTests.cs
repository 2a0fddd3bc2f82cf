using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Seedgate.Server.Simulator;

namespace Seedgate.Cli.Tests;

/// <summary>`simulate` checks its flags, hands them to the upstream simulator, prints its base URL and stops on Ctrl+C.</summary>
public sealed class SimulateTests
{
    [Theory]
    [InlineData("--qps", "--qps", "0")]
    [InlineData("--qps", "--qps", "fast")]
    [InlineData("--max-in-flight", "--max-in-flight", "0")]
    [InlineData("--latency-ms", "--latency-ms", "-5")]
    [InlineData("--jitter-ms", "--jitter-ms", "1.5")]
    [InlineData("--fail-rate", "--fail-rate", "1.5")]
    [InlineData("--error-rate", "--error-rate", "-0.1")]
    [InlineData("--hang-rate", "--hang-rate", "half")]
    [InlineData("--quirk-rate", "--quirk-rate", "2")]
    [InlineData("--url-ttl-s", "--url-ttl-s", "0")]
    [InlineData("--random-seed", "--random-seed", "x")]
    [InlineData("--quirks", "--quirks", "no-video,sideways")]
    [InlineData("--failing-models", "--failing-models", "dreamina-seedance-9")]
    [InlineData("--failing-tasks", "--failing-tasks", "2,0")]
    [InlineData("--failing-tasks", "--failing-tasks", "second")]
    [InlineData("--queue-over-capacity", "--queue-over-capacity")]
    [InlineData("--urls", "--urls", "ftp://127.0.0.1:1")]
    public async Task A_bad_flag_value_is_a_usage_error_naming_the_flag(string flag, params string[] args)
    {
        var run = await CliHarness.RunAsync(["simulate", .. args]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
        Assert.Contains(flag, run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task The_flags_become_the_simulator_options()
    {
        SimulatorOptions? received = null;
        var run = await CliHarness.RunAsync(
            [
                "simulate", "--urls", "http://127.0.0.1:9191;http://127.0.0.1:9192", "--data", "/tmp/sim", "--qps", "2.5", "--max-in-flight", "3",
                "--queue-over-capacity", "--latency-ms", "150", "--jitter-ms", "20", "--fail-rate", "0.1", "--error-rate", "0.2", "--hang-rate", "0.05",
                "--policy-words", "gore, violence", "--url-ttl-s", "60", "--quirks", "no-video,relay-statuses", "--quirk-rate", "0.5",
                "--api-key", "sim-key", "--random-seed", "11", "--failing-models", "dreamina-seedance-2-0,doubao-seedance-2-0-fast-260128",
                "--failing-tasks", "2, 5",
            ],
            runSimulator: (options, _, _, _) =>
            {
                received = options;
                return Task.FromResult(0);
            });

        Assert.Equal(0, run.ExitCode);
        Assert.NotNull(received);
        Assert.Equal(["http://127.0.0.1:9191", "http://127.0.0.1:9192"], received.Urls);
        Assert.Equal("/tmp/sim", received.DataDirectory);
        Assert.Equal((2.5, 3, true), (received.Qps, received.MaxInFlight, received.QueueOverCapacity));
        Assert.Equal((150, 20), (received.LatencyMs, received.JitterMs));
        Assert.Equal((0.1, 0.2, 0.05, 0.5), (received.FailRate, received.ErrorRate, received.HangRate, received.QuirkRate));
        Assert.Equal(["gore", "violence"], received.PolicyWords);
        Assert.Equal(60, received.UrlTtlSeconds);
        Assert.Equal(["no-video", "relay-statuses"], received.Quirks);
        Assert.Equal(["dreamina-seedance-2-0", "doubao-seedance-2-0-fast-260128"], received.FailingModels);
        Assert.Equal([2, 5], received.FailingTasks);
        Assert.Equal(("sim-key", 11), (received.ApiKey, received.RandomSeed));
    }

    [Fact]
    public async Task Without_flags_the_defaults_hold()
    {
        SimulatorOptions? received = null;
        var run = await CliHarness.RunAsync(["simulate"], runSimulator: (options, _, _, _) =>
        {
            received = options;
            return Task.FromResult(0);
        });

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            new SimulatorOptions() with
            {
                Urls = received!.Urls, PolicyWords = received.PolicyWords, Quirks = received.Quirks, FailingModels = received.FailingModels,
                FailingTasks = received.FailingTasks,
            },
            received);
        Assert.Empty(received.FailingModels);
        Assert.Empty(received.FailingTasks);
        Assert.Equal([SimulatorOptions.DefaultUrl], received.Urls);
        Assert.Empty(received.PolicyWords);
        Assert.Empty(received.Quirks);
    }

    [Fact]
    public async Task Simulate_prints_its_base_url_serves_the_ark_api_and_stops_on_cancel()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var printed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = CliHarness.RunAsync(
            ["simulate", "--urls", "http://127.0.0.1:0", "--api-key", "sim-key", "--latency-ms", "100", "--fail-rate", "1"],
            cancellationToken: stop.Token,
            runSimulator: (options, output, error, ct) =>
                UpstreamSimulator.RunAsync(options with { LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning }, new FirstLine(output, printed), error, ct));

        var baseUrl = new Uri(await printed.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.EndsWith("/api/v3/", baseUrl.AbsolutePath, StringComparison.Ordinal);
        using (var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = baseUrl })
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", "sim-key");
            using var created = await http.PostAsJsonAsync("contents/generations/tasks", new JsonObject
            {
                ["model"] = "dreamina-seedance-2-0-fast",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "a rehearsal" }),
            });
            Assert.Equal(System.Net.HttpStatusCode.OK, created.StatusCode);
            var stats = await http.GetFromJsonAsync<JsonObject>(new Uri(baseUrl, "/_sim/stats"));
            Assert.Equal(1, (int)stats!["tasks_created"]!);
        }

        await stop.CancelAsync();
        var run = await running;

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Ctrl+C", run.Error, StringComparison.Ordinal);
    }

    /// <summary>Passes writes through and reports the first line written (the base URL).</summary>
    private sealed class FirstLine(TextWriter inner, TaskCompletionSource<string> first) : TextWriter
    {
        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value) => inner.Write(value);

        public override async Task WriteLineAsync(string? value)
        {
            await inner.WriteLineAsync(value);
            first.TrySetResult(value ?? "");
        }
    }
}
