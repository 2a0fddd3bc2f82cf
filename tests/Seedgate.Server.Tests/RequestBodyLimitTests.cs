using System.Text;
using System.Text.Json.Nodes;
using Seedgate.Core.Generation;
using Seedgate.Core.Media;
using Seedgate.Server.Edge;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>The request body limit leaves room for a data: URL at every reference limit, so those limits are reachable inline.</summary>
public sealed class RequestBodyLimitTests : IClassFixture<ApiOnlyGatewayFixture>
{
    private const string Ark = "/api/v3/contents/generations/tasks";
    private static readonly FetchOptions Defaults = new();
    private readonly Gateway _gateway;

    public RequestBodyLimitTests(ApiOnlyGatewayFixture fixture) => _gateway = fixture.Gateway;

    [Theory]
    [InlineData(ReferenceKind.Image, "image/png")]
    [InlineData(ReferenceKind.Video, "video/mp4")]
    [InlineData(ReferenceKind.Audio, "audio/wav")]
    public void TheDefaultBodyLimit_HoldsADataUrlAtEachReferenceLimit(ReferenceKind kind, string mediaType)
    {
        var encoded = $"data:{mediaType};base64,".Length + ((Defaults.MaxBytesFor(kind) + 2) / 3 * 4);

        Assert.True(new HttpLimits().RequestBodyLimit(Defaults) >= encoded + (64 * 1024));
    }

    [Fact]
    public void AConfiguredBodyLimit_IsKept()
    {
        Assert.Equal(1000, new HttpLimits { MaxRequestBodyBytes = 1000 }.RequestBodyLimit(Defaults));
    }

    [Theory]
    [InlineData(0, 200, null)]
    [InlineData(1, 400, "content[1].image_url.url")] // one byte over the image limit: a 400 naming the field, not a 413
    public async Task AnImageDataUrlAtTheDocumentedLimit_GoesThroughHttp(int extraBytes, int status, string? param)
    {
        var image = new byte[Defaults.MaxImageBytes + extraBytes];
        var json = $$$"""
            {"model":"seedance-2.0","content":[{"type":"text","text":"a cat"},
            {"type":"image_url","image_url":{"url":"data:image/png;base64,{{{Convert.ToBase64String(image)}}}"}}]}
            """;
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        using var response = await _gateway.Http.PostAsync(Ark, content);

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(status == (int)response.StatusCode, body.ToJsonString());
        Assert.Equal(param, (string?)body["error"]?["param"]);
    }
}
