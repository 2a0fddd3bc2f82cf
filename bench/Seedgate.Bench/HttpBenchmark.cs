using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Seedgate.Server;

namespace Seedgate.Bench;

/// <summary>
/// Requests/s of GET task on the Ark dialect (auth, store read, view, signed links, JSON) next to a bare endpoint
/// on the same server returning the same bytes, both driven by wrk in the same run, interleaved.
/// </summary>
internal static class HttpBenchmark
{
    private const string Key = "sg-bench-0123456789abcdefghijklmnopqrstuv";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        const int Rounds = 2;
        var data = Path.Combine(Path.GetTempPath(), "seedgate-bench-http-" + Guid.NewGuid().ToString("n"));
        try
        {
            // A finished task, rendered by a normal node…
            string finishedId;
            await using (var worker = await StartAsync(data, dispatch: true, _ => { }))
            {
                using var http = Client(worker);
                finishedId = await CreateAsync(http);
                var view = await http.GetStringAsync($"{TaskPath}/{finishedId}?wait=60");
                if (!view.Contains("\"succeeded\"", StringComparison.Ordinal))
                {
                    Console.Error.WriteLine($"The benchmark task did not succeed: {view}");
                    return 1;
                }
            }

            // …then an API-only node on the same data, where a second task stays queued (read from the store every time).
            byte[] bare = [];
            await using var app = await StartAsync(data, dispatch: false, a => a.MapGet("/bench/bare", () => Results.Bytes(bare, "application/json")));
            using var client = Client(app);
            var queuedId = await CreateAsync(client);
            bare = await client.GetByteArrayAsync($"{TaskPath}/{finishedId}");
            var baseUrl = app.Urls.First();
            var anchor = new List<double>();
            var finished = new List<double>();
            var queued = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                anchor.Add(await WrkAsync(baseUrl + "/bench/bare", seconds));
                finished.Add(await WrkAsync($"{baseUrl}{TaskPath}/{finishedId}", seconds));
                queued.Add(await WrkAsync($"{baseUrl}{TaskPath}/{queuedId}", seconds));
            }

            var bareRate = BenchStats.Median(anchor);
            Console.WriteLine($"GET task vs a bare endpoint on the same server: wrk -t2 -c32 -d{seconds}s, {Rounds} interleaved rounds, medians, {bare.Length}-byte body");
            Console.WriteLine();
            Console.WriteLine("| measure | requests/s | vs bare | target |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine($"| bare endpoint returning the same bytes (anchor) | {bareRate:0} | 100 % | |");
            Console.WriteLine($"| GET task, succeeded (finished-job cache) | {BenchStats.Median(finished):0} | {BenchStats.Median(finished) / bareRate:P0} | ≥ 50 % |");
            Console.WriteLine($"| GET task, queued (SQLite read every time) | {BenchStats.Median(queued):0} | {BenchStats.Median(queued) / bareRate:P0} | (context) |");
            return 0;
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private const string TaskPath = "/api/v3/contents/generations/tasks";

    private static async Task<WebApplication> StartAsync(string data, bool dispatch, Action<WebApplication> map)
    {
        var app = SeedgateServer.Build(
            new ServeOptions(
                ["http://127.0.0.1:0"],
                data,
                [$"--SEEDGATE_API_KEY={Key}", "--Logging:LogLevel:Default=Warning", $"--Seedgate:Dispatch:Enabled={dispatch}", .. BenchPlans.Generous]));
        map(app);
        await app.StartAsync();
        return app;
    }

    private static HttpClient Client(WebApplication app)
    {
        var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri(app.Urls.First()) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return http;
    }

    private static async Task<string> CreateAsync(HttpClient http)
    {
        using var created = await http.PostAsJsonAsync(TaskPath, new
        {
            model = "seedance-2.0-fast",
            content = new object[] { new { type = "text", text = "benchmark" } },
            resolution = "480p",
            duration = 4,
            generate_audio = false,
        });
        return (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!;
    }

    private static async Task<double> WrkAsync(string url, int seconds)
    {
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-t2", "-c32", $"-d{seconds}s", "-H", $"Authorization: Bearer {Key}", url })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("wrk did not start (apt-get install -y wrk).");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("Requests/sec:", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no rate: {output}{await process.StandardError.ReadToEndAsync()}");
        if (output.Contains("Non-2xx", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"wrk saw errors: {output}");
        }

        return double.Parse(line["Requests/sec:".Length..].Trim(), CultureInfo.InvariantCulture);
    }
}
