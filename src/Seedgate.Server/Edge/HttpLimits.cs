namespace Seedgate.Server.Edge;

/// <summary>
/// What one request may carry (configuration section Seedgate:Http). The edge checks the request target and the
/// headers itself, so a request over them gets a JSON error; Kestrel's own limits are set to twice these, because
/// Kestrel refuses a request before any middleware runs, with an empty body.
/// </summary>
internal sealed class HttpLimits
{
    public const string SectionName = "Seedgate:Http";

    /// <summary>The longest request target (path and query), in bytes; longer is a 414.</summary>
    public int MaxRequestTargetBytes { get; set; } = 8 * 1024;

    /// <summary>The most header bytes (names, values and separators); more is a 431.</summary>
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    /// <summary>The most header lines; more is a 431.</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;
}
