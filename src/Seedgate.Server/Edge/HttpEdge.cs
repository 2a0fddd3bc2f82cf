using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Seedgate.Core.Media;

namespace Seedgate.Server.Edge;

/// <summary>The HTTP edge: request limits and one JSON error body, in the route's dialect, on every error answer.</summary>
internal static class HttpEdge
{
    public static IServiceCollection AddHttpEdge(this IServiceCollection services)
    {
        services.AddOptions<HttpLimits>().BindConfiguration(HttpLimits.SectionName)
            .Validate(o => o.MaxRequestBodyBytes is null or > 0, "Seedgate:Http:MaxRequestBodyBytes must be positive.")
            .Validate(
                o => o.MaxRequestTargetBytes > 0 && o.MaxRequestHeadersBytes > 0 && o.MaxRequestHeaderCount > 0,
                "Seedgate:Http: MaxRequestTargetBytes, MaxRequestHeadersBytes and MaxRequestHeaderCount must be positive.")
            .ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<HttpLimits>, IOptions<FetchOptions>>((kestrel, options, fetch) =>
        {
            var limits = options.Value;
            kestrel.Limits.MaxRequestBodySize = limits.RequestBodyLimit(fetch.Value);

            // Twice the edge's limits: requests between the two get the edge's JSON 414/431 instead of Kestrel's empty one.
            kestrel.Limits.MaxRequestLineSize = 2 * limits.MaxRequestTargetBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 2 * limits.MaxRequestHeadersBytes;
            kestrel.Limits.MaxRequestHeaderCount = 2 * limits.MaxRequestHeaderCount;
        });
        return services;
    }

    /// <summary>Place right after the request-id middleware, so every error answer carries X-Request-Id.</summary>
    public static IApplicationBuilder UseHttpEdge(this IApplicationBuilder app) => app.UseMiddleware<EdgeErrorMiddleware>();
}
