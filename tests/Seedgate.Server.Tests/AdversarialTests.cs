using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>
/// The standing adversarial suite: what an outsider sent to break the gateway (issue 7's reproductions), each answered
/// with a 4xx in the route's JSON error shape and never a 5xx; after all of it, sent three times over, the server
/// still answers and its memory has not grown out of bounds.
/// </summary>
public sealed class AdversarialTests : IClassFixture<ApiOnlyGatewayFixture>, IDisposable
{
    private const string Ark = "/api/v3/contents/generations/tasks";
    private const string V1 = "/seedance/v1/videos";
    private readonly Gateway _gateway;

    private readonly HttpClient _http;

    public AdversarialTests(ApiOnlyGatewayFixture fixture)
    {
        _gateway = fixture.Gateway;

        // Header values in UTF-8, as a hostile client may send them (HttpClient refuses non-ASCII by default).
        _http = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 }) { BaseAddress = _gateway.BaseAddress };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Gateway.Key);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A hostile request: how to send it, the status it must get, and the error param it must name (if any).</summary>
    public sealed record Attack(string Name, Func<HttpRequestMessage> Request, int Status, string? Param = null)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Attack> Attacks()
    {
        var data = new TheoryData<Attack>();
        foreach (var attack in All)
        {
            data.Add(attack);
        }

        return data;
    }

    private static readonly Attack[] All =
    [
        new("combining marks hide an 18 MB prompt (Ark)", () => Post(Ark, ArkText("a" + new string('\u0301', 200_000))), 400, "content[0].text"),
        new("combining marks hide an 18 MB prompt (v1)", () => Post(V1, new { model = "seedance-2.0", prompt = "a" + new string('\u0301', 200_000) }), 400, "prompt"),
        new("a picture that declares 16000 × 16000", () => Post(Ark, ArkImage(HugePng())), 400, "content[1].image_url.url"),
        new("a reference on port 0", () => Post(Ark, ArkImageUrl("http://example.com:0/a.png")), 400, "content[1].image_url.url"),
        new("a callback to the metadata service", () => Post(Ark, new { model = "seedance-2.0", content = new[] { new { type = "text", text = "x" } }, callback_url = "http://169.254.169.254/" }), 400, "callback_url"),
        new("a key padded with a no-break space", () => WithKey(Get(Ark), Gateway.Key + "\u00A0"), 401),
        new("a malformed Authorization header", () => WithAuthorization(Get(Ark), "Basic Zm9vOmJhcg=="), 401),
        new("a download signature outside base64url", () => new HttpRequestMessage(HttpMethod.Get, "/files/anything?exp=1&sig=!" + new string('A', 42)), 403),
        new("a download path that climbs out", () => new HttpRequestMessage(HttpMethod.Get, "/files/..%2F..%2Fetc%2Fpasswd?exp=1&sig=" + new string('A', 43)), 403),
        new("an Idempotency-Key with spaces", () => WithHeader(Post(Ark, ArkText("x")), "Idempotency-Key", "a b"), 400, "Idempotency-Key"),
        new("a list page of a billion", () => Get(Ark + "?page_size=1000000000"), 400, "page_size"),
        new("a wait of an hour", () => Get(Ark + "/cgt-20260101000000-abcdefgh?wait=3600"), 400, "wait"),
        new("a task id of 5000 characters", () => Get(Ark + "/" + new string('x', 5000)), 404),
        new("an unknown route", () => Get("/api/v3/../../admin"), 404),
    ];

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Each_attack_gets_its_4xx_in_the_dialects_json_body(Attack attack)
    {
        ArgumentNullException.ThrowIfNull(attack);
        using var request = attack.Request();
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode == attack.Status, $"{attack.Name}: {(int)response.StatusCode} {text}");
        Assert.True(response.Headers.Contains("X-Request-Id"), attack.Name);
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.False(string.IsNullOrEmpty((string?)error["code"]), attack.Name);
        if (attack.Param is not null)
        {
            Assert.Equal(attack.Param, (string?)error["param"]);
        }
    }

    [Fact]
    public async Task After_every_attack_three_times_the_server_answers_and_its_memory_is_bounded()
    {
        var before = Process.GetCurrentProcess().WorkingSet64;
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(All.Select(async attack =>
            {
                using var request = attack.Request();
                using var response = await _http.SendAsync(request);
                Assert.True((int)response.StatusCode < 500, attack.Name);
            }));
        }

        using var health = await _http.GetAsync("/healthz");
        Assert.True(health.IsSuccessStatusCode);
        var grown = Process.GetCurrentProcess().WorkingSet64 - before;
        Assert.True(grown < 512L * 1024 * 1024, $"the process grew by {grown / (1024 * 1024)} MiB");
    }

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    private static HttpRequestMessage Post(string path, object body) =>
        new(HttpMethod.Post, path) { Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };

    private static HttpRequestMessage WithHeader(HttpRequestMessage request, string name, string value)
    {
        request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string key) => WithAuthorization(request, "Bearer " + key);

    private static HttpRequestMessage WithAuthorization(HttpRequestMessage request, string value)
    {
        request.Headers.Authorization = null;
        request.Headers.TryAddWithoutValidation("Authorization", value);
        return request;
    }

    private static object ArkText(string prompt) => new { model = "seedance-2.0", content = new[] { new { type = "text", text = prompt } } };

    private static object ArkImageUrl(string url) => new
    {
        model = "seedance-2.0",
        content = new object[] { new { type = "text", text = "x" }, new { type = "image_url", image_url = new { url } } },
    };

    private static object ArkImage(byte[] png) => ArkImageUrl("data:image/png;base64," + Convert.ToBase64String(png));

    private static byte[] HugePng()
    {
        var png = new byte[64];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(png, 0);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 16000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 16000);
        return png;
    }
}
