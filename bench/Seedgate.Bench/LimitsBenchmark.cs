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
/// interleaved after one warm-up round of each (not counted: the first rounds of a process measure the JIT's tiering,
/// which the policies' larger code path pays more for); and the latency the per-request limit check adds to a read,
/// single client, median and p99. The CPU each create cost, in this process (gateway and clients) and in PostgreSQL's
/// processes, says where the difference goes.
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
            $"submitters, API-only node, one warm-up round of each then {rounds} interleaved rounds, medians; read latency: 2,000 sequential " +
            "GETs of a task, one client");
        Console.WriteLine();
        Console.WriteLine("| store | measure | policies on | policies off | on / off | target |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var store in stores)
        {
            var database = store == "postgres" ? postgres : null;
            var warmOn = await MeasureAsync(store, database, policies: true, creates);
            var warmOff = await MeasureAsync(store, database, policies: false, creates);
            var on = new List<Round>();
            var off = new List<Round>();
            for (var round = 0; round < rounds; round++)
            {
                // Which goes first alternates: the first server of a round runs while the last one's heap is collected.
                foreach (var policies in round % 2 == 0 ? new[] { true, false } : [false, true])
                {
                    (policies ? on : off).Add(await MeasureAsync(store, database, policies, creates));
                }
            }

            var name = store == "sqlite" ? "SQLite" : "PostgreSQL";
            var (rateOn, rateOff) = (Median([.. on.Select(r => r.Rate)]), Median([.. off.Select(r => r.Rate)]));
            var (latencyOn, latencyOff) = (on.SelectMany(r => r.LatenciesMs).ToList(), off.SelectMany(r => r.LatenciesMs).ToList());
            Console.WriteLine($"| {name} | creates/s | {rateOn:0} | {rateOff:0} | {rateOn / rateOff:0.00} | ≥ 0.70 |");
            Console.WriteLine($"| {name} | warm-up round, creates/s (not counted) | {warmOn.Rate:0} | {warmOff.Rate:0} | {warmOn.Rate / warmOff.Rate:0.00} | |");
            Console.WriteLine($"| {name} | CPU per create, this process (µs) | {Median([.. on.Select(r => r.ProcessCpuUs)]):0} | " +
                $"{Median([.. off.Select(r => r.ProcessCpuUs)]):0} | | |");
            if (store == "postgres")
            {
                Console.WriteLine($"| {name} | CPU per create, PostgreSQL's processes (µs) | {Median([.. on.Select(r => r.PostgresCpuUs)]):0} | " +
                    $"{Median([.. off.Select(r => r.PostgresCpuUs)]):0} | | |");
            }

            Console.WriteLine($"| {name} | every round, creates/s | {string.Join(" / ", on.Select(r => r.Rate.ToString("0", CultureInfo.InvariantCulture)))} | " +
                $"{string.Join(" / ", off.Select(r => r.Rate.ToString("0", CultureInfo.InvariantCulture)))} | | |");
            Console.WriteLine($"| {name} | GET latency, median (ms) | {Percentile(latencyOn, 50):0.000} | {Percentile(latencyOff, 50):0.000} | " +
                $"+{Percentile(latencyOn, 50) - Percentile(latencyOff, 50):0.000} ms | |");
            Console.WriteLine($"| {name} | GET latency, p99 (ms) | {Percentile(latencyOn, 99):0.000} | {Percentile(latencyOff, 99):0.000} | " +
                $"+{Percentile(latencyOn, 99) - Percentile(latencyOff, 99):0.000} ms | |");
        }

        return 0;
    }

    /// <summary>One server's figures: creates a second, read latencies, CPU per create (µs) here and in PostgreSQL.</summary>
    private sealed record Round(double Rate, List<double> LatenciesMs, double ProcessCpuUs, double PostgresCpuUs);

    private static async Task<Round> MeasureAsync(string store, string? postgres, bool policies, int creates)
    {
        var root = Path.Combine(Path.GetTempPath(), "seedgate-bench-limits-" + Guid.NewGuid().ToString("n"));
        var config = new List<string>
        {
            $"--SEEDGATE_API_KEY={Key}", "--Logging:LogLevel:Default=Warning", "--Seedgate:Dispatch:Enabled=false",
            $"--Seedgate:Policies={policies}",
        };
        config.AddRange(BenchPlans.Generous);
        var database = store == "postgres" ? await LifecycleBenchmark.FreshPostgresDatabaseAsync(postgres!) : null;
        if (database is not null)
        {
            config.Add($"--Seedgate:Storage:Postgres={database}");
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

            var (cpu, postgresCpu) = (Process.GetCurrentProcess().TotalProcessorTime, PostgresCpu());
            var clock = Stopwatch.StartNew();
            await SubmitAsync(http, creates);
            var rate = creates / clock.Elapsed.TotalSeconds;
            return new Round(
                rate,
                latencies,
                (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / creates,
                (PostgresCpu() - postgresCpu).TotalMicroseconds / creates);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(root, recursive: true);
            if (database is not null)
            {
                await LifecycleBenchmark.DropPostgresDatabaseAsync(postgres!, database);
            }
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

    /// <summary>
    /// The CPU time every process named postgres on this machine used so far (Linux: /proc/PID/stat's utime and stime,
    /// in clock ticks of 1/100 s); zero elsewhere.
    /// </summary>
    private static TimeSpan PostgresCpu()
    {
        long ticks = 0;
        foreach (var process in Directory.Exists("/proc") ? Directory.EnumerateDirectories("/proc") : [])
        {
            try
            {
                if (File.ReadAllText(Path.Combine(process, "comm")).TrimEnd() != "postgres")
                {
                    continue;
                }

                // The fields after the parenthesised name: state is the first, utime the 12th, stime the 13th.
                var fields = File.ReadAllText(Path.Combine(process, "stat")).Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not a process, or one that ended meanwhile.
            }
        }

        return TimeSpan.FromMilliseconds(ticks * 10);
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
