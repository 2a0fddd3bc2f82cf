using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;
using Seedgate.Testing;

namespace Seedgate.Client.Tests;

/// <summary>Waiting on the seeds' cadence, paging, resumed downloads, GenerateAsync and the IHttpClientFactory registration.</summary>
public sealed class SdkSurfaceTests
{
    [Fact]
    public async Task Against_a_server_that_answers_at_once_the_checks_back_off_by_half_each_time_to_the_cap()
    {
        var asked = 0;
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) =>
                Results.Json(new { id, status = Interlocked.Increment(ref asked) < 7 ? "running" : "succeeded" })));
        using var http = TestClients.Http();
        var time = new ImpatientTime();
        var client = new SeedgateClient(http, new SeedgateClientOptions
        {
            BaseAddress = server.BaseAddress,
            ApiKey = "k",
            TimeProvider = time,
            PollInterval = TimeSpan.FromSeconds(5),
            MaxPollInterval = TimeSpan.FromSeconds(30),
        });

        var task = await client.WaitAsync("cgt-1", cancellationToken: TestClients.Ct);

        Assert.Equal("succeeded", task.Status);
        double[] planned = [5, 7.5, 11.25, 16.875, 25.3125, 30]; // ×1.5 from 5 s, capped at 30 s; each ±20 % (and never over the cap)
        var pauses = time.Delays.ToArray();
        Assert.Equal(planned.Length, pauses.Length);
        for (var i = 0; i < pauses.Length; i++)
        {
            Assert.InRange(pauses[i].TotalSeconds, planned[i] * 0.8 - 0.001, Math.Min(planned[i] * 1.2, 30) + 0.001);
        }
    }

    [Fact]
    public async Task A_server_that_holds_long_polls_is_asked_again_without_the_cadence_and_Retry_After_on_an_answer_is_honoured()
    {
        var asked = 0;
        await using var server = await ArkTestServer.StartAsync(app =>
        {
            app.MapGet(ArkTestServer.TasksPath + "/cgt-held", (HttpResponse response) =>
            {
                response.Headers["Seedgate-Max-Wait"] = "60";
                return Results.Json(new { id = "cgt-held", status = Interlocked.Increment(ref asked) < 3 ? "running" : "succeeded" });
            });
            app.MapGet(ArkTestServer.TasksPath + "/cgt-later", (HttpResponse response) =>
            {
                response.Headers.RetryAfter = "1";
                return Results.Json(new { id = "cgt-later", status = Interlocked.Increment(ref asked) < 5 ? "running" : "succeeded" });
            });
        });
        using var http = TestClients.Http();
        var client = TestClients.For(server, http, pollInterval: TimeSpan.FromSeconds(20));

        var clock = Stopwatch.StartNew();
        Assert.Equal("succeeded", (await client.WaitAsync("cgt-held", cancellationToken: TestClients.Ct)).Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"no 20 s cadence against a long-polling server: {clock.Elapsed}");

        // Without the header, the server's Retry-After (1 s) replaces the 20 s interval.
        clock.Restart();
        Assert.Equal("succeeded", (await client.WaitAsync("cgt-later", cancellationToken: TestClients.Ct)).Status);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.95), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task ListAllTasks_walks_the_pages_until_a_short_one_and_drops_repeats()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath, (int page_num, int page_size) => Results.Json(new
            {
                total = 5,
                items = (page_num switch { 1 => new[] { "a", "b" }, 2 => ["b", "c"], _ => ["d"] })
                    .Select(id => new { id, status = "succeeded" }),
            })));
        using var http = TestClients.Http();

        var ids = new List<string>();
        await foreach (var task in TestClients.For(server, http).ListAllTasksAsync(status: "succeeded", pageSize: 2, cancellationToken: TestClients.Ct))
        {
            ids.Add(task.Id);
        }

        Assert.Equal(["a", "b", "c", "d"], ids);
        Assert.Equal(
            ["?page_num=1&page_size=2&filter.status=succeeded", "?page_num=2&page_size=2&filter.status=succeeded", "?page_num=3&page_size=2&filter.status=succeeded"],
            server.Requests.Select(r => r.Query));
    }

    [Fact]
    public async Task A_download_cut_off_half_way_is_resumed_with_Range_and_If_Range()
    {
        var payload = new byte[1024 * 1024 + 3];
        new Random(2).NextBytes(payload);
        var calls = 0;
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet("/files/out.mp4", async (HttpContext context) =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    // Announce the whole file, send 300 KB, then drop the connection.
                    context.Response.ContentLength = payload.Length;
                    context.Response.Headers.ETag = "\"v1\"";
                    await context.Response.Body.WriteAsync(payload.AsMemory(0, 300 * 1024));
                    await context.Response.Body.FlushAsync();
                    context.Abort();
                    return;
                }

                await Results.Bytes(payload, "video/mp4", entityTag: new EntityTagHeaderValue("\"v1\""), enableRangeProcessing: true).ExecuteAsync(context);
            }));
        using var http = TestClients.Http();
        using var destination = new MemoryStream();
        var reports = new List<DownloadProgress>();

        var written = await TestClients.For(server, http).DownloadWithProgressAsync(
            new Uri(server.BaseAddress, "/files/out.mp4"), destination, new SyncProgress<DownloadProgress>(reports.Add), TestClients.Ct);

        Assert.Equal(payload.Length, written);
        Assert.Equal(payload, destination.ToArray());
        var resume = server.Requests.Last();
        Assert.Matches("^bytes=[1-9][0-9]*-$", resume.Header("Range"));
        Assert.Equal("\"v1\"", resume.Header("If-Range"));
        Assert.Equal(new DownloadProgress(payload.Length, payload.Length), reports[^1]);
    }

    [Fact]
    public async Task DownloadToFile_resumes_a_part_file_left_by_an_earlier_run_and_restarts_when_the_file_changed()
    {
        var payload = new byte[200_000];
        new Random(3).NextBytes(payload);
        var etag = "\"v1\"";
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet("/files/out.mp4", () => Results.Bytes(payload, "video/mp4", entityTag: new EntityTagHeaderValue(etag), enableRangeProcessing: true)));
        using var http = TestClients.Http();
        var client = TestClients.For(server, http);
        var path = Path.Combine(Path.GetTempPath(), "sg-resume-" + Guid.NewGuid().ToString("N") + ".mp4");
        try
        {
            await File.WriteAllBytesAsync(path + ".part", payload.AsMemory(0, 50_000).ToArray(), TestClients.Ct);
            var size = await client.DownloadToFileAsync(new Uri(server.BaseAddress, "/files/out.mp4"), path, cancellationToken: TestClients.Ct);

            Assert.Equal(payload.Length, size);
            Assert.Equal(payload, await File.ReadAllBytesAsync(path, TestClients.Ct));
            Assert.False(File.Exists(path + ".part"));
            Assert.Equal("bytes=50000-", server.Requests.Last().Header("Range"));

            // A .part longer than the file cannot be this file's start: the server refuses the range (416) and the
            // download starts over.
            await File.WriteAllBytesAsync(path + ".part", new byte[300_000], TestClients.Ct);
            size = await client.DownloadToFileAsync(new Uri(server.BaseAddress, "/files/out.mp4"), path, cancellationToken: TestClients.Ct);
            Assert.Equal(payload.Length, size);
            Assert.Equal(payload, await File.ReadAllBytesAsync(path, TestClients.Ct));
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".part");
        }
    }

    [Fact]
    public async Task Generate_submits_waits_and_downloads_under_one_correlation_id_and_reports_each_stage()
    {
        var payload = new byte[10_000];
        var polls = 0;
        await using var server = await ArkTestServer.StartAsync(app =>
        {
            app.MapPost(ArkTestServer.TasksPath, () => Results.Json(new { id = "cgt-gen" }));
            app.MapGet(ArkTestServer.TasksPath + "/cgt-gen", (HttpRequest request) => Interlocked.Increment(ref polls) switch
            {
                1 => Results.Json(new { id = "cgt-gen", status = "queued", queue_position = 2 }),
                2 => Results.Json(new { id = "cgt-gen", status = "running", progress = 50 }),
                _ => Results.Json(new
                {
                    id = "cgt-gen", status = "succeeded",
                    content = new { video_url = new Uri(new Uri(request.Scheme + "://" + request.Host), "/files/cgt-gen.mp4") },
                    cost = new { amount_micros = 50_000, currency = "USD" },
                }),
            });
            app.MapGet("/files/cgt-gen.mp4", () => Results.Bytes(payload, "video/mp4"));
        });
        using var http = TestClients.Http();
        var stages = new List<GenerationProgress>();
        var path = Path.Combine(Path.GetTempPath(), "sg-gen-" + Guid.NewGuid().ToString("N") + ".mp4");
        try
        {
            var result = await TestClients.For(server, http).GenerateAsync(
                new CreateTaskRequest { Model = "seedance-2.0-fast", Content = [ContentItem.FromText("a cat")] },
                path, new SyncProgress<GenerationProgress>(stages.Add), cancellationToken: TestClients.Ct);

            Assert.Equal(("cgt-gen", payload.Length, path), (result.Task.Id, (int)result.Bytes, result.OutputPath));
            Assert.Equal(50_000, result.Task.Cost?.AmountMicros);
            Assert.Equal(payload.Length, new FileInfo(path).Length);
            Assert.Equal(
                [GenerationStage.Submitting, GenerationStage.Waiting, GenerationStage.Waiting, GenerationStage.Waiting, GenerationStage.Waiting],
                stages.Select(s => s.Stage).Take(5));
            Assert.Equal(2, stages.First(s => s.Status == "queued").QueuePosition);
            Assert.Equal(50, stages.First(s => s.Status == "running").Progress);
            Assert.Equal(GenerationStage.Done, stages[^1].Stage);
            var api = server.Requests.Where(r => r.Path.StartsWith(ArkTestServer.TasksPath, StringComparison.Ordinal)).ToList();
            Assert.All(api, r => Assert.Equal(result.CorrelationId, r.Header("X-Client-Request-Id")));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Generate_raises_a_failed_task_as_GenerationFailedException_with_its_code()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
        {
            app.MapPost(ArkTestServer.TasksPath, () => Results.Json(new { id = "cgt-bad" }));
            app.MapGet(ArkTestServer.TasksPath + "/cgt-bad", () => Results.Json(new
            {
                id = "cgt-bad", status = "failed", error = new { code = "OutputVideoSensitiveContentDetected", message = "blocked" },
            }));
        });
        using var http = TestClients.Http();

        var error = await Assert.ThrowsAsync<GenerationFailedException>(() => TestClients.For(server, http).GenerateAsync(
            new CreateTaskRequest { Model = "m", Content = [ContentItem.FromText("p")] }, Path.Combine(Path.GetTempPath(), "never.mp4"), cancellationToken: TestClients.Ct));

        Assert.Equal("OutputVideoSensitiveContentDetected", error.Code);
        Assert.True(error.IsContentPolicy);
        Assert.DoesNotContain(server.Requests, r => r.Path.StartsWith("/files", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddSeedgateClient_registers_a_typed_client_from_the_factory()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => Results.Json(new { id, status = "succeeded" })));
        var services = new ServiceCollection();
        services.AddSeedgateClient(new SeedgateClientOptions { BaseAddress = server.BaseAddress, ApiKey = "sg-di-key" });
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<SeedgateClient>();
        var task = await client.GetTaskAsync("cgt-di", cancellationToken: TestClients.Ct);

        Assert.Equal("succeeded", task.Status);
        Assert.Equal("Bearer sg-di-key", Assert.Single(server.Requests).Header("Authorization"));
    }

    /// <summary>The system clock, except that timers fire at once: the delays asked for are recorded instead of waited.</summary>
    private sealed class ImpatientTime : TimeProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<TimeSpan> Delays { get; } = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            {
                Delays.Enqueue(dueTime);
                dueTime = TimeSpan.FromMilliseconds(1);
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
