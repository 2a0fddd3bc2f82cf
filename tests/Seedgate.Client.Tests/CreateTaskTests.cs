using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Seedgate.Testing;

namespace Seedgate.Client.Tests;

/// <summary>The SDK's own wire behaviour for create, list and delete, checked on what a real HTTP server receives.</summary>
public sealed class CreateTaskTests
{
    [Fact]
    public async Task Create_sends_Ark_json_snake_case_with_nulls_omitted_and_returns_the_id()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapPost(ArkTestServer.TasksPath, () => Results.Json(new { id = "cgt-20260101-abc" })));
        using var http = TestClients.Http();
        var client = TestClients.For(server, http, preflight: false); // every field at once, modes mixed: the wire format, not the rules

        var id = await client.CreateTaskAsync(
            new CreateTaskRequest
            {
                Model = "seedance-2.0-fast",
                Content =
                [
                    ContentItem.FromText("a red fox in the snow"),
                    ContentItem.Image("https://example.com/a.png", ContentRoles.FirstFrame),
                    ContentItem.Image("data:image/png;base64,AAAA", ContentRoles.LastFrame),
                    ContentItem.Video("https://example.com/v.mp4"),
                    ContentItem.Audio("https://example.com/a.mp3"),
                ],
                Resolution = "720p",
                Ratio = "16:9",
                Duration = 5,
                Seed = 4_294_967_295,
                GenerateAudio = false,
                ReturnLastFrame = true,
                CallbackUrl = new Uri("https://hooks.example.com/seedgate"),
                ExecutionExpiresAfter = 3600,
                Priority = 3,
                CameraMotion = "dolly_in",
                Style = "cinematic",
                NegativePrompt = "blur",
                FallbackModel = "seedance-2.0-mini",
            },
            idempotencyKey: "idem-1",
            correlationId: "corr-42",
            TestClients.Ct);

        Assert.Equal("cgt-20260101-abc", id);
        var received = Assert.Single(server.Requests);
        Assert.Equal("POST", received.Method);
        Assert.Equal("Bearer sg-test-key", received.Header("Authorization"));
        Assert.Equal("idem-1", received.Header("Idempotency-Key"));
        Assert.Equal("corr-42", received.Header("X-Client-Request-Id"));
        Assert.StartsWith("application/json", received.Header("Content-Type"), StringComparison.Ordinal);

        var expected = JsonNode.Parse("""
            {
              "model": "seedance-2.0-fast",
              "content": [
                {"type": "text", "text": "a red fox in the snow"},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}, "role": "first_frame"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}, "role": "last_frame"},
                {"type": "video_url", "video_url": {"url": "https://example.com/v.mp4"}, "role": "reference_video"},
                {"type": "audio_url", "audio_url": {"url": "https://example.com/a.mp3"}, "role": "reference_audio"}
              ],
              "resolution": "720p",
              "ratio": "16:9",
              "duration": 5,
              "seed": 4294967295,
              "generate_audio": false,
              "return_last_frame": true,
              "callback_url": "https://hooks.example.com/seedgate",
              "execution_expires_after": 3600,
              "priority": 3,
              "camera_motion": "dolly_in",
              "style": "cinematic",
              "negative_prompt": "blur",
              "fallback_model": "seedance-2.0-mini"
            }
            """);
        var actual = JsonNode.Parse(received.Body);
        Assert.True(JsonNode.DeepEquals(expected, actual), "received: " + received.Body);
    }

    [Fact]
    public async Task Create_with_only_a_prompt_sends_only_model_and_content()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapPost(ArkTestServer.TasksPath, () => Results.Json(new { id = "cgt-1" })));
        using var http = TestClients.Http();

        await TestClients.For(server, http).CreateTaskAsync(
            new CreateTaskRequest { Model = "m", Content = [ContentItem.FromText("p")] }, cancellationToken: TestClients.Ct);

        var received = Assert.Single(server.Requests);
        Assert.Equal("""{"model":"m","content":[{"type":"text","text":"p"}]}""", received.Body);
        Assert.True(Guid.TryParse(received.Header("Idempotency-Key"), out _), "a create always carries a key: one is made");
        Assert.Matches("^sg-[0-9a-f]{32}$", received.Header("X-Client-Request-Id"));
    }

    [Fact]
    public async Task List_sends_Ark_query_keys_with_repeated_task_ids_and_reads_the_page()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath, () => Results.Text(
                """{"total":7,"items":[{"id":"cgt-a","status":"queued"},{"id":"cgt-b","status":"succeeded","content":{"video_url":"http://x/v.mp4"}}]}""",
                "application/json")));
        using var http = TestClients.Http();

        var page = await TestClients.For(server, http).ListTasksAsync(
            2, 50, "succeeded", "seedance-2.0", ["cgt-a", "cgt b"], TestClients.Ct);

        Assert.Equal(7, page.Total);
        Assert.Equal(["cgt-a", "cgt-b"], page.Items.Select(t => t.Id));
        Assert.Equal(new Uri("http://x/v.mp4"), page.Items[1].Content?.VideoUrl);
        var query = Assert.Single(server.Requests).Query;
        Assert.Equal("?page_num=2&page_size=50&filter.status=succeeded&filter.model=seedance-2.0&filter.task_ids=cgt-a&filter.task_ids=cgt%20b", query);
    }

    [Fact]
    public async Task Delete_sends_DELETE_to_the_task_and_does_not_retry()
    {
        var calls = 0;
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapDelete(ArkTestServer.TasksPath + "/{id}", (string id) =>
                Interlocked.Increment(ref calls) == 1 ? Results.StatusCode(503) : Results.Json(new { })));
        using var http = TestClients.Http();
        var client = TestClients.For(server, http);

        var error = await Assert.ThrowsAnyAsync<SeedgateApiException>(() => client.DeleteTaskAsync("cgt-x", TestClients.Ct));
        await client.DeleteTaskAsync("cgt-x", TestClients.Ct);

        Assert.Equal(503, (int)error.StatusCode);
        Assert.Equal(2, calls);
        Assert.All(server.Requests, r => Assert.Equal(("DELETE", ArkTestServer.TasksPath + "/cgt-x"), (r.Method, r.Path)));
    }

    [Fact]
    public async Task A_base_address_ending_in_api_v3_as_Ark_SDKs_use_reaches_the_same_route()
    {
        await using var server = await ArkTestServer.StartAsync(app =>
            app.MapGet(ArkTestServer.TasksPath + "/{id}", (string id) => Results.Json(new { id, status = "queued" })));
        using var http = TestClients.Http();
        var client = new SeedgateClient(http, new SeedgateClientOptions { BaseAddress = new Uri(server.BaseAddress, "api/v3"), ApiKey = "k" });

        var task = await client.GetTaskAsync("cgt-1", cancellationToken: TestClients.Ct);

        Assert.Equal("queued", task.Status);
        Assert.Equal(ArkTestServer.TasksPath + "/cgt-1", Assert.Single(server.Requests).Path);
    }
}
