using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>
/// Every error answer, whoever finds the error (an endpoint, routing, Kestrel), has a JSON body in the shape of the
/// route's dialect and an X-Request-Id; a bad request is never a 5xx (SDKs retry those).
/// </summary>
public sealed partial class EdgeErrorTests : IClassFixture<ApiOnlyGatewayFixture>
{
    private const string Ark = "/api/v3/contents/generations/tasks";
    private const string V1 = "/seedance/v1/videos";
    private const string Id = "cgt-20260101000000-abcdefgh";

    private static readonly Dictionary<string, Route> Routes = new()
    {
        ["ark create"] = new("POST", Ark, Shape.Ark, TakesJson: true, NeedsKey: true, WrongMethod: "PUT"),
        ["ark get"] = new("GET", $"{Ark}/{Id}", Shape.Ark, NeedsKey: true, WrongMethod: "POST"),
        ["ark list"] = new("GET", Ark, Shape.Ark, NeedsKey: true, WrongMethod: "PATCH"),
        ["ark delete"] = new("DELETE", $"{Ark}/{Id}", Shape.Ark, NeedsKey: true, WrongMethod: "PUT"),
        ["v1 create"] = new("POST", V1, Shape.V1, TakesJson: true, NeedsKey: true, WrongMethod: "GET"),
        ["v1 get"] = new("GET", $"{V1}/{Id}", Shape.V1, NeedsKey: true, WrongMethod: "DELETE"),
        ["download"] = new("GET", $"/files/outputs/{Id}/video.mp4?exp=1&sig=x", Shape.Neutral, WrongMethod: "POST"),
        ["balance"] = new("GET", "/v1/balance", Shape.Neutral, NeedsKey: true, WrongMethod: "POST"),
        ["usage"] = new("GET", "/v1/usage?group_by=week", Shape.Neutral, NeedsKey: true, WrongMethod: "DELETE"),
        ["healthz"] = new("GET", "/healthz", Shape.Neutral, WrongMethod: "POST"),
        ["openapi"] = new("GET", "/openapi/v1.json", Shape.Neutral, WrongMethod: "POST"),
        ["admin create account"] = new("POST", "/admin/v1/accounts", Shape.Neutral, TakesJson: true, NeedsKey: true, WrongMethod: "PUT", Admin: true),
        ["admin list accounts"] = new("GET", "/admin/v1/accounts", Shape.Neutral, NeedsKey: true, WrongMethod: "DELETE", Admin: true),
        ["admin get account"] = new("GET", "/admin/v1/accounts/default", Shape.Neutral, NeedsKey: true, WrongMethod: "PUT", Admin: true),
        ["admin update account"] = new("PATCH", "/admin/v1/accounts/default", Shape.Neutral, TakesJson: true, NeedsKey: true, WrongMethod: "POST", Admin: true),
        ["admin create key"] = new("POST", "/admin/v1/accounts/default/keys", Shape.Neutral, TakesJson: true, NeedsKey: true, WrongMethod: "DELETE", Admin: true),
        ["admin list keys"] = new("GET", "/admin/v1/accounts/default/keys", Shape.Neutral, NeedsKey: true, WrongMethod: "PATCH", Admin: true),
        ["admin revoke key"] = new("DELETE", "/admin/v1/keys/key-unknown", Shape.Neutral, NeedsKey: true, WrongMethod: "GET", Admin: true),
        ["admin credit"] = new("POST", "/admin/v1/accounts/default/credits", Shape.Neutral, TakesJson: true, NeedsKey: true, WrongMethod: "GET", Admin: true),
        ["admin unknown"] = new("GET", "/admin/v1/plans", Shape.Neutral),
        // Paths no route matches: under each dialect's root, and outside them.
        ["ark unknown"] = new("GET", "/api/v3/models", Shape.Ark),
        ["v1 unknown"] = new("GET", "/seedance/v1/jobs", Shape.V1),
        ["unknown root"] = new("GET", "/v1/videos", Shape.Neutral),
    };

    private readonly Gateway _gateway;

    public EdgeErrorTests(ApiOnlyGatewayFixture fixture) => _gateway = fixture.Gateway;

    public enum Shape
    {
        Ark,
        V1,
        Neutral,
    }

    public enum Fault
    {
        NoSuchRoute,
        WrongMethod,
        WrongContentType,
        MissingContentType,
        BrokenJson,
        OversizedBody,
        MalformedAuthorization,
    }

    /// <summary>Every route with every fault that applies to it: body faults to JSON routes, key faults to keyed routes.</summary>
    public static TheoryData<string, Fault> Cases()
    {
        var cases = new TheoryData<string, Fault>();
        foreach (var (name, route) in Routes)
        {
            cases.Add(name, route.WrongMethod is null ? Fault.NoSuchRoute : Fault.WrongMethod);
            if (route.TakesJson)
            {
                cases.Add(name, Fault.WrongContentType);
                cases.Add(name, Fault.MissingContentType);
                cases.Add(name, Fault.BrokenJson);
                cases.Add(name, Fault.OversizedBody);
            }

            if (route.NeedsKey)
            {
                cases.Add(name, Fault.MalformedAuthorization);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryErrorAnswer_HasTheDialectsJsonBody_AndARequestId(string routeName, Fault fault)
    {
        var route = Routes[routeName];
        using var request = new HttpRequestMessage(new HttpMethod(fault == Fault.WrongMethod ? route.WrongMethod! : route.Method), route.Path);
        request.Headers.TryAddWithoutValidation(
            "Authorization", fault == Fault.MalformedAuthorization ? "Token abc" : $"Bearer {(route.Admin ? Gateway.AdminKey : Gateway.Key)}");
        request.Content = fault switch
        {
            Fault.WrongContentType => new StringContent("{}", Encoding.UTF8, "text/plain"),
            Fault.MissingContentType => new ByteArrayContent("{}"u8.ToArray()),
            Fault.BrokenJson => new StringContent("""{"model":""", Encoding.UTF8, "application/json"),
            Fault.OversizedBody => new ZeroContent(BodyLimit() + 1, "application/json"),
            _ when route.TakesJson => new StringContent("{}", Encoding.UTF8, "application/json"),
            _ => null,
        };
        // Only the headers go out until the server asks for the body; it refuses first, so nothing large is sent.
        request.Headers.ExpectContinue = fault == Fault.OversizedBody;

        using var client = new HttpClient(new SocketsHttpHandler()) { BaseAddress = _gateway.BaseAddress };
        using var response = await client.SendAsync(request);

        var expected = fault switch
        {
            Fault.NoSuchRoute => 404,
            Fault.WrongMethod => 405,
            Fault.WrongContentType or Fault.MissingContentType => 415,
            Fault.BrokenJson => 400,
            Fault.OversizedBody => 413,
            Fault.MalformedAuthorization => 401,
        };
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == (int)response.StatusCode, $"{(int)response.StatusCode}: '{body}'");
        Assert.True(response.Headers.Contains("X-Request-Id"));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        AssertErrorShape(route.Shape, JsonNode.Parse(body) as JsonObject);
    }

    [Fact]
    public async Task ARequestTargetOverTheLimit_Is414_InTheDialect()
    {
        var (status, body, requestId) = await GetAsync($"{Ark}?filter.task_ids={new string('a', 9000)}");

        Assert.Equal(414, status);
        Assert.NotNull(requestId);
        AssertErrorShape(Shape.Ark, body);
        Assert.Equal("UriTooLong", (string?)body!["error"]!["code"]);
    }

    [Theory]
    [InlineData(1, 40_000)]
    [InlineData(150, 10)]
    public async Task HeadersOverTheLimit_Are431_InTheDialect(int count, int length)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{V1}/{Id}");
        for (var i = 0; i < count; i++)
        {
            request.Headers.Add($"X-Padding-{i}", new string('p', length));
        }

        using var response = await _gateway.Http.SendAsync(request);

        Assert.Equal(431, (int)response.StatusCode);
        Assert.True(response.Headers.Contains("X-Request-Id"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonObject;
        AssertErrorShape(Shape.V1, body);
        Assert.Equal("headers_too_large", (string?)body!["error"]!["code"]);
    }

    [Fact]
    public async Task ABodyThatStopsHalfway_Is408_InTheDialect()
    {
        // 100 bytes promised, 9 sent, then silence: Kestrel's minimum data rate (240 B/s after a 5 s grace) gives up.
        var response = await RawHttp.SendAsync(_gateway.BaseAddress, Head(Ark, "Content-Length: 100"), """{"model":"""u8.ToArray());

        Assert.Equal(408, response.Status);
        Assert.True(response.Headers.ContainsKey("X-Request-Id"));
        AssertErrorShape(Shape.Ark, response.Body);
        Assert.Equal("RequestTimeout", (string?)response.Body!["error"]!["code"]);
    }

    [Theory]
    [InlineData(Ark, Shape.Ark, "InvalidParameter")]
    [InlineData(V1, Shape.V1, "invalid_parameter")]
    public async Task ABrokenChunkedBody_Is400NamingTheBody(string path, Shape shape, string code)
    {
        var response = await RawHttp.SendAsync(_gateway.BaseAddress, Head(path, "Transfer-Encoding: chunked"), "zz\r\n{}\r\n0\r\n\r\n"u8.ToArray());

        Assert.Equal(400, response.Status);
        Assert.True(response.Headers.ContainsKey("X-Request-Id"));
        AssertErrorShape(shape, response.Body);
        Assert.Equal(code, (string?)response.Body!["error"]!["code"]);
        Assert.Equal("body", (string?)response.Body["error"]!["param"]);
    }

    private static string Head(string path, string framing) => $"""
        POST {path} HTTP/1.1
        Host: 127.0.0.1
        Authorization: Bearer {Gateway.Key}
        Content-Type: application/json
        {framing}


        """;

    private static void AssertErrorShape(Shape shape, JsonObject? body)
    {
        Assert.NotNull(body);
        var error = Assert.IsType<JsonObject>(body["error"]);
        var keys = error.Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(shape switch
        {
            Shape.Ark => ["code", "message", "param", "type"],
            Shape.V1 => ["code", "message", "param"],
            Shape.Neutral => keys.Contains("param") ? ["code", "message", "param"] : new[] { "code", "message" }, // param when a field is at fault
        }, keys);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        Assert.Matches(shape == Shape.V1 ? SnakeCase() : PascalCase(), (string?)error["code"]);
        if (shape == Shape.Ark)
        {
            Assert.Matches(PascalCase(), (string?)error["type"]);
        }
    }

    private async Task<(int Status, JsonObject? Body, string? RequestId)> GetAsync(string path)
    {
        using var response = await _gateway.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonNode.Parse(text) as JsonObject, response.Headers.TryGetValues("X-Request-Id", out var id) ? id.First() : null);
    }

    private long BodyLimit() =>
        _gateway.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.MaxRequestBodySize!.Value;

    [GeneratedRegex("^[A-Z][A-Za-z]+$")]
    private static partial Regex PascalCase();

    [GeneratedRegex("^[a-z]+(_[a-z]+)*$")]
    private static partial Regex SnakeCase();

    /// <param name="Admin">An admin route: sent with the admin key.</param>
    private sealed record Route(
        string Method, string Path, Shape Shape, bool TakesJson = false, bool NeedsKey = false, string? WrongMethod = null, bool Admin = false);

    /// <summary>A body of the given length that is produced only if the server asks for it.</summary>
    private sealed class ZeroContent : HttpContent
    {
        private readonly long _length;

        public ZeroContent(long length, string mediaType)
        {
            _length = length;
            Headers.ContentType = new(mediaType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            for (var left = _length; left > 0; left -= chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _length;
            return true;
        }
    }
}
