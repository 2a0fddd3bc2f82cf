using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Seedgate.Client;
using Seedgate.Core.Jobs;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>Idempotency-Key on create, in every dialect, through the real HTTP API (jobs stay queued on this node).</summary>
public sealed class IdempotencyTests : IClassFixture<ApiOnlyGatewayFixture>
{
    private const string Ark = "/api/v3/contents/generations/tasks";
    private const string V1 = "/seedance/v1/videos";
    private readonly Gateway _gateway;

    public IdempotencyTests(ApiOnlyGatewayFixture fixture) => _gateway = fixture.Gateway;

    [Fact]
    public async Task Ark_same_key_and_body_return_the_same_task_and_another_body_is_409()
    {
        var key = NewKey();
        var (first, a) = await PostAsync(Ark, ArkTask("a fox in snow"), key);
        var (again, b) = await PostAsync(Ark, ArkTask("a fox in snow"), key);
        var (conflict, error) = await PostAsync(Ark, ArkTask("a fox in rain"), key);

        Assert.Equal((200, 200), (first, again));
        Assert.Equal((string?)a["id"], (string?)b["id"]);
        Assert.Equal(409, conflict);
        Assert.Equal("IdempotencyKeyReused", (string?)error["error"]!["code"]);
        Assert.Equal("Idempotency-Key", (string?)error["error"]!["param"]);
        Assert.Contains((string)a["id"]!, (string?)error["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(1L, await CountAsync((string)a["id"]!));
    }

    [Fact]
    public async Task Seedance_v1_same_key_and_body_return_the_same_job_and_another_body_is_409()
    {
        var key = NewKey();
        var body = new { model = "seedance-2.0-fast", prompt = "lanterns over a river", duration = 5 };
        var (_, a) = await PostAsync(V1, body, key);
        var (status, b) = await PostAsync(V1, body, key);
        var (conflict, error) = await PostAsync(V1, body with { duration = 6 }, key);

        Assert.Equal(200, status);
        Assert.Equal((string?)a["job_id"], (string?)b["job_id"]);
        Assert.Equal("queued", (string?)b["status"]);
        Assert.Equal(409, conflict);
        Assert.Equal("idempotency_key_reused", (string?)error["error"]!["code"]);
        Assert.Equal("Idempotency-Key", (string?)error["error"]!["param"]);
    }

    [Fact]
    public async Task Concurrent_identical_creates_make_one_job()
    {
        var key = NewKey();
        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => PostAsync(Ark, ArkTask("one job only"), key)));

        Assert.All(results, r => Assert.Equal(200, r.Status));
        var id = Assert.Single(results.Select(r => (string)r.Body["id"]!).Distinct());
        Assert.Equal(1L, await CountAsync(id));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\there")]
    public async Task A_malformed_key_is_400_naming_the_header(string key)
    {
        var (status, error) = await PostAsync(Ark, ArkTask("bad key"), key);
        Assert.Equal(400, status);
        Assert.Equal("Idempotency-Key", (string?)error["error"]!["param"]);

        var (tooLong, _) = await PostAsync(Ark, ArkTask("bad key"), new string('k', IdempotencyKeys.MaxKeyLength + 1));
        Assert.Equal(400, tooLong);
    }

    [Fact]
    public async Task The_sdk_retries_a_create_whose_response_was_lost_and_one_job_is_made()
    {
        using var lossy = new HttpClient(new DropFirstResponse(new SocketsHttpHandler()));
        var client = new SeedgateClient(lossy, new SeedgateClientOptions
        {
            BaseAddress = _gateway.BaseAddress,
            ApiKey = Gateway.Key,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        });
        var request = new CreateTaskRequest { Model = "seedance-2.0-fast", Content = [ContentItem.FromText("the response is lost once")] };

        var id = await client.CreateTaskAsync(request); // the SDK makes the key itself

        // The lost response's create and the retry's are one job: no other job has this prompt.
        var (_, list) = await _gateway.GetAsync($"{Ark}?page_size=500");
        var jobs = (IJobStore)_gateway.Services.GetService(typeof(IJobStore))!;
        var mine = new List<string>();
        foreach (var item in list["items"]!.AsArray())
        {
            var job = await jobs.GetAsync((string)item!["id"]!, CancellationToken.None);
            if (job!.Request.Prompt == "the response is lost once")
            {
                mine.Add(job.Id);
            }
        }

        Assert.Equal([id], mine);
    }

    /// <summary>Lets the first request reach the server, then drops its response, as a connection reset would.</summary>
    private sealed class DropFirstResponse(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _calls;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (Interlocked.Increment(ref _calls) == 1)
            {
                response.Dispose();
                throw new HttpRequestException("The connection was reset before the response arrived (simulated).");
            }

            return response;
        }
    }

    private async Task<(int Status, JsonObject Body)> PostAsync(string path, object body, string key)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        message.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        using var response = await _gateway.Http.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    /// <summary>How many of the caller's tasks have this id (the store's count, not a view's).</summary>
    private async Task<long> CountAsync(string id)
    {
        var (_, list) = await _gateway.GetAsync($"{Ark}?filter.task_ids={id}");
        return (long)list["total"]!;
    }

    private static string NewKey() => "test-" + Guid.NewGuid().ToString("N");

    private static object ArkTask(string prompt) =>
        new { model = "seedance-2.0-fast", content = new object[] { new { type = "text", text = prompt } } };
}
