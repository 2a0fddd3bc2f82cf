using System.Text.Json;
using System.Text.Json.Serialization;

namespace Seedgate.Core.Catalog;

/// <summary>
/// The model catalog: models, aliases and the frame-size table. It is data (catalog.json shipped in this
/// assembly, or a file named by configuration), so adding a model or changing a price needs no code.
/// </summary>
public sealed class ModelCatalog
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly Dictionary<string, ModelSpec> _byName;
    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, int[]>> _frameSizes;

    private readonly CatalogDocument _document;

    private ModelCatalog(CatalogDocument document)
    {
        _document = document;
        Models = document.Models;
        PolicyFailureFraction = document.PolicyFailureFraction is >= 0 and <= 1
            ? document.PolicyFailureFraction
            : throw new InvalidOperationException("Model catalog: policy_failure_fraction must be 0–1.");
        _frameSizes = document.FrameSizes;
        _byName = new Dictionary<string, ModelSpec>(StringComparer.Ordinal);
        foreach (var model in document.Models)
        {
            foreach (var name in model.Aliases.Prepend(model.Id))
            {
                if (!_byName.TryAdd(name, model))
                {
                    throw new InvalidOperationException($"Model catalog: the name '{name}' is used twice.");
                }
            }

            Check(model);
        }
    }

    /// <summary>Every model, in catalog order.</summary>
    public IReadOnlyList<ModelSpec> Models { get; }

    /// <summary>
    /// The share of its estimate a job that failed the upstream's content-policy check is charged (seed 004: "costs a
    /// small fraction of a completed render"); 0 by default.
    /// </summary>
    public double PolicyFailureFraction { get; }

    /// <summary>The largest min_image_side a model may ask for: Ark's largest reference side.</summary>
    public const int MaxImageSide = 6000;

    /// <summary>The ratios every resolution row of the frame-size table offers.</summary>
    public static IReadOnlyList<string> Ratios { get; } = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9"];

    /// <summary>The catalog shipped with Seedgate.</summary>
    public static ModelCatalog LoadDefault()
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("Seedgate.Core.Catalog.catalog.json")
            ?? throw new InvalidOperationException("The embedded catalog.json is missing.");
        return Load(stream);
    }

    public static ModelCatalog LoadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    public static ModelCatalog Load(Stream json)
    {
        CatalogDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<CatalogDocument>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            // The path names the entry at fault ($.models[3].field_rules.draft), so the start-up error says where to look.
            throw new InvalidOperationException($"Model catalog: {ex.Path ?? "$"}: {ex.Message}", ex);
        }

        return new ModelCatalog(document ?? throw new InvalidOperationException("The model catalog is empty."));
    }

    /// <summary>The same catalog with these models served by <paramref name="engine"/> (the configured upstream accounts).</summary>
    public ModelCatalog RoutedTo(string engine, IEnumerable<string> modelIds)
    {
        var routed = new HashSet<string>(modelIds, StringComparer.Ordinal);
        return new ModelCatalog(_document with
        {
            Models = [.. Models.Select(m => routed.Contains(m.Id) ? m with { Route = new ModelRoute(engine) } : m)],
        });
    }

    /// <summary>Finds a model by id or alias (exact, case-sensitive, as Ark model ids are).</summary>
    public ModelSpec? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The output frame size for a resolution and a concrete ratio (not "adaptive").</summary>
    public bool TryGetFrameSize(string resolution, string ratio, out int width, out int height)
    {
        width = height = 0;
        if (!_frameSizes.TryGetValue(resolution, out var row) || !row.TryGetValue(ratio, out var size))
        {
            return false;
        }

        (width, height) = (size[0], size[1]);
        return true;
    }

    private void Check(ModelSpec model)
    {
        if (model.FieldRules is null)
        {
            throw new InvalidOperationException($"Model catalog: {model.Id}'s field_rules must be an object (leave it out for Seedance 2.0's rules).");
        }

        if (model.FieldRules.Problem() is { } rules)
        {
            throw new InvalidOperationException($"Model catalog: {model.Id}'s {rules}");
        }

        if (model.MinImageSide is < 1 or > MaxImageSide)
        {
            throw new InvalidOperationException(
                $"Model catalog: {model.Id}'s min_image_side must be 1–{MaxImageSide} px (got {model.MinImageSide}).");
        }

        if (!model.Resolutions.Contains(model.DefaultResolution))
        {
            throw new InvalidOperationException($"Model catalog: {model.Id}'s default resolution is not one of its resolutions.");
        }

        foreach (var resolution in model.Resolutions)
        {
            if (!model.PricePerSecondMicros.TryGetValue(resolution, out var price) || price <= 0)
            {
                // Never a silent $0: a model is served only at a price.
                throw new InvalidOperationException($"Model catalog: {model.Id} has no price for {resolution} (a positive price_per_second_micros).");
            }

            if (!_frameSizes.TryGetValue(resolution, out var row) || Ratios.Any(r => !row.ContainsKey(r)))
            {
                throw new InvalidOperationException($"Model catalog: the frame-size table lacks a ratio for {resolution}.");
            }
        }
    }

    private sealed record CatalogDocument(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int[]>> FrameSizes,
        IReadOnlyList<ModelSpec> Models,
        double PolicyFailureFraction = 0);
}
