using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Seedgate.Core.Storage;
using Seedgate.Server.Hosting;

namespace Seedgate.Server.Outputs;

/// <summary>Absolute, signed, expiring download URLs for blobs: {base}/files/{key}?exp=…&amp;sig=….</summary>
internal sealed class OutputLinks(DownloadLinks signer, IOptions<SeedgateOptions> options)
{
    public const string RoutePrefix = "/files/";

    public string? UrlFor(HttpRequest request, string? key)
    {
        if (key is null)
        {
            return null;
        }

        var path = RoutePrefix + key;
        var baseUrl = options.Value.PublicBaseUrl?.TrimEnd('/') ?? $"{request.Scheme}://{request.Host}{request.PathBase}";
        return $"{baseUrl}{path}?{signer.Sign(path, options.Value.LinkLifetime)}";
    }
}
