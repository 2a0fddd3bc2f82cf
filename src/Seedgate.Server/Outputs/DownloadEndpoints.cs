using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Seedgate.Core.Generation;
using Seedgate.Core.Storage;
using Seedgate.Server.Dialects;

namespace Seedgate.Server.Outputs;

/// <summary>Serves outputs behind signed links, with HTTP Range support so players can seek.</summary>
internal static class DownloadEndpoints
{
    public static IEndpointRouteBuilder MapDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet(OutputLinks.RoutePrefix + "{**key}", DownloadAsync)
            .WithName("DownloadOutput")
            .WithSummary("Downloads an output through a signed, expiring link.")
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> DownloadAsync(
        string key, string? exp, string? sig, HttpContext context, DownloadLinks signer, IBlobStore blobs)
    {
        if (!signer.Verify(OutputLinks.RoutePrefix + key, exp, sig))
        {
            return NeutralErrors.Instance.Result(
                new SeedgateError(
                    ErrorCodes.AuthenticationError, "The download link is invalid or has expired; fetch the task again for a fresh link."),
                StatusCodes.Status403Forbidden);
        }

        var stream = await blobs.OpenReadAsync(key, context.RequestAborted);
        if (stream is null)
        {
            return NeutralErrors.Instance.Result(
                new SeedgateError(ErrorCodes.NotFound, "The output no longer exists (deleted or past retention)."));
        }

        var contentType = Path.GetExtension(key) switch
        {
            ".mp4" => "video/mp4",
            ".png" => "image/png",
            _ => "application/octet-stream",
        };
        return Results.Stream(stream, contentType, enableRangeProcessing: true);
    }
}
