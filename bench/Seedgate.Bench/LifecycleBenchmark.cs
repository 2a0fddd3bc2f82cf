using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Seedgate.Core.Jobs;
using Seedgate.Server;

namespace Seedgate.Bench;

/// <summary>
/// Job-lifecycle throughput, submit → succeeded, through the real HTTP API, with the instant TEST engine (no
/// rendering) so that only the job machinery is measured: validation, insert, claim, lease, output store, complete.
/// Nodes are gateways in this process sharing one database (and one blob directory), on 127.0.0.1.
/// </summary>
internal static class LifecycleBenchmark
{
    private const string Key = "sg-bench-0123456789abcdefghijklmnopqrstuv";

    public static async Task<int> RunAsync(string[] args)
    {
        // Arguments: [jobs per row, default 3000] [sqlite|postgres|all, default all] [files directory, default: beside the
        // database]. The files directory holds per-job scratch space and the placeholder outputs: putting it on tmpfs
        // (/dev/shm) measures the job machinery without the disk's metadata costs; the database stays on disk.
        var jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3000;
        var only = args.Length > 1 && args[1] != "all" ? args[1] : null;
        var files = args.Length > 2 ? args[2] : null;
        var postgres = Environment.GetEnvironmentVariable("SEEDGATE_TEST_POSTGRES");
        var scenarios = new List<(string Name, string Store, int Nodes)>();
        if (only is null or "sqlite")
        {
            scenarios.AddRange([("SQLite", "sqlite", 1), ("SQLite", "sqlite", 3)]);
        }

        if (postgres is not null && only is null or "postgres")
        {
            scenarios.AddRange([("PostgreSQL", "postgres", 1), ("PostgreSQL", "postgres", 3)]);
        }

        var rows = new List<string>();
        foreach (var (name, store, nodes) in scenarios)
        {
            var rate = await MeasureAsync(store, nodes, jobs, postgres, files);
            var target = store == "sqlite" ? 1000 : 2000;
            rows.Add($"| {name}, {nodes} node{(nodes > 1 ? "s" : "")} | {rate:0} | ≥ {target} | {(rate >= target ? "yes" : "NO")} |");
        }

        Console.WriteLine($"Job lifecycle (HTTP submit → succeeded), instant test engine, {jobs} jobs per row, 64 concurrent submitters, "
            + $"database on disk, job files {(files is null ? "on disk" : $"in {files}")}");
        Console.WriteLine();
        Console.WriteLine("| setup | jobs/s | target | met |");
        Console.WriteLine("|---|---|---|---|");
        rows.ForEach(Console.WriteLine);
        Console.WriteLine("| anchor: River (Go, Postgres; vendor figure, laptop) | ≈ 46,000 | published | |");
        Console.WriteLine("| anchor: PgQueuer (Python, Postgres; published) | 6,000–18,000 | published | |");
        if (postgres is null)
        {
            Console.WriteLine();
            Console.WriteLine("(PostgreSQL rows skipped: set SEEDGATE_TEST_POSTGRES, e.g. `source scripts/postgres.sh && postgres_start`.)");
        }

        return 0;
    }

    private static async Task<double> MeasureAsync(string store, int nodeCount, int jobs, string? postgres, string? files)
    {
        var root = Path.Combine(Path.GetTempPath(), "seedgate-bench-lifecycle-" + Guid.NewGuid().ToString("n"));
        var fileRoot = files is null ? root : Path.Combine(files, "seedgate-bench-files-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(root);
        var catalog = Path.Combine(root, "catalog.json");
        await File.WriteAllTextAsync(catalog, InstantCatalog());
        var nodes = new List<WebApplication>();
        try
        {
            var database = store == "postgres" ? await FreshPostgresDatabaseAsync(postgres!) : null;
            for (var i = 0; i < nodeCount; i++)
            {
                var config = new List<string>
                {
                    $"--SEEDGATE_API_KEY={Key}", "--Logging:LogLevel:Default=Warning", $"--Seedgate:CatalogPath={catalog}",
                    $"--{Seedgate.Core.Engines.InstantTestEngine.EnabledKey}=true", "--Seedgate:Dispatch:ConcurrentJobs=32",
                    $"--Seedgate:Blobs:Directory={Path.Combine(fileRoot, "blobs")}", $"--Seedgate:NodeId=bench-node-{i}",
                    $"--Seedgate:Dispatch:WorkDirectory={Path.Combine(fileRoot, $"work-{i}")}",
                };
                config.AddRange(BenchPlans.Generous);
                config.Add(database is null ? $"--Seedgate:Storage:SqlitePath={Path.Combine(root, "seedgate.db")}" : $"--Seedgate:Storage:Postgres={database}");
                var app = SeedgateServer.Build(new ServeOptions(["http://127.0.0.1:0"], Path.Combine(root, $"node-{i}"), config));
                await app.StartAsync();
                nodes.Add(app);
            }

            var clients = nodes.Select(n =>
            {
                var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(n.Urls.First()) };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
                return http;
            }).ToList();
            var jobStore = nodes[0].Services.GetRequiredService<IJobStore>();

            await RunJobsAsync(clients, jobStore, 200); // warm-up: JIT, pools, caches
            var clock = Stopwatch.StartNew();
            await RunJobsAsync(clients, jobStore, jobs);
            var rate = jobs / clock.Elapsed.TotalSeconds;
            clients.ForEach(c => c.Dispose());
            return rate;
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.StopAsync();
                await node.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
            if (fileRoot != root && Directory.Exists(fileRoot))
            {
                Directory.Delete(fileRoot, recursive: true);
            }
        }
    }

    /// <summary>Submits <paramref name="count"/> jobs round-robin over the nodes and waits until all succeeded.</summary>
    private static async Task RunJobsAsync(List<HttpClient> clients, IJobStore store, int count)
    {
        var baseline = await CountAsync(store, JobStatus.Succeeded);
        var next = -1;
        var body = """{"model":"seedance-2.0-fast","content":[{"type":"text","text":"throughput"}],"resolution":"480p","duration":4}""";
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await clients[i % clients.Count].PostAsync("/api/v3/contents/generations/tasks", content);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
                }
            }
        }));

        // Done when the account's succeeded count has grown by count (a cheap count, so the poller stays out of the way).
        var deadline = Stopwatch.StartNew();
        while (await CountAsync(store, JobStatus.Succeeded) < baseline + count)
        {
            if (await CountAsync(store, JobStatus.Failed) > 0)
            {
                throw new InvalidOperationException("A job failed.");
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("The jobs did not finish in five minutes.");
            }

            await Task.Delay(20);
        }
    }

    private static async Task<long> CountAsync(IJobStore store, JobStatus status) =>
        (await store.ListAsync(new JobQuery("default") { Statuses = [status], PageSize = 1 }, CancellationToken.None)).Total;

    /// <summary>The shipped catalog with every model routed to the instant test engine.</summary>
    private static string InstantCatalog()
    {
        var catalog = ShippedCatalog.Read();
        foreach (var model in catalog["models"]!.AsArray())
        {
            model!["route"]!["engine"] = Seedgate.Core.Engines.InstantTestEngine.EngineName;
        }

        return catalog.ToJsonString();
    }

    /// <summary>A new empty database on the server, for one row of the table.</summary>
    public static async Task<string> FreshPostgresDatabaseAsync(string server)
    {
        var name = "seedgate_bench_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = new Npgsql.NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", admin);
        await create.ExecuteNonQueryAsync();
        return new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
    }

    /// <summary>
    /// Drops a database <see cref="FreshPostgresDatabaseAsync"/> made, once measured: left behind, the server's
    /// autovacuum would go on working through it while the next rows are measured.
    /// </summary>
    public static async Task DropPostgresDatabaseAsync(string server, string database)
    {
        var name = new Npgsql.NpgsqlConnectionStringBuilder(database).Database;
        await using var admin = new Npgsql.NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
