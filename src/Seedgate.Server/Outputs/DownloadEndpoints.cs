using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Seedgate.Core.Generation;
using Seedgate.Core.Storage;
using Seedgate.Server.Dialects;

namespace Seedgate.Server.Outputs;

/// <summary>
/// Serves outputs behind signed links, with HTTP Range support so players can seek, and validators (ETag,
/// Last-Modified) so an interrupted download resumes with If-Range. HEAD answers like GET, without the body.
/// </summary>
internal static class DownloadEndpoints
{
    public static IEndpointRouteBuilder MapDownloads(this IEndpointRouteBuilder app)
    {
        app.MapMethods(OutputLinks.RoutePrefix + "{**key}", [HttpMethods.Get, HttpMethods.Head], DownloadAsync)
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

        // A range in another unit is ignored (RFC 9110 §14.2), so the whole file is served; ASP.NET would read it as bytes.
        var range = context.Request.Headers.Range.ToString();
        if (range.Length > 0 && !range.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            context.Request.Headers.Remove(HeaderNames.Range);
        }

        var contentType = Path.GetExtension(key) switch
        {
            ".mp4" => "video/mp4",
            ".png" => "image/png",
            _ => "application/octet-stream",
        };

        // Outputs never change once written, so the key and the size are a strong validator.
        var etag = new EntityTagHeaderValue($"\"{key}:{stream.Length}\"");
        return Results.Stream(stream, contentType, lastModified: JobCreatedAt(key), entityTag: etag, enableRangeProcessing: true);
    }

    /// <summary>
    /// The creation time in the job id of an output key (outputs/cgt-yyyyMMddHHmmss-…/run/video.mp4). It serves as
    /// Last-Modified: an output never changes, and nobody can hold a copy older than its job.
    /// </summary>
    private static DateTimeOffset? JobCreatedAt(string key) =>
        key.Split('/') is ["outputs", var id, ..]
            && id.StartsWith("cgt-", StringComparison.Ordinal)
            && id.Length >= 18
            && DateTimeOffset.TryParseExact(
                id.AsSpan(4, 14), "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var createdAt)
            ? createdAt
            : null;
}
