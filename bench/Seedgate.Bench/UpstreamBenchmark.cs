using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Seedgate.Server;
using Seedgate.Server.Simulator;

namespace Seedgate.Bench;

/// <summary>
/// The scheduler against an upstream at the seeds' limits (issue 9): 60 jobs submitted at once by 6 accounts through
/// Seedgate to a simulator with <c>--qps 2 --max-in-flight 3 --latency-ms 2000</c>: the makespan next to its lower
/// bound ⌈60/3⌉ × 2 s, the upstream's 429s, upstream requests per job, Jain's fairness index over the contended window
/// (while every account still waits), and every video downloaded from Seedgate after the simulator's URLs expired.
/// In the same run, 6 naive clients follow seed 000's own loop (submit, on a 429 back off from 2 s doubling, at most 30 s; poll every 5 s)
/// straight against a fresh simulator with the same limits.
/// </summary>
internal static class UpstreamBenchmark
{
    private const string Key = "sg-bench-0123456789abcdefghijklmnopqrstuv";
    private const string AdminKey = "sg-bench-admin-0123456789abcdefghijklmn";
    private const string UpstreamKey = "bench-upstream-key";
    private const string Tasks = "api/v3/contents/generations/tasks";
    private const int Accounts = 6;
    private const int JobsPerAccount = 10;
    private const int UrlTtlSeconds = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        // Arguments: [callbacks|polls|both, default both] [sqlite|postgres, default sqlite].
        var modes = args.Length > 0 && args[0] != "both" ? [args[0]] : new[] { "callbacks", "polls" };
        var store = args.Length > 1 ? args[1] : "sqlite";
        // Renders are shared (--reuse-renders): on 2 cores, three 480p renders at once take longer than the 2 s latency,
        // and this measures scheduling, not rendering (see the render benchmark for that).
        var limits = new SimulatorOptions { Qps = 2, MaxInFlight = 3, LatencyMs = 2000, UrlTtlSeconds = UrlTtlSeconds, ReuseRenders = true };
        var bound = Math.Ceiling(Accounts * JobsPerAccount / 3.0) * 2;
        Console.WriteLine($"{Accounts * JobsPerAccount} jobs (seedance-2.0-fast, 480p, 4 s) from {Accounts} accounts at once; upstream simulator " +
            $"--qps 2 --max-in-flight 3 --latency-ms 2000 --reuse-renders; lower bound ⌈60/3⌉ × 2 s = {bound:0} s; store {store}");
        Console.WriteLine();
        Console.WriteLine("| client | makespan (s) | / bound | upstream 429s | upstream requests / job | Jain's fairness | downloaded after URL expiry | max in flight seen |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var mode in modes)
        {
            var run = await ThroughSeedgateAsync(limits, callbacks: mode == "callbacks", store);
            Print($"Seedgate ({mode})", run, bound);
        }

        Print("6 naive clients (seed 000's loop)", await NaiveAsync(limits), bound);
        Console.WriteLine();
        Console.WriteLine("Targets: makespan ≤ 1.05 × bound, 0 upstream 429s, fairness ≥ 0.95, ≤ 3 upstream requests per job.");
        return 0;
    }

    private static void Print(string client, Run run, double bound) =>
        Console.WriteLine($"| {client} | {run.Makespan:0.0} | {run.Makespan / bound:0.00} | {run.Stats.RateLimited + run.Stats.QuotaRejected} | " +
            $"{run.Stats.Requests / (double)(Accounts * JobsPerAccount):0.00} | {run.Fairness:0.000} | {run.Downloaded?.ToString(CultureInfo.InvariantCulture) ?? "n/a"} | {run.Stats.MaxInFlightSeen} |");

    private static async Task<Run> ThroughSeedgateAsync(SimulatorOptions limits, bool callbacks, string store)
    {
        await using var simulator = await UpstreamSimulator.StartAsync(limits with { Urls = ["http://127.0.0.1:0"], ApiKey = UpstreamKey, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning }, CancellationToken.None);
        var port = FreePort();
        var root = Path.Combine(Path.GetTempPath(), "seedgate-bench-upstream-" + Guid.NewGuid().ToString("n"));
        var config = new List<string>
        {
            $"--SEEDGATE_API_KEY={Key}", $"--SEEDGATE_ADMIN_KEY={AdminKey}", "--Logging:LogLevel:Default=Warning",
            $"--Seedgate:Upstreams:sim:BaseUrl={simulator.BaseUrl}", "--Seedgate:Upstreams:sim:ApiKeyVariable=BENCH_UPSTREAM_KEY",
            $"--BENCH_UPSTREAM_KEY={UpstreamKey}", "--Seedgate:Upstreams:sim:RequestsPerSecond=2", "--Seedgate:Upstreams:sim:TasksInFlight=3",
        };
        config.AddRange(BenchPlans.Generous);
        if (Environment.GetEnvironmentVariable("SEEDGATE_BENCH_LOG") is { } level)
        {
            config.Add($"--Logging:LogLevel:Seedgate={level}");
        }

        if (callbacks)
        {
            config.Add($"--Seedgate:PublicBaseUrl=http://127.0.0.1:{port}");
        }

        if (store == "postgres")
        {
            config.Add($"--Seedgate:Storage:Postgres={await LifecycleBenchmark.FreshPostgresDatabaseAsync(Environment.GetEnvironmentVariable("SEEDGATE_TEST_POSTGRES")!)}");
        }

        var app = SeedgateServer.Build(new ServeOptions([$"http://127.0.0.1:{port}"], root, config));
        await app.StartAsync();
        try
        {
            var gateway = new Uri($"http://127.0.0.1:{port}/");
            var clients = new List<HttpClient>();
            using var admin = Client(gateway, AdminKey);
            for (var a = 0; a < Accounts; a++)
            {
                (await admin.PostAsJsonAsync("admin/v1/accounts", new { id = $"acct-{a}", name = $"Account {a}" })).EnsureSuccessStatusCode();
                using var created = await admin.PostAsJsonAsync($"admin/v1/accounts/acct-{a}/keys", new { name = "bench" });
                clients.Add(Client(gateway, (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["key"]!));
            }

            var clock = Stopwatch.StartNew();
            var done = new ConcurrentBag<(int Account, double At, string VideoUrl)>();
            await Task.WhenAll(Enumerable.Range(0, Accounts).SelectMany(a => Enumerable.Range(0, JobsPerAccount).Select(async n =>
            {
                var id = await SubmitAsync(clients[a], $"account {a} take {n}");
                while (true)
                {
                    using var response = await clients[a].GetAsync($"{Tasks}/{id}?wait=30");
                    var task = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                    switch ((string?)task["status"])
                    {
                        case "succeeded":
                            done.Add((a, clock.Elapsed.TotalSeconds, (string)task["content"]!["video_url"]!));
                            return;
                        case "failed" or "expired" or "cancelled":
                            throw new InvalidOperationException($"Job {id} ended {task.ToJsonString()}");
                    }
                }
            })));
            var makespan = clock.Elapsed.TotalSeconds;
            var stats = simulator.Stats();

            // Every video is Seedgate's own copy: it downloads after the simulator's URLs died.
            await Task.Delay(TimeSpan.FromSeconds(UrlTtlSeconds + 1));
            using var anonymous = new HttpClient(new SocketsHttpHandler());
            var downloaded = 0;
            foreach (var (_, _, url) in done)
            {
                using var response = await anonymous.GetAsync(url);
                downloaded += response.IsSuccessStatusCode && (await response.Content.ReadAsByteArrayAsync()).Length > 0 ? 1 : 0;
            }

            clients.ForEach(c => c.Dispose());
            return new Run(makespan, stats, Jain([.. done.Select(d => (d.Account, d.At))]), downloaded);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Seed 000's loop, per job: submit (a 429 backs off from 2 s, doubling), then poll every 5 s until done.</summary>
    private static async Task<Run> NaiveAsync(SimulatorOptions limits)
    {
        await using var simulator = await UpstreamSimulator.StartAsync(limits with { Urls = ["http://127.0.0.1:0"], ApiKey = UpstreamKey, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning }, CancellationToken.None);
        using var http = Client(simulator.BaseUrl, UpstreamKey);
        var clock = Stopwatch.StartNew();
        var done = new ConcurrentBag<(int Account, double At)>();
        await Task.WhenAll(Enumerable.Range(0, Accounts).SelectMany(a => Enumerable.Range(0, JobsPerAccount).Select(async n =>
        {
            string? id = null;
            for (var backoff = 2.0; id is null; backoff *= 2)
            {
                using var response = await http.PostAsJsonAsync("contents/generations/tasks", Body($"account {a} take {n}", "dreamina-seedance-2-0-fast-260128"));
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(backoff, 30))); // the seed: back off from 2 s; "wait 30s" at most
                    continue;
                }

                response.EnsureSuccessStatusCode();
                id = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!;
            }

            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(5));
                using var response = await http.GetAsync($"contents/generations/tasks/{id}");
                if (!response.IsSuccessStatusCode)
                {
                    continue; // a 429 on a poll: the loop just polls again later
                }

                if ((string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"] is "succeeded" or "failed")
                {
                    done.Add((a, clock.Elapsed.TotalSeconds));
                    return;
                }
            }
        })));
        return new Run(clock.Elapsed.TotalSeconds, simulator.Stats(), Jain([.. done]), null);
    }

    /// <summary>
    /// Jain's index of the accounts' completions while every account still waited (until the first finished all its
    /// jobs): 1 when they were served alike, 1/n when one account got everything.
    /// </summary>
    private static double Jain(IReadOnlyList<(int Account, double At)> done)
    {
        var firstFinished = done.GroupBy(d => d.Account).Min(g => g.Max(d => d.At));
        var served = Enumerable.Range(0, Accounts).Select(a => (double)done.Count(d => d.Account == a && d.At <= firstFinished)).ToArray();
        var sum = served.Sum();
        return sum * sum / (Accounts * served.Sum(x => x * x));
    }

    private static async Task<string> SubmitAsync(HttpClient http, string prompt)
    {
        using var response = await http.PostAsJsonAsync(Tasks, Body(prompt, "seedance-2.0-fast"));
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? (string)JsonNode.Parse(text)!["id"]! : throw new InvalidOperationException($"A create was refused: {text}");
    }

    private static JsonObject Body(string prompt, string model) => new()
    {
        ["model"] = model,
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = prompt }),
        ["resolution"] = "480p",
        ["duration"] = 4,
        ["generate_audio"] = false,
    };

    private static HttpClient Client(Uri baseAddress, string key)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 128 }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    /// <summary>A free port on 127.0.0.1 for a gateway that must know its own address before it starts (callbacks).</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Run(double Makespan, SimulatorStats Stats, double Fairness, int? Downloaded);
}
