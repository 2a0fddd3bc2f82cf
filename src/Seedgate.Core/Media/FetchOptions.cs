using Microsoft.Extensions.Options;
using Seedgate.Core.Generation;

namespace Seedgate.Core.Media;

/// <summary>How Seedgate fetches callers' reference URLs; bound from <c>Seedgate:Fetch</c>.</summary>
public sealed class FetchOptions
{
    public const string SectionName = "Seedgate:Fetch";

    /// <summary>Allow every address, private and loopback included. Only for closed, trusted deployments.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>CIDR networks allowed although not public, e.g. "127.0.0.1/32" or "10.20.0.0/16".</summary>
    public IList<string> AllowedNetworks { get; } = [];

    public long MaxImageBytes { get; set; } = 30L * 1024 * 1024;
    public long MaxVideoBytes { get; set; } = 50L * 1024 * 1024;
    public long MaxAudioBytes { get; set; } = 30L * 1024 * 1024;

    /// <summary>
    /// The smallest and largest side, in pixels, of a reference picture or video (Seedance documents 300–6000 px): a
    /// bigger one is refused from its header, before anything decodes it.
    /// </summary>
    public int MinReferenceSide { get; set; } = 300;

    public int MaxReferenceSide { get; set; } = 6000;

    /// <summary>Null when a picture of this size is acceptable, else the problem, naming <paramref name="param"/>.</summary>
    public Generation.SeedgateError? CheckPictureSize(int width, int height, string param) =>
        Math.Min(width, height) < MinReferenceSide || Math.Max(width, height) > MaxReferenceSide
            ? Generation.SeedgateError.Invalid(
                param, $"{param}: the picture is {width}×{height} px; each side must be {MinReferenceSide}–{MaxReferenceSide} px.")
            : null;

    /// <summary>The whole fetch (every redirect hop, headers and body) must finish within this.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxRedirects { get; set; } = 3;

    public string UserAgent { get; set; } = "Seedgate/1.0 (reference fetcher)";

    /// <summary>The size limit for a reference of this kind.</summary>
    public long MaxBytesFor(ReferenceKind kind) => kind switch
    {
        ReferenceKind.Image => MaxImageBytes,
        ReferenceKind.Video => MaxVideoBytes,
        ReferenceKind.Audio => MaxAudioBytes,
    };
}

/// <summary>Checks <see cref="FetchOptions"/> at start-up, so a malformed allow-list entry stops the host with a clear message.</summary>
internal sealed class FetchOptionsValidator : IValidateOptions<FetchOptions>
{
    public ValidateOptionsResult Validate(string? name, FetchOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.AllowedNetworks.Count; i++)
        {
            var problem = NetworkPolicy.TryParseNetwork(options.AllowedNetworks[i], out _);
            if (problem is not null)
            {
                failures.Add($"{FetchOptions.SectionName}:AllowedNetworks[{i}]: {problem}");
            }
        }

        if (options.MinReferenceSide < 1 || options.MaxReferenceSide < options.MinReferenceSide)
        {
            failures.Add($"{FetchOptions.SectionName}: MinReferenceSide must be at least 1 and MaxReferenceSide at least MinReferenceSide.");
        }

        if (options.MaxImageBytes <= 0 || options.MaxVideoBytes <= 0 || options.MaxAudioBytes <= 0)
        {
            failures.Add($"{FetchOptions.SectionName}: MaxImageBytes, MaxVideoBytes and MaxAudioBytes must be positive.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add($"{FetchOptions.SectionName}:Timeout must be positive (got {options.Timeout}).");
        }

        if (options.MaxRedirects < 0)
        {
            failures.Add($"{FetchOptions.SectionName}:MaxRedirects must be 0 or more (got {options.MaxRedirects}).");
        }

        if (string.IsNullOrWhiteSpace(options.UserAgent))
        {
            failures.Add($"{FetchOptions.SectionName}:UserAgent must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
