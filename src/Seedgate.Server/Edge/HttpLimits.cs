using Seedgate.Core.Generation;
using Seedgate.Core.Media;

namespace Seedgate.Server.Edge;

/// <summary>
/// What one request may carry (configuration section Seedgate:Http). The edge checks the request target and the
/// headers itself, so a request over them gets a JSON error; Kestrel's own limits are set to twice these, because
/// Kestrel refuses a request before any middleware runs, with an empty body.
/// </summary>
internal sealed class HttpLimits
{
    public const string SectionName = "Seedgate:Http";

    // Room for everything in a request besides its largest data: URL: the URL's header, the prompt (8000 code units,
    // 48 KB even if every one is \u-escaped), the other fields and a few small references.
    private const long EnvelopeBytes = 1024 * 1024;

    /// <summary>
    /// The largest request body, in bytes; larger is a 413. Unset, it is <see cref="RequestBodyLimit"/>'s default: room for
    /// a data: URL at the largest reference limit, so every Seedgate:Fetch:Max*Bytes limit can be reached inline.
    /// </summary>
    public long? MaxRequestBodyBytes { get; set; }

    /// <summary>The longest request target (path and query), in bytes; longer is a 414.</summary>
    public int MaxRequestTargetBytes { get; set; } = 8 * 1024;

    /// <summary>The most header bytes (names, values and separators); more is a 431.</summary>
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    /// <summary>The most header lines; more is a 431.</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>
    /// The body limit in force: <see cref="MaxRequestBodyBytes"/> when set, else the base64 size (4 characters for every
    /// 3 bytes) of the largest reference limit plus 1 MiB for the rest of the JSON: 70,953,644 bytes with the defaults.
    /// </summary>
    public long RequestBodyLimit(FetchOptions fetch)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        var largest = Enum.GetValues<ReferenceKind>().Max(fetch.MaxBytesFor);
        return MaxRequestBodyBytes ?? ((largest + 2) / 3 * 4) + EnvelopeBytes;
    }
}
