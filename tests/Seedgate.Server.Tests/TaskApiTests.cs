using System.Net;
using System.Net.Http.Headers;
using Seedgate.Core.Accounts;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>Auth, tenants, listing, long-poll and DELETE semantics, on a node that keeps jobs queued.</summary>
public sealed class TaskApiTests : IClassFixture<ApiOnlyGatewayFixture>
{
    private const string Ark = "/api/v3/contents/generations/tasks";
    private readonly Gateway _gateway;

    public TaskApiTests(ApiOnlyGatewayFixture fixture) => _gateway = fixture.Gateway;

    [Theory]
    [InlineData(Ark, null)]
    [InlineData(Ark, "sg-not-a-real-key")]
    [InlineData("/seedance/v1/videos/cgt-20260101000000-abcdefgh", null)]
    [InlineData("/seedance/v1/videos/cgt-20260101000000-abcdefgh", "sg-not-a-real-key")]
    public async Task MissingOrUnknownKey_Is401(string path, string? key)
    {
        using var client = new HttpClient(new SocketsHttpHandler()) { BaseAddress = _gateway.BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var (status, body) = await _gateway.GetAsync(path, client);

        Assert.Equal(401, status);
        Assert.Contains((string?)body["error"]!["code"], new[] { "AuthenticationError", "authentication_error" });
    }

    [Theory]
    [InlineData("Bearer {key}", 200)]
    [InlineData("bearer {key}", 200)]
    [InlineData("Bearer \t {key} \t", 200)] // ASCII optional whitespace is trimmed
    [InlineData("Bearer {key}\u00a0", 401)] // Unicode whitespace is not: NO-BREAK SPACE,
    [InlineData("Bearer \u00a0{key}", 401)]
    [InlineData("Bearer {key}\u2003", 401)] // EM SPACE,
    [InlineData("Bearer {key}\u3000", 401)] // IDEOGRAPHIC SPACE,
    [InlineData("Bearer {key}\u0085", 401)] // NEXT LINE
    [InlineData("Bearer", 401)]
    [InlineData("Bearer{key}", 401)]
    [InlineData("Basic {key}", 401)]
    [InlineData("Bearer {key} {key}", 401)]
    public async Task OnlyBearerAndAsciiWhitespace_AreAcceptedAroundTheKey(string header, int status)
    {
        // UTF-8 header values, as Kestrel reads them, so the Unicode spaces arrive as sent.
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 })
        {
            BaseAddress = _gateway.BaseAddress,
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, Ark);
        request.Headers.TryAddWithoutValidation("Authorization", header.Replace("{key}", Gateway.Key));

        using var response = await client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        if (status == 401)
        {
            var error = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
            Assert.Equal("AuthenticationError", (string?)error["code"]);
            Assert.Equal("Authorization", (string?)error["param"]);
        }
    }

    [Fact]
    public async Task KeysAreStoredOnlyAsHashes_AndTenantsNeverSeeEachOthersJobs()
    {
        var accounts = (IAccountStore)_gateway.Services.GetService(typeof(IAccountStore))!;
        var now = DateTimeOffset.UnixEpoch;
        await accounts.EnsureAccountAsync("acme", "Acme", now, CancellationToken.None);
        var (key, record) = ApiKeys.Create("acme", "test", now);
        await accounts.AddApiKeyAsync(record, CancellationToken.None);
        Assert.DoesNotContain(key, record.Hash);
        Assert.NotNull(await accounts.FindApiKeyAsync(ApiKeys.Hash(key), CancellationToken.None));
        using var acme = new HttpClient(new SocketsHttpHandler()) { BaseAddress = _gateway.BaseAddress };
        acme.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var mine = await CreateAsync();
        var (_, theirs) = await _gateway.PostAsync(Ark, TextTask("acme's video"), acme);

        Assert.Equal(404, (await _gateway.GetAsync($"{Ark}/{mine}", acme)).Status);
        Assert.Equal(404, (await _gateway.GetAsync($"/seedance/v1/videos/{mine}", acme)).Status);
        using var delete = await acme.DeleteAsync($"{Ark}/{mine}");
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        var (_, list) = await _gateway.GetAsync($"{Ark}?page_size=500", acme);
        Assert.Equal(1, (long)list["total"]!);
        Assert.Equal((string?)theirs["id"], (string?)list["items"]![0]!["id"]);
    }

    [Fact]
    public async Task List_PagesNewestFirst_AndFilters()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await CreateAsync(model: i % 2 == 0 ? "seedance-2.0" : "seedance-2.0-fast"));
        }

        var (status, page) = await _gateway.GetAsync(
            $"{Ark}?page_num=1&page_size=2&filter.status=queued&filter.task_ids={ids[0]}&filter.task_ids={ids[1]}&filter.task_ids={ids[2]}");
        Assert.Equal(200, status);
        Assert.Equal(3, (long)page["total"]!);
        Assert.Equal(new[] { ids[2], ids[1] }, page["items"]!.AsArray().Select(t => (string)t!["id"]!));

        var (_, second) = await _gateway.GetAsync($"{Ark}?page_num=2&page_size=2&filter.task_ids={ids[0]}&filter.task_ids={ids[1]}&filter.task_ids={ids[2]}");
        Assert.Equal(new[] { ids[0] }, second["items"]!.AsArray().Select(t => (string)t!["id"]!));

        var (_, fast) = await _gateway.GetAsync($"{Ark}?page_size=500&filter.model=seedance-2.0-fast&filter.task_ids={string.Join(",", ids)}");
        Assert.Equal(2, (long)fast["total"]!);

        Assert.Equal(400, (await _gateway.GetAsync($"{Ark}?page_size=501")).Status);
        Assert.Equal(400, (await _gateway.GetAsync($"{Ark}?page_num=0")).Status);
        Assert.Equal("filter.status", (string?)(await _gateway.GetAsync($"{Ark}?filter.status=done")).Body["error"]!["param"]);
    }

    [Fact]
    public async Task Delete_CancelsAQueuedTask_ThenRefusesToDeleteTheCancelledOne()
    {
        var id = await CreateAsync();

        using (var cancel = await _gateway.Http.DeleteAsync($"{Ark}/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var (_, task) = await _gateway.GetAsync($"{Ark}/{id}");
        Assert.Equal("cancelled", (string?)task["status"]);
        var (_, v1) = await _gateway.GetAsync($"/seedance/v1/videos/{id}");
        Assert.Equal("cancelled", (string?)v1["status"]);

        using var again = await _gateway.Http.DeleteAsync($"{Ark}/{id}");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Get_UnknownOrMalformedId_Is404()
    {
        Assert.Equal(404, (await _gateway.GetAsync($"{Ark}/cgt-20260101000000-zzzzzzzz")).Status);
        var (status, body) = await _gateway.GetAsync($"{Ark}/..%2F..%2Fetc");
        Assert.Equal(404, status);
        Assert.Equal("NotFound", (string?)body["error"]!["code"]);
    }

    [Fact]
    public async Task LongPoll_OnAQueuedTask_WaitsAboutTheAskedTime_AndRefusesTooLongWaits()
    {
        var id = await CreateAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var (status, task) = await _gateway.GetAsync($"{Ark}/{id}?wait=1");

        Assert.Equal(200, status);
        Assert.Equal("queued", (string?)task["status"]);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 10);
        Assert.Equal("wait", (string?)(await _gateway.GetAsync($"{Ark}/{id}?wait=61")).Body["error"]!["param"]);
    }

    [Fact]
    public async Task TaskView_EchoesTheRequestWithDefaultsFilledIn()
    {
        var id = await CreateAsync(model: "seedance-2.0-pro");

        var (_, task) = await _gateway.GetAsync($"{Ark}/{id}");

        Assert.Equal("queued", (string?)task["status"]);
        Assert.Equal("2k", (string?)task["resolution"]);
        Assert.Equal("16:9", (string?)task["ratio"]);
        Assert.Equal(5, (int)task["duration"]!);
        Assert.InRange((long)task["seed"]!, 0, uint.MaxValue);
        Assert.Equal(172800, (int)task["execution_expires_after"]!);
        Assert.Null(task["content"]);
        Assert.Null(task["error"]);
    }

    private async Task<string> CreateAsync(string model = "seedance-2.0")
    {
        var (status, body) = await _gateway.PostAsync(Ark, TextTask("a lighthouse at night", model));
        Assert.Equal(200, status);
        return (string)body["id"]!;
    }

    private static object TextTask(string prompt, string model = "seedance-2.0") =>
        new { model, content = new object[] { new { type = "text", text = prompt } } };
}
