using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Seedgate.Testing;

namespace Seedgate.Client.Tests;

/// <summary>The SDK's waiting (long-polls) and its retries of transient failures.</summary>
public sealed class WaitAndRetryTests
{
    [Fact]
    public async Task Wait_follows_queued_running_succeeded_over_long_polls_and_reports_each_snapshot()
    {
        var polls = 0;
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => Interlocked.Increment(ref polls) switch
            {
                1 => Results.Json(new { id, status = "queued", progress = 0 }),
                2 => Results.Json(new { id, status = "running", progress = 40 }),
                3 => Results.Json(new { id, status = "running", progress = 90 }),
                _ => Results.Text(
                    $$"""{"id":"{{id}}","status":"succeeded","content":{"video_url":"http://127.0.0.1:1/v.mp4"},"seed":7,"progress":100}""",
                    "application/json"),
            }));
        using var http = TestClients.Http();
        var seen = new List<GenerationTask>();

        var done = await TestClients.For(server, http).WaitAsync(
            "cgt-1", new SyncProgress<GenerationTask>(seen.Add), TimeSpan.FromSeconds(20), TestClients.Ct);

        Assert.Equal("succeeded", done.Status);
        Assert.True(done.IsTerminal);
        Assert.Equal(7, done.Seed);
        Assert.Equal(["queued", "running", "running", "succeeded"], seen.Select(t => t.Status));
        Assert.Equal([0, 40, 90, 100], seen.Select(t => t.Progress ?? -1));
        Assert.All(server.Requests, r => Assert.Equal("?wait=30", r.Query));
    }

    [Fact]
    public async Task Wait_returns_a_failed_task_instead_of_throwing()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => Results.Json(new
            {
                id, status = "failed", error = new { code = "OutputVideoSensitiveContentDetected", message = "blocked" },
            })));
        using var http = TestClients.Http();

        var task = await TestClients.For(server, http).WaitAsync("cgt-1", cancellationToken: TestClients.Ct);

        Assert.Equal("failed", task.Status);
        Assert.Equal("OutputVideoSensitiveContentDetected", task.Error?.Code);
    }

    [Fact]
    public async Task Wait_times_out_with_the_last_status()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => Results.Json(new { id, status = "running" })));
        using var http = TestClients.Http();

        var error = await Assert.ThrowsAsync<TaskWaitTimeoutException>(() =>
            TestClients.For(server, http).WaitAsync("cgt-1", timeout: TimeSpan.FromMilliseconds(300), cancellationToken: TestClients.Ct));

        Assert.Contains("running", error.Message, StringComparison.Ordinal);
        Assert.Equal(("cgt-1", "running"), (error.TaskId, error.LastSeen?.Status)); // a timeout of the wait, not a failure of the task
    }

    [Fact]
    public async Task A_503_is_retried_after_the_Retry_After_the_server_asked_for_then_succeeds()
    {
        var calls = 0;
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id, HttpResponse response) =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    response.Headers.RetryAfter = "1";
                    return ArkTestServer.ArkError(503, "ServiceUnavailable", "try later");
                }

                return Results.Json(new { id, status = "succeeded" });
            }));
        using var http = TestClients.Http();
        var clock = Stopwatch.StartNew();

        var task = await TestClients.For(server, http).GetTaskAsync("cgt-1", cancellationToken: TestClients.Ct);

        Assert.Equal("succeeded", task.Status);
        Assert.Equal(2, calls);
        // The backoff alone would be ~10 ms; Retry-After asked for a whole second.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {clock.Elapsed}");
    }

    [Fact]
    public async Task A_429_storm_during_a_wait_is_ridden_out_with_backoff()
    {
        var calls = 0;
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => Interlocked.Increment(ref calls) <= 3
                ? ArkTestServer.ArkError(429, "RateLimitExceeded", "slow down")
                : Results.Json(new { id, status = "succeeded" })));
        using var http = TestClients.Http();

        var task = await TestClients.For(server, http, maxRetries: 5).WaitAsync("cgt-1", cancellationToken: TestClients.Ct);

        Assert.Equal("succeeded", task.Status);
        Assert.Equal(4, calls);
    }

    [Fact]
    public async Task Transient_failures_beyond_MaxRetries_surface_as_the_last_error()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => ArkTestServer.ArkError(500, "InternalServiceError", "boom")));
        using var http = TestClients.Http();

        var error = await Assert.ThrowsAnyAsync<SeedgateApiException>(() =>
            TestClients.For(server, http, maxRetries: 2).GetTaskAsync("cgt-1", cancellationToken: TestClients.Ct));

        Assert.Equal("InternalServiceError", error.Code);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_create_always_carries_an_idempotency_key_so_its_retries_are_safe()
    {
        var calls = 0;
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapPost(ArkTestServer.TasksPath, () => Interlocked.Increment(ref calls) % 2 == 1
                ? Results.StatusCode(503)
                : Results.Json(new { id = "cgt-ok" })));
        using var http = TestClients.Http();
        var client = TestClients.For(server, http);
        var request = new CreateTaskRequest { Model = "m", Content = [ContentItem.FromText("p")] };

        Assert.Equal("cgt-ok", await client.CreateTaskAsync(request, cancellationToken: TestClients.Ct));
        var made = server.Requests.Select(r => r.Header("Idempotency-Key")).ToList();
        Assert.Equal(2, made.Count);
        Assert.True(made[0] is not null && made[0] == made[1], "the retry repeats the key the SDK made");

        var id = await client.CreateTaskAsync(request, idempotencyKey: "k1", cancellationToken: TestClients.Ct);
        Assert.Equal("cgt-ok", id);
        Assert.Equal(4, calls);
        Assert.All(server.Requests.Skip(2), r => Assert.Equal("k1", r.Header("Idempotency-Key")));
        Assert.NotEqual("k1", made[0]);
    }

    [Fact]
    public async Task A_network_failure_is_retried()
    {
        // Nothing listens on port 1: every attempt is refused; the client retries, then gives up with the network error.
        using var http = TestClients.Http();
        var client = new SeedgateClient(http, new SeedgateClientOptions
        {
            BaseAddress = new Uri("http://127.0.0.1:1"),
            ApiKey = "k",
            MaxRetries = 2,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        });

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetTaskAsync("cgt-1", cancellationToken: TestClients.Ct));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(12), "two backoff delays (5 ms, 10 ms, less jitter) happened");
    }
}

/// <summary>An IProgress that reports synchronously and in order (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
