using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Seedgate.Server;

namespace Seedgate.Bench;

/// <summary>
/// What plans cost (issue 8): submit throughput through the real HTTP API with plans, limits and the ledger on (a plan
/// generous enough never to refuse) next to the same server with them off (Seedgate:Policies=false), rounds
/// interleaved; and the latency the per-request limit check adds to a read, single client, median and p99.
/// </summary>
internal static class LimitsBenchmark
{
    private const string Key = "sg-bench-0123456789abcdefghijklmnopqrstuv";
    private const string TaskPath = "/api/v3/contents/generations/tasks";
    private const string Body = """{"model":"seedance-2.0-fast","content":[{"type":"text","text":"throughput"}],"resolution":"480p","duration":4}""";

    public static async Task<int> RunAsync(string[] args)
    {
        // Arguments: [creates per round, default 3000] [rounds, default 4] [sqlite|postgres|all, default all].
        var creates = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3000;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
        var only = args.Length > 2 && args[2] != "all" ? args[2] : null;
        var postgres = Environment.GetEnvironmentVariable("SEEDGATE_TEST_POSTGRES");
        var stores = new List<string>();
        if (only is null or "sqlite")
        {
            stores.Add("sqlite");
        }

        if (postgres is not null && only is null or "postgres")
        {
            stores.Add("postgres");
        }

        Console.WriteLine($"Plans, limits and ledger on vs off (Seedgate:Policies=false): {creates} creates a round over HTTP, 64 concurrent " +
            $"submitters, API-only node, {rounds} interleaved rounds, medians; read latency: 2,000 sequential GETs of a task, one client");
        Console.WriteLine();
        Console.WriteLine("| store | measure | policies on | policies off | on / off | target |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var store in stores)
        {
            var database = store == "postgres" ? postgres : null;
            var on = new List<double>();
            var off = new List<double>();
            var latencyOn = new List<double>();
            var latencyOff = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                // Which goes first alternates: the first server of a round runs while the last one's heap is collected.
                foreach (var policies in round % 2 == 0 ? new[] { true, false } : [false, true])
                {
                    var (rate, latencies) = await MeasureAsync(store, database, policies, creates);
                    (policies ? on : off).Add(rate);
                    (policies ? latencyOn : latencyOff).AddRange(latencies);
                }
            }

            var name = store == "sqlite" ? "SQLite" : "PostgreSQL";
            Console.WriteLine($"| {name} | creates/s | {Median(on):0} | {Median(off):0} | {Median(on) / Median(off):0.00} | ≥ 0.70 |");
            Console.WriteLine($"| {name} | GET latency, median (ms) | {Percentile(latencyOn, 50):0.000} | {Percentile(latencyOff, 50):0.000} | " +
                $"+{Percentile(latencyOn, 50) - Percentile(latencyOff, 50):0.000} ms | |");
            Console.WriteLine($"| {name} | GET latency, p99 (ms) | {Percentile(latencyOn, 99):0.000} | {Percentile(latencyOff, 99):0.000} | " +
                $"+{Percentile(latencyOn, 99) - Percentile(latencyOff, 99):0.000} ms | |");
        }

        return 0;
    }

    private static async Task<(double Rate, List<double> LatenciesMs)> MeasureAsync(string store, string? postgres, bool policies, int creates)
    {
        var root = Path.Combine(Path.GetTempPath(), "seedgate-bench-limits-" + Guid.NewGuid().ToString("n"));
        var config = new List<string>
        {
            $"--SEEDGATE_API_KEY={Key}", "--Logging:LogLevel:Default=Warning", "--Seedgate:Dispatch:Enabled=false",
            $"--Seedgate:Policies={policies}",
        };
        config.AddRange(BenchPlans.Generous);
        if (store == "postgres")
        {
            config.Add($"--Seedgate:Storage:Postgres={await LifecycleBenchmark.FreshPostgresDatabaseAsync(postgres!)}");
        }

        var app = SeedgateServer.Build(new ServeOptions(["http://127.0.0.1:0"], root, config));
        await app.StartAsync();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(app.Urls.First()) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
            // Warm-up (JIT, pools, caches), then the read latency before the burst of creates (whose aftermath, the
            // database's background work, would otherwise be measured with it), then the creates.
            var task = await SubmitAsync(http, 200);
            var latencies = new List<double>();
            for (var i = 0; i < 2_200; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync($"{TaskPath}/{task}");
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
                if (i >= 200)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }

            var clock = Stopwatch.StartNew();
            await SubmitAsync(http, creates);
            var rate = creates / clock.Elapsed.TotalSeconds;
            return (rate, latencies);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Creates <paramref name="count"/> tasks with 64 concurrent submitters; the id of one of them.</summary>
    private static async Task<string> SubmitAsync(HttpClient http, int count)
    {
        var next = -1;
        string? id = null;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                using var content = new StringContent(Body, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(TaskPath, content);
                var text = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"A create was refused ({(int)response.StatusCode}): {text}");
                }

                id ??= System.Text.Json.Nodes.JsonNode.Parse(text)!["id"]!.ToString();
            }
        }));
        return id!;
    }

    private static double Median(List<double> values) => Percentile(values, 50);

    /// <summary>Nearest rank.</summary>
    private static double Percentile(List<double> values, int percent)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}

/// <summary>Benchmark servers' default plan: limits no benchmark meets (they measure the machinery, not refusals).</summary>
internal static class BenchPlans
{
    public static readonly string[] Generous =
    [
        "--Seedgate:Plans:default:Qps=1000000", "--Seedgate:Plans:default:PollQps=1000000", "--Seedgate:Plans:default:MaxInProgress=100000",
        "--Seedgate:Plans:default:MaxQueued=1000000", "--Seedgate:Plans:default:MaxPriority=9",
    ];
}
