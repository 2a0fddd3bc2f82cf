using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Npgsql;

namespace Seedgate.Cli.Tests;

/// <summary>
/// Several `seedgate serve --postgres …` processes on 127.0.0.1 sharing one fresh PostgreSQL database and one S3
/// bucket (the servers test.sh starts: SEEDGATE_TEST_POSTGRES, SEEDGATE_TEST_S3). Each node has its own data
/// directory (scratch space and node id). A model routed to the instant test engine is added to the catalog, and
/// every run of it leaves a record in one shared directory, so tests can count runs across nodes.
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    public const string Key = "sg-cluster-test-key-0123456789abcdefghijk";
    public const string AdminKey = "sg-cluster-admin-key-0123456789abcdefghi";
    public const string InstantModel = "seedgate-instant-test";

    private readonly List<Node> _nodes = [];
    private readonly string _root = CliHarness.TempDirectory();
    private readonly string _server;
    private readonly string _database;

    private Cluster(string server, string database)
    {
        _server = server;
        _database = database;
    }

    public IReadOnlyList<Node> Nodes => _nodes;
    public string RunDirectory => Path.Combine(_root, "runs");

    /// <summary>One (job id, node id) per run of the instant test engine, on any node.</summary>
    public IReadOnlyList<(string JobId, string NodeId)> Runs() =>
        Directory.Exists(RunDirectory)
            ? [.. Directory.GetFiles(RunDirectory).Select(f => Path.GetFileName(f).Split(' ')).Select(p => (p[0], p[1]))]
            : [];

    public static async Task<Cluster> StartAsync(params string[][] nodeArgs)
    {
        var server = Required("SEEDGATE_TEST_POSTGRES");
        var database = "seedgate_cluster_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var cluster = new Cluster(server, database);
        await File.WriteAllTextAsync(cluster.CatalogPath, InstantCatalog());
        var bucket = "seedgate-" + Guid.NewGuid().ToString("N")[..16];
        foreach (var extra in nodeArgs)
        {
            cluster._nodes.Add(cluster.Launch(cluster._nodes.Count, bucket, extra));
        }

        foreach (var node in cluster._nodes)
        {
            await node.WaitHealthyAsync();
        }

        return cluster;
    }

    private string CatalogPath => Path.Combine(_root, "catalog.json");

    private string ConnectionString => new NpgsqlConnectionStringBuilder(_server) { Database = _database }.ToString();

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        NpgsqlConnection.ClearAllPools();
        await using (var admin = new NpgsqlConnection(_server))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    private Node Launch(int index, string bucket, string[] extra)
    {
        var port = FreePort();
        var args = new List<string>
        {
            Path.Combine(AppContext.BaseDirectory, "seedgate.dll"), "serve",
            "--urls", $"http://127.0.0.1:{port}",
            "--data", Path.Combine(_root, $"node-{index}"),
            "--postgres", ConnectionString,
            $"--Seedgate:Blobs:S3:ServiceUrl={Required("SEEDGATE_TEST_S3")}",
            $"--Seedgate:Blobs:S3:Bucket={bucket}",
            $"--Seedgate:Blobs:S3:AccessKey={Environment.GetEnvironmentVariable("SEEDGATE_TEST_S3_ACCESS_KEY") ?? "S3RVER"}",
            $"--Seedgate:Blobs:S3:SecretKey={Environment.GetEnvironmentVariable("SEEDGATE_TEST_S3_SECRET_KEY") ?? "S3RVER"}",
            $"--Seedgate:CatalogPath={CatalogPath}",
            "--Seedgate:Engines:InstantTest:Enabled=true",
            $"--Seedgate:Engines:InstantTest:RunDirectory={RunDirectory}",
            "--Seedgate:Dispatch:Lease=00:00:04",
            "--Seedgate:Dispatch:PollInterval=00:00:00.200",
            "--Logging:LogLevel:Default=Warning",
        };
        args.AddRange(CliHarness.GenerousPlan);
        args.AddRange(extra);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        args.ForEach(info.ArgumentList.Add);
        info.Environment["SEEDGATE_API_KEY"] = Key;
        info.Environment["SEEDGATE_ADMIN_KEY"] = AdminKey;
        var process = Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Node(index, port, process, log);
    }

    private static string InstantCatalog() => CatalogWith(InstantModel, "instant-test");

    /// <summary>The shipped catalog plus one model (a copy of the first) routed to <paramref name="engine"/>.</summary>
    public static string CatalogWith(string modelId, string engine)
    {
        var catalog = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "catalog.json")))!;
        var model = catalog["models"]![0]!.DeepClone();
        model["id"] = modelId;
        model["aliases"] = new JsonArray();
        model["route"]!["engine"] = engine;
        catalog["models"]!.AsArray().Add(model);
        return catalog.ToJsonString();
    }

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable)
        ?? throw new InvalidOperationException(
            $"{variable} is not set: run ./test.sh, which starts PostgreSQL and an S3 server for the tests "
            + "(or source scripts/postgres.sh and scripts/s3rver.sh and start them yourself).");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal sealed class Node(int index, int port, Process process, System.Text.StringBuilder log) : IDisposable
    {
        public int Index { get; } = index;
        public int Port { get; } = port;
        public HttpClient Http { get; } = CreateClient(port);

        public string Log
        {
            get
            {
                lock (log)
                {
                    return log.ToString();
                }
            }
        }

        public void Kill()
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        public Task WaitHealthyAsync() => CliHarness.WaitHealthyAsync(Http, process, () => $"node {Index}: {Log}");

        public async Task<string> SubmitAsync(string model, string prompt, int duration = 4)
        {
            using var response = await Http.PostAsync(
                "/api/v3/contents/generations/tasks",
                new StringContent(
                    new JsonObject
                    {
                        ["model"] = model,
                        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = prompt }),
                        ["resolution"] = "480p",
                        ["duration"] = duration,
                        ["generate_audio"] = false,
                    }.ToJsonString(),
                    System.Text.Encoding.UTF8,
                    "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            return (string)JsonNode.Parse(text)!["id"]!;
        }

        public async Task<JsonObject> GetAsync(string id, int wait = 0)
        {
            using var response = await Http.GetAsync($"/api/v3/contents/generations/tasks/{id}?wait={wait}");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            return (JsonObject)JsonNode.Parse(text)!;
        }

        /// <summary>Long-polls until the task is terminal (bounded).</summary>
        public async Task<JsonObject> WaitAsync(string id)
        {
            for (var i = 0; i < 6; i++)
            {
                var task = await GetAsync(id, wait: 30);
                if ((string?)task["status"] is "succeeded" or "failed" or "cancelled" or "expired")
                {
                    return task;
                }
            }

            throw new TimeoutException($"Task {id} did not finish.");
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                Kill();
            }

            process.Dispose();
            Http.Dispose();
        }

        private static HttpClient CreateClient(int port)
        {
            var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(90) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
            return http;
        }
    }
}
