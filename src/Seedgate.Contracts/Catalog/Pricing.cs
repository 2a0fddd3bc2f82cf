using Seedgate.Core.Generation;

namespace Seedgate.Core.Catalog;

/// <summary>Per-second pricing in integer micro-dollars: no floating point reaches money.</summary>
internal static class Pricing
{
    /// <summary>The price of a clip: price per second × exact frames / fps, rounded half up to a micro-dollar.</summary>
    public static long CostMicros(ModelSpec model, string resolution, double durationSeconds, int framesPerSecond)
    {
        ArgumentNullException.ThrowIfNull(model);
        var perSecond = model.PricePerSecondMicros[resolution];
        var frames = (long)Math.Round(durationSeconds * framesPerSecond, MidpointRounding.AwayFromZero);
        return ((perSecond * frames) + (framesPerSecond / 2)) / framesPerSecond;
    }

    /// <summary>
    /// What a validated request holds from submit to end: its whole requested clip at its model's price; when the model
    /// chooses the length, its longest (never under-reserve). A request with a fallback model holds the dearer of the
    /// two, so that falling back never charges past what was held. The SDK's preflight shows the same figure.
    /// </summary>
    public static long EstimateMicros(ModelCatalog catalog, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(request);
        var estimate = EstimateOnMicros(catalog, request, request.Model);
        return request.FallbackModel is { } fallback ? Math.Max(estimate, EstimateOnMicros(catalog, request, fallback)) : estimate;
    }

    /// <summary>The whole requested clip on one model (the model's longest when it chooses the length).</summary>
    public static long EstimateOnMicros(ModelCatalog catalog, GenerationRequest request, string modelId)
    {
        var model = catalog.Find(modelId) ?? throw new InvalidOperationException($"Model '{modelId}' is not in the catalog.");
        var seconds = request.AutoDuration ? model.Duration.Max : request.Duration!.Value;
        return CostMicros(model, request.Resolution!, seconds, request.FramesPerSecond!.Value);
    }
}
