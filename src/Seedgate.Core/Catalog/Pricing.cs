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
}
