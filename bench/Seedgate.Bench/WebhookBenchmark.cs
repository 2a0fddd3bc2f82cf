using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Seedgate.Core.Jobs;
using Seedgate.Server;
using Seedgate.Server.Simulator;

namespace Seedgate.Bench;

/// <summary>
/// Waiting for a job by webhook vs by polling (issue 12): 500 jobs in flight at once through one gateway to an
/// upstream simulator whose tasks take --latency-ms (± a quarter), split over four kinds of client — one that waits
/// for its endpoint's job.succeeded, one that long-polls (?wait=60), and two that follow the seeds' poll cadences
/// (seed 004: first look at 15 s, then 5 s doubling to 30 s, ±20 % jitter, 12 looks at most; seed 000: at once, then
/// 3 s ×1.5 to 15 s). Per kind: HTTP requests per job (creates and polls, counted by the client's handler) and how long
/// after the job's end the client knew. Over every delivery of the run (job.queued, job.running, job.succeeded of all
/// 500 jobs, one endpoint): latency from the transition's time in the store to the receiver, median / p99 / max.
/// </summary>
internal static class WebhookBenchmark
{
    private const string Key = "sg-bench-0123456789abcdefghijklmnopqrstuv";
    private const string UpstreamKey = "bench-upstream-key";
    private const string Tasks = "api/v3/contents/generations/tasks";

    public static async Task<int> RunAsync(string[] args)
    {
        // Arguments: [--jobs N, default 500] [--latency-ms MS, default 30000].
        var jobs = Option(args, "--jobs", 500);
        var latencyMs = Option(args, "--latency-ms", 30_000);
        var kinds = new[] { Kind.Webhook, Kind.LongPoll, Kind.Seed004, Kind.Seed000 };
        await using var receiver = await Receiver.StartAsync();
        await using var simulator = await UpstreamSimulator.StartAsync(
            new SimulatorOptions
            {
                Urls = ["http://127.0.0.1:0"], ApiKey = UpstreamKey, LatencyMs = latencyMs, JitterMs = latencyMs / 4, ReuseRenders = true,
                LogLevel = LogLevel.Warning,
            },
            CancellationToken.None);
        var port = UpstreamBenchmark.FreePort();
        var root = Path.Combine(Path.GetTempPath(), "seedgate-bench-webhooks-" + Guid.NewGuid().ToString("n"));
        List<string> config =
        [
            $"--SEEDGATE_API_KEY={Key}", "--Logging:LogLevel:Default=Warning", $"--Seedgate:PublicBaseUrl=http://127.0.0.1:{port}",
            $"--Seedgate:Upstreams:sim:BaseUrl={simulator.BaseUrl}", "--Seedgate:Upstreams:sim:ApiKeyVariable=BENCH_UPSTREAM_KEY",
            $"--BENCH_UPSTREAM_KEY={UpstreamKey}", "--Seedgate:Upstreams:sim:RequestsPerSecond=1000", $"--Seedgate:Upstreams:sim:TasksInFlight={jobs}",
            "--Seedgate:Fetch:AllowedNetworks:0=127.0.0.1/32", .. BenchPlans.Generous,
        ];
        var app = SeedgateServer.Build(new ServeOptions([$"http://127.0.0.1:{port}"], root, config));
        await app.StartAsync();
        try
        {
            var gateway = new Uri($"http://127.0.0.1:{port}/");
            using var setup = Client(gateway, new Counter());
            (await setup.PostAsJsonAsync("v1/webhooks", new { url = receiver.Url })).EnsureSuccessStatusCode();

            var counters = kinds.ToDictionary(k => k, _ => new Counter());
            var clients = kinds.ToDictionary(k => k, k => Client(gateway, counters[k]));
            var known = new ConcurrentDictionary<string, (Kind Kind, DateTimeOffset At)>(StringComparer.Ordinal);
            var creates = new ConcurrentBag<double>();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, jobs).Select(async i =>
            {
                // Half wait by webhook (the receiver sees every job's deliveries either way), the rest split over the pollers.
                var kind = i % 2 == 0 ? Kind.Webhook : kinds[1 + (i / 2 % 3)];
                var http = clients[kind];
                var sent = Stopwatch.GetTimestamp();
                var id = await SubmitAsync(http, $"take {i}");
                creates.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                var status = kind switch
                {
                    Kind.Webhook => await receiver.EndOfAsync(id),
                    Kind.LongPoll => await LongPollAsync(http, id),
                    Kind.Seed004 => await PollAsync(http, id, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5), 2, TimeSpan.FromSeconds(30), 0.2, 12),
                    _ => await PollAsync(http, id, TimeSpan.Zero, TimeSpan.FromSeconds(3), 1.5, TimeSpan.FromSeconds(15), 0, int.MaxValue),
                };
                if (status != "succeeded")
                {
                    throw new InvalidOperationException($"Job {id} ended {status}.");
                }

                known[id] = (kind, TimeProvider.System.GetUtcNow());
            }));
            var makespan = clock.Elapsed;

            // Every job's transitions as the store has them, against when the receiver heard of each.
            var store = app.Services.GetRequiredService<IJobStore>();
            var stored = new Dictionary<string, Job>(StringComparer.Ordinal);
            foreach (var id in known.Keys)
            {
                stored[id] = await store.GetAsync(id, CancellationToken.None) ?? throw new InvalidOperationException($"No job {id}.");
            }

            await receiver.UntilAsync(3 * jobs, TimeSpan.FromSeconds(60)); // the last deliveries may trail the clients' knowledge
            var latencies = new Dictionary<string, List<double>>(StringComparer.Ordinal) { ["job.queued"] = [], ["job.running"] = [], ["job.succeeded"] = [] };
            foreach (var (jobId, type, at) in receiver.Received)
            {
                var job = stored[jobId];
                var transition = type switch
                {
                    "job.queued" => job.CreatedAt,
                    "job.running" => job.StartedAt!.Value,
                    _ => job.FinishedAt!.Value,
                };
                latencies[type].Add((at - transition).TotalMilliseconds);
            }

            Console.WriteLine($"{jobs} jobs in flight at once (seedance-2.0-fast 480p 4 s) through one gateway (SQLite) to an upstream simulator, " +
                $"task latency {latencyMs / 1000.0:0.#} s ± {latencyMs / 4000.0:0.#} s; makespan {makespan.TotalSeconds:0.0} s");
            Console.WriteLine();
            Console.WriteLine("| client waits by | jobs | creates / job | polls / job (mean, max) | requests / job | knew of the end after (median, p99) | vs the seed-004 cadence |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            var anchor = counters[Kind.Seed004].PerJob(JobsOf(known, Kind.Seed004));
            foreach (var kind in kinds)
            {
                var ids = known.Where(k => k.Value.Kind == kind).Select(k => k.Key).ToList();
                var counter = counters[kind];
                var lags = ids.Select(id => (known[id].At - stored[id].FinishedAt!.Value).TotalMilliseconds).Order().ToList();
                var perJob = counter.PerJob(ids.Count);
                Console.WriteLine($"| {Describe(kind)} | {ids.Count} | {counter.Creates / (double)ids.Count:0.00} | {counter.Polls / (double)ids.Count:0.00}, " +
                    $"{counter.MaxPolls} | {perJob:0.00} | {Seconds(Percentile(lags, 0.5))}, {Seconds(Percentile(lags, 0.99))} | {perJob / anchor:0.00}× |");
            }

            Console.WriteLine("(plus one request for the whole run: registering the endpoint)");
            Console.WriteLine();
            var createTimes = creates.Order().ToList();
            Console.WriteLine($"Delivery latency, the transition's time in the store → the receiver, {receiver.Received.Count} deliveries to one endpoint. " +
                "A job.queued is timed from the job's created_at, when its create arrived: it includes the create's own time " +
                $"(answered after {Percentile(createTimes, 0.5):0} ms median, {Percentile(createTimes, 0.99):0} ms p99, {jobs} at once).");
            Console.WriteLine();
            Console.WriteLine("| event | deliveries | median (ms) | p99 (ms) | max (ms) |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var (type, values) in latencies.Append(new("all", [.. latencies.Values.SelectMany(v => v)])))
            {
                values.Sort();
                Console.WriteLine($"| {type} | {values.Count} | {Percentile(values, 0.5):0} | {Percentile(values, 0.99):0} | {values[^1]:0} |");
            }

            Console.WriteLine();
            Console.WriteLine("Targets: by webhook 1 create + 0 polls per job; by long-poll ≤ 2 requests per job; the seeds' cadences are the anchor.");
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }

            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private enum Kind
    {
        Webhook,
        LongPoll,
        Seed004,
        Seed000,
    }

    private static string Describe(Kind kind) => kind switch
    {
        Kind.Webhook => "webhook (job.succeeded)",
        Kind.LongPoll => "long-poll (?wait=60)",
        Kind.Seed004 => "seed 004's cadence (15 s, then 5 s doubling to 30 s, ±20 %)",
        _ => "seed 000's cadence (at once, then 3 s ×1.5 to 15 s)",
    };

    private static int JobsOf(ConcurrentDictionary<string, (Kind Kind, DateTimeOffset At)> known, Kind kind) => known.Count(k => k.Value.Kind == kind);

    private static async Task<string> SubmitAsync(HttpClient http, string prompt)
    {
        using var response = await http.PostAsJsonAsync(Tasks, new JsonObject
        {
            ["model"] = "seedance-2.0-fast",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = prompt }),
            ["resolution"] = "480p",
            ["duration"] = 4,
            ["generate_audio"] = false,
        });
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? (string)JsonNode.Parse(text)!["id"]! : throw new InvalidOperationException($"A create was refused: {text}");
    }

    private static async Task<string> LongPollAsync(HttpClient http, string id)
    {
        while (true)
        {
            var status = await StatusAsync(http, $"{Tasks}/{id}?wait=60");
            if (status is not ("queued" or "running"))
            {
                return status;
            }
        }
    }

    /// <summary>A seed's client loop: wait, look, and wait longer each time (jittered), up to a number of looks.</summary>
    private static async Task<string> PollAsync(
        HttpClient http, string id, TimeSpan first, TimeSpan interval, double factor, TimeSpan cap, double jitter, int maxLooks)
    {
        await Task.Delay(first);
        for (var look = 1; ; look++)
        {
            var status = await StatusAsync(http, $"{Tasks}/{id}");
            if (status is not ("queued" or "running"))
            {
                return status;
            }

            if (look == maxLooks)
            {
                return "given up";
            }

            await Task.Delay(interval * (1 + (jitter * ((Random.Shared.NextDouble() * 2) - 1))));
            interval = TimeSpan.FromTicks(Math.Min((long)(interval.Ticks * factor), cap.Ticks));
        }
    }

    private static async Task<string> StatusAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? (string)JsonNode.Parse(text)!["status"]! : throw new InvalidOperationException($"A poll was refused: {text}");
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string Seconds(double ms) => (ms / 1000).ToString("0.00 s", CultureInfo.InvariantCulture);

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static HttpClient Client(Uri baseAddress, Counter counter)
    {
        var http = new HttpClient(counter) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return http;
    }

    /// <summary>Counts the requests a client sends: creates (POST) and polls (GET), and the most polls of one task.</summary>
    private sealed class Counter() : DelegatingHandler(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 })
    {
        private readonly ConcurrentDictionary<string, int> _pollsPerTask = new(StringComparer.Ordinal);
        private int _creates;
        private int _polls;

        public int Creates => _creates;

        public int Polls => _polls;

        public int MaxPolls => _pollsPerTask.IsEmpty ? 0 : _pollsPerTask.Values.Max();

        public double PerJob(int jobs) => (_creates + _polls) / (double)jobs;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post)
            {
                Interlocked.Increment(ref _creates);
            }
            else
            {
                Interlocked.Increment(ref _polls);
                _pollsPerTask.AddOrUpdate(request.RequestUri!.AbsolutePath, 1, (_, n) => n + 1);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A webhook receiver on 127.0.0.1: notes when each delivery arrived, and tells a waiting client its job's end.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _ends = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<(string JobId, string Type, DateTimeOffset At)> _received = new();

        private Receiver(WebApplication app) => _app = app;

        public string Url => _app.Urls.First() + "/hooks";

        public ConcurrentQueue<(string JobId, string Type, DateTimeOffset At)> Received => _received;

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/hooks", (Func<HttpContext, Task<IResult>>)receiver.ReceiveAsync);
            await app.StartAsync();
            return receiver;
        }

        public Task<string> EndOfAsync(string jobId) => _ends.GetOrAdd(jobId, _ => NewEnd()).Task;

        public async Task UntilAsync(int count, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (_received.Count < count && deadline.Elapsed < timeout)
            {
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        private static TaskCompletionSource<string> NewEnd() => new(TaskCreationOptions.RunContinuationsAsynchronously);

        private async Task<IResult> ReceiveAsync(HttpContext context)
        {
            var at = TimeProvider.System.GetUtcNow();
            var message = await JsonNode.ParseAsync(context.Request.Body);
            var type = (string)message!["type"]!;
            var data = message["data"]!;
            var jobId = (string)data["id"]!;
            _received.Enqueue((jobId, type, at));
            if (type is "job.succeeded" or "job.failed" or "job.cancelled" or "job.expired")
            {
                _ends.GetOrAdd(jobId, _ => NewEnd()).TrySetResult((string)data["status"]!);
            }

            return Results.Ok();
        }
    }
}
