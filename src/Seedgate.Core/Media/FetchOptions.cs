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
