using System.Text;
using System.Text.Json.Nodes;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>
/// The tier fallback's field (<c>fallback_model</c>, a Seedgate extension of both dialects) at submit: another catalog
/// model that can serve the whole request, or a 400 naming the field; echoed in views. How a job falls back is in
/// <see cref="Upstream.UpstreamEngineTests"/>.
/// </summary>
public sealed class FallbackModelTests : IClassFixture<ApiOnlyGatewayFixture>
{
    private const string Ark = "/api/v3/contents/generations/tasks";
    private readonly Gateway _gateway;

    public FallbackModelTests(ApiOnlyGatewayFixture fixture) => _gateway = fixture.Gateway;

    [Theory]
    [InlineData("seedance-9", "does not exist")]
    [InlineData("seedance-2.0", "another model")]
    [InlineData("dreamina-seedance-2-0-260128", "another model")] // an alias of the same model
    public async Task A_fallback_that_is_no_other_catalog_model_is_refused_naming_the_field(string fallback, string says)
    {
        var (status, body) = await PostAsync(Ark, $$"""
            {"model":"seedance-2.0","content":[{"type":"text","text":"x"}],"fallback_model":"{{fallback}}"}
            """);

        Assert.Equal(400, status);
        Assert.Equal("fallback_model", (string?)body["error"]!["param"]);
        Assert.Contains(says, (string?)body["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fallback_that_cannot_serve_the_request_is_refused_with_the_reason()
    {
        // Fast has no 1080p: the job could never move to it.
        var (status, body) = await PostAsync(Ark, """
            {"model":"seedance-2.0","content":[{"type":"text","text":"x"}],"resolution":"1080p","fallback_model":"seedance-2.0-fast"}
            """);

        Assert.Equal(400, status);
        Assert.Equal("fallback_model", (string?)body["error"]!["param"]);
        Assert.Contains("seedance-2.0-fast cannot serve this request: resolution '1080p'", (string?)body["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fallback_is_echoed_and_the_dearer_model_is_held()
    {
        var (status, created) = await PostAsync(Ark, """
            {"model":"seedance-2.0-fast","content":[{"type":"text","text":"x"}],"resolution":"480p","duration":4,
             "fallback_model":"dreamina-seedance-2-0-260128"}
            """);
        Assert.True(status == 200, created.ToJsonString());

        var (_, task) = await _gateway.GetAsync($"{Ark}/{created["id"]}");
        Assert.Equal("seedance-2.0", (string?)task["fallback_model"]); // the catalog id of the alias
        Assert.Equal("seedance-2.0-fast", (string?)task["served_model"]); // not fallen back (yet)
        Assert.Equal(120_000, (long?)task["reserved_cost"]!["amount_micros"]); // standard 480p, 4 s: dearer than Fast's 40 000

        var (v1Status, v1) = await PostAsync("/seedance/v1/videos", """
            {"model":"seedance-2.0","prompt":"x","fallback_model":"seedance-2.0-mini"}
            """);
        Assert.True(v1Status == 400, v1.ToJsonString()); // the v1 default is 1080p, which mini does not offer
        Assert.Equal("fallback_model", (string?)v1["error"]!["param"]);
    }

    [Fact]
    public async Task Without_a_fallback_views_carry_neither_field()
    {
        var (_, created) = await PostAsync(Ark, """{"model":"seedance-2.0","content":[{"type":"text","text":"x"}]}""");

        var (_, task) = await _gateway.GetAsync($"{Ark}/{created["id"]}");

        Assert.False(task.ContainsKey("fallback_model"));
        Assert.False(task.ContainsKey("served_model"));
    }

    private async Task<(int Status, JsonObject Body)> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _gateway.Http.PostAsync(path, content);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }
}
