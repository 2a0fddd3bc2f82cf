using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Seedgate.Core.Generation;
using Seedgate.Core.Logging;

namespace Seedgate.Server.Edge;

/// <summary>
/// The one place every error answer gets its JSON body, in the shape of the dialect that owns the path
/// (<see cref="DialectOwners"/>): answers the framework leaves empty (no route 404, wrong method 405, wrong
/// Content-Type 415, a query value that does not bind 400), bodies Kestrel refuses while an endpoint reads them
/// (413 too large, 408 too slow, 400 malformed), targets and headers over <see cref="HttpLimits"/> (414, 431) and
/// unexpected exceptions (500, logged). A bad request is never a 5xx: SDKs retry those.
/// </summary>
internal sealed partial class EdgeErrorMiddleware(
    RequestDelegate next, IOptions<HttpLimits> options, ILogger<EdgeErrorMiddleware> logger)
{
    // Set by the request-id middleware before this one; kept when a failed response is cleared.
    private const string RequestIdHeader = "X-Request-Id";

    private readonly HttpLimits _limits = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        if (OverLimit(context.Request) is { } refusal)
        {
            await WriteAsync(context, refusal, ErrorFor(refusal, context));
            return;
        }

        try
        {
            await next(context);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (closing mid-body, say): there is nobody to answer.
            return;
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            Log.BodyRefused(logger, ex.StatusCode, context.Request.Path, ex.Message);
            ClearKeepingRequestId(context.Response);
            var error = ex.StatusCode == StatusCodes.Status400BadRequest
                ? SeedgateError.Invalid("body", $"The request body could not be read: {ex.Message}")
                : ErrorFor(ex.StatusCode, context);
            await WriteAsync(context, ex.StatusCode, error);
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            Log.Unexpected(logger, ex, context.Request.Path);
            ClearKeepingRequestId(context.Response);
            const int Status = StatusCodes.Status500InternalServerError;
            await WriteAsync(context, Status, ErrorFor(Status, context));
            return;
        }

        var response = context.Response;
        var withoutBody = !response.HasStarted && response.ContentLength is null && string.IsNullOrEmpty(response.ContentType);
        if (response.StatusCode >= 400 && withoutBody)
        {
            await WriteAsync(context, response.StatusCode, ErrorFor(response.StatusCode, context));
        }
    }

    private static Task WriteAsync(HttpContext context, int status, SeedgateError error) =>
        DialectOwners.ErrorsFor(context.Request.Path).Result(error, status).ExecuteAsync(context);

    private static void ClearKeepingRequestId(HttpResponse response)
    {
        var requestId = response.Headers[RequestIdHeader];
        response.Clear();
        response.Headers[RequestIdHeader] = requestId;
    }

    private int? OverLimit(HttpRequest request)
    {
        var target = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        if (target.Length > _limits.MaxRequestTargetBytes)
        {
            return StatusCodes.Status414UriTooLong;
        }

        var (lines, bytes) = (0, 0L);
        foreach (var (name, values) in request.Headers)
        {
            foreach (var value in values)
            {
                lines++;
                bytes += name.Length + (value?.Length ?? 0) + 4; // "name: value\r\n"
            }
        }

        return lines > _limits.MaxRequestHeaderCount || bytes > _limits.MaxRequestHeadersBytes
            ? StatusCodes.Status431RequestHeaderFieldsTooLarge
            : null;
    }

    /// <summary>The error an answer with this status gets when nothing more specific is known.</summary>
    private SeedgateError ErrorFor(int status, HttpContext context)
    {
        var request = context.Request;
        return status switch
        {
            StatusCodes.Status400BadRequest => new(
                ErrorCodes.InvalidParameter, "The request is malformed: a query value or the body could not be read."),
            StatusCodes.Status404NotFound => new(ErrorCodes.NotFound, $"There is no {request.Method} {request.Path} here."),
            StatusCodes.Status405MethodNotAllowed => new(
                EdgeErrorCodes.MethodNotAllowed, $"{request.Method} is not allowed on {request.Path}; use {context.Response.Headers.Allow}."),
            StatusCodes.Status408RequestTimeout => new(
                EdgeErrorCodes.RequestTimeout, "The request body arrived too slowly; send it without long pauses.", "body"),
            StatusCodes.Status413PayloadTooLarge => new(
                EdgeErrorCodes.RequestTooLarge,
                $"The request body is larger than the limit of {BodyLimit(context)} bytes; send large media as http(s) URLs, not data: URLs.",
                "body"),
            StatusCodes.Status414UriTooLong => new(
                EdgeErrorCodes.UriTooLong, $"The request target (path and query) is longer than {_limits.MaxRequestTargetBytes} bytes."),
            StatusCodes.Status415UnsupportedMediaType => new(
                EdgeErrorCodes.UnsupportedMediaType, "The body must be JSON, sent with Content-Type: application/json.", "Content-Type"),
            StatusCodes.Status431RequestHeaderFieldsTooLarge => new(
                EdgeErrorCodes.HeadersTooLarge,
                $"The request headers are over the limit of {_limits.MaxRequestHeaderCount} lines or {_limits.MaxRequestHeadersBytes} bytes."),
            >= StatusCodes.Status500InternalServerError => new(
                ErrorCodes.InternalServiceError, "An internal error occurred; it was logged with this response's X-Request-Id."),
            _ => new(ErrorCodes.InvalidParameter, $"The request was refused ({status} {ReasonPhrases.GetReasonPhrase(status)})."),
        };
    }

    private static long? BodyLimit(HttpContext context) => context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;

    private static partial class Log
    {
        [LoggerMessage(LogEvents.UnexpectedRequestError, LogLevel.Error, "Unexpected error serving {Path}")]
        public static partial void Unexpected(ILogger logger, Exception ex, string path);

        [LoggerMessage(LogEvents.RequestBodyRefused, LogLevel.Information, "Refused the request body of {Path} with {Status}: {Reason}")]
        public static partial void BodyRefused(ILogger logger, int status, string path, string reason);
    }
}
