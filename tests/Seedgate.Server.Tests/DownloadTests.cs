using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>
/// Signed downloads: refusals in JSON, HEAD like GET, validators for If-Range, Range as RFC 9110 reads it, and links
/// that name only hosts the operator allowed.
/// </summary>
public sealed class DownloadTests : IClassFixture<DownloadTests.RenderedOutput>, IDisposable
{
    private const string Ark = "/api/v3/contents/generations/tasks";
    private const string V1 = "/seedance/v1/videos";
    private readonly RenderedOutput _output;
    private readonly HttpClient _anonymous = new(new SocketsHttpHandler());

    public DownloadTests(RenderedOutput output) => _output = output;

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!")] // 43 characters, the last one outside base64url
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%2B")] // '+': standard base64, not base64url
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%2F")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%C3%A9")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%20")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // well formed, but not the signature
    public async Task AForgedSignature_Is403WithAJsonBody(string sig)
    {
        using var response = await _anonymous.GetAsync(new Uri(_output.Gateway.BaseAddress, $"/files/anything?exp=1&sig={sig}"));

        Assert.Equal(403, (int)response.StatusCode);
        Assert.True(response.Headers.Contains("X-Request-Id"));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("AuthenticationError", (string?)error["code"]);
    }

    [Fact]
    public async Task Head_AnswersLikeGet_WithoutTheBody()
    {
        using var get = await SendAsync(HttpMethod.Get);
        using var head = await SendAsync(HttpMethod.Head);

        Assert.Equal(200, (int)head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Equal(get.Content.Headers.LastModified, head.Content.Headers.LastModified);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Headers.AcceptRanges, head.Headers.AcceptRanges);
    }

    [Fact]
    public async Task Healthz_AnswersHeadLikeGet()
    {
        using var get = await _anonymous.GetAsync(new Uri(_output.Gateway.BaseAddress, "/healthz"));
        using var head = await _anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(_output.Gateway.BaseAddress, "/healthz")));

        Assert.Equal(200, (int)head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
    }

    [Fact]
    public async Task IfRange_ResumesWithTheValidators_AndRestartsWithAnyOther()
    {
        using var full = await SendAsync(HttpMethod.Get);
        var etag = full.Headers.ETag;
        var lastModified = full.Content.Headers.LastModified;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.NotNull(lastModified);

        using var byTag = await SendAsync(HttpMethod.Get, FirstTenBytes(new RangeConditionHeaderValue(etag)));
        using var byDate = await SendAsync(HttpMethod.Get, FirstTenBytes(new RangeConditionHeaderValue(lastModified.Value)));
        using var stale = await SendAsync(HttpMethod.Get, FirstTenBytes(new RangeConditionHeaderValue("\"another\"")));

        Assert.Equal(206, (int)byTag.StatusCode);
        Assert.Equal(10, (await byTag.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(206, (int)byDate.StatusCode);
        Assert.Equal(200, (int)stale.StatusCode);
        Assert.Equal(full.Content.Headers.ContentLength, (await stale.Content.ReadAsByteArrayAsync()).Length);
    }

    [Theory]
    [InlineData("items=0-9")]
    [InlineData("pages=1")]
    public async Task ARangeInAnotherUnit_IsIgnored(string range)
    {
        using var full = await SendAsync(HttpMethod.Get);
        using var response = await SendAsync(HttpMethod.Get, r => r.Headers.TryAddWithoutValidation("Range", range));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(full.Content.Headers.ContentLength, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Theory]
    [InlineData(Ark, "evil.example", null)] // a forged Host: the link names the address the request came in on
    [InlineData(Ark, "cdn.example.net", null)] // the wildcard needs a subdomain
    [InlineData(Ark, "videos.example.com:8443", "http://videos.example.com:8443/files/")]
    [InlineData(Ark, "a.cdn.example.net", "http://a.cdn.example.net/files/")]
    [InlineData(V1, "evil.example", null)]
    [InlineData(V1, "VIDEOS.example.com", "http://VIDEOS.example.com/files/")]
    public async Task DownloadLinks_NameOnlyAllowedHosts(string tasks, string host, string? expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{tasks}/{_output.TaskId}");
        request.Headers.Host = host;

        using var response = await _output.Gateway.Http.SendAsync(request);

        var view = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var url = (string)(view["content"] ?? view["output"])!["video_url"]!;
        Assert.StartsWith(expected ?? _output.Gateway.BaseAddress + "files/", url);
    }

    public void Dispose() => _anonymous.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, _output.VideoUrl);
        configure?.Invoke(request);
        return await _anonymous.SendAsync(request);
    }

    /// <summary>The first 10 bytes, if the validator still matches: how a player or download manager resumes.</summary>
    private static Action<HttpRequestMessage> FirstTenBytes(RangeConditionHeaderValue ifRange) => request =>
    {
        request.Headers.Range = new RangeHeaderValue(0, 9);
        request.Headers.IfRange = ifRange;
    };

    /// <summary>A gateway with one finished task, whose video the tests download.</summary>
    public sealed class RenderedOutput : IAsyncLifetime
    {
        public Gateway Gateway { get; private set; } = null!;
        public string TaskId { get; private set; } = null!;
        public string VideoUrl { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Gateway = await Gateway.StartAsync("--Seedgate:AllowedHosts:0=videos.example.com", "--Seedgate:AllowedHosts:1=*.cdn.example.net");
            var (status, created) = await Gateway.PostAsync(Ark, new
            {
                model = "seedance-2.0-fast",
                content = new object[] { new { type = "text", text = "waves on a beach" } },
                resolution = "480p",
                duration = 4,
                generate_audio = false,
            });
            Assert.True(status == 200, created.ToJsonString());
            TaskId = (string)created["id"]!;
            var task = await Gateway.WaitArkAsync(TaskId);
            VideoUrl = (string)task["content"]!["video_url"]!;
        }

        public async Task DisposeAsync() => await Gateway.DisposeAsync();
    }
}
