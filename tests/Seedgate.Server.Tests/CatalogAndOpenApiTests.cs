using System.Text.Json.Nodes;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

public sealed class CatalogAndOpenApiTests
{
    [Fact]
    public async Task ACatalogFile_FromConfiguration_ReplacesTheShippedCatalog()
    {
        var shipped = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "catalog.json")))!;
        var model = shipped["models"]![0]!.DeepClone();
        model["id"] = "house-model";
        model["aliases"] = new JsonArray("house-alias");
        shipped["models"] = new JsonArray(model);
        var path = Path.Combine(Path.GetTempPath(), $"catalog-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(path, shipped.ToJsonString());
        try
        {
            await using var gateway = await Gateway.StartAsync($"--Seedgate:CatalogPath={path}", "--Seedgate:Dispatch:Enabled=false");

            var (ok, created) = await gateway.PostAsync("/api/v3/contents/generations/tasks", Body("house-alias"));
            var (gone, error) = await gateway.PostAsync("/api/v3/contents/generations/tasks", Body("seedance-2.0"));

            Assert.Equal(200, ok);
            Assert.StartsWith("cgt-", (string?)created["id"]);
            Assert.Equal(404, gone);
            Assert.Equal("ModelNotOpen", (string?)error["error"]!["code"]);
            Assert.Contains("house-model", (string?)error["error"]!["message"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesBothDialects()
    {
        await using var gateway = await Gateway.StartAsync("--Seedgate:Dispatch:Enabled=false");

        var document = await gateway.Http.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/v3/contents/generations/tasks", document);
        Assert.Contains("/seedance/v1/videos", document);
    }

    private static object Body(string model) => new { model, content = new object[] { new { type = "text", text = "a test" } } };
}
