using System.Text.Json.Nodes;
using Seedgate.Core.Catalog;

namespace Seedgate.Bench;

internal static class ShippedCatalog
{
    /// <summary>The catalog Seedgate ships, as JSON to change for a benchmark and write to a catalog file.</summary>
    public static JsonNode Read()
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("Seedgate.Core.Catalog.catalog.json")!;
        return JsonNode.Parse(stream)!;
    }
}
