using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage;
using Seedgate.Server.Hosting;

namespace Seedgate.Server.Outputs;

/// <summary>Absolute, signed, expiring download URLs for blobs: {base}/files/{key}?exp=…&amp;sig=….</summary>
internal sealed class OutputLinks(DownloadLinks signer, IOptions<SeedgateOptions> options, IOptions<RetentionOptions> retention)
{
    /// <summary>
    /// When a finished job's files are deleted by the retention sweep (Unix seconds); null for a job without files (or
    /// whose files are gone).
    /// </summary>
    public long? FilesExpireAt(Job job) =>
        job is { Outputs: not null, FinishedAt: { } finished, FilesDeletedAt: null }
            ? (finished + retention.Value.Files).ToUnixTimeSeconds()
            : null;

    /// <summary>
    /// The job's outputs while their files are kept: a success's, or the part a long take made before it failed; null
    /// once deleted (or never made).
    /// </summary>
    public static JobOutputs? KeptOutputs(Job job) =>
        job is { FilesDeletedAt: null } ? job.Outputs : null;

    public const string RoutePrefix = "/files/";

    private readonly StringSegment[] _allowedHosts = [.. options.Value.AllowedHosts.Select(host => new StringSegment(host))];

    /// <summary>The signed link of a blob at <paramref name="site"/> (<see cref="BaseUrl(HttpRequest)"/>); null for no blob.</summary>
    public string? UrlFor(string site, string? key)
    {
        if (key is null)
        {
            return null;
        }

        var path = RoutePrefix + key;
        return $"{site}{path}?{signer.Sign(path, options.Value.LinkLifetime)}";
    }

    /// <summary>Where the caller reaches this gateway (no trailing slash): the public base URL, else a host it trusts.</summary>
    public string BaseUrl(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return options.Value.PublicBaseUrl?.TrimEnd('/') ?? $"{request.Scheme}://{TrustedHost(request.HttpContext)}{request.PathBase}";
    }

    /// <summary>
    /// The Host header when it names an allowed host, else the address this connection came in on: a caller can forge
    /// the header but not the address, so a link never sends its holder to a site the operator did not name.
    /// </summary>
    private string TrustedHost(HttpContext context)
    {
        var host = context.Request.Host;
        if (host.HasValue && HostString.MatchesAny(host.Value, _allowedHosts))
        {
            return host.ToUriComponent();
        }

        // A Unix socket has no address; behind one, PublicBaseUrl (or AllowedHosts) names the public site.
        var address = context.Connection.LocalIpAddress;
        return address is null
            ? "localhost"
            : new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, context.Connection.LocalPort).ToString();
    }
}
