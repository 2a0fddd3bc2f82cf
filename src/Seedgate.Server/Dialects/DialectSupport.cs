using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Server.Auth;
using Seedgate.Server.Limits;

namespace Seedgate.Server.Dialects;

/// <summary>How a dialect writes an error: its HTTP status and its error body.</summary>
internal interface IDialectErrors
{
    /// <summary>A core error, with the status this dialect gives its code.</summary>
    IResult Result(SeedgateError error);

    /// <summary>An error the HTTP edge found (no such route, wrong method, body too large …), with the protocol's status.</summary>
    IResult Result(SeedgateError error, int status);
}

/// <summary>Reading wire JSON with errors that name the field (unknown fields are ignored).</summary>
/// <summary>The route group every dialect's endpoints sit in.</summary>
internal static class DialectRoutes
{
    /// <summary>
    /// Endpoints under <paramref name="prefix"/> that answer errors in the dialect's body, know the caller's account
    /// (bearer key) and hold it to its plan's limits, in that order.
    /// </summary>
    public static RouteGroupBuilder MapDialectGroup(this IEndpointRouteBuilder app, string prefix, IDialectErrors errors, string tag) =>
        app.MapGroup(prefix)
            .AddEndpointFilter(new DialectErrorFilter(errors))
            .AddEndpointFilter(new AccountFilter(errors))
            .AddEndpointFilter(new AccountLimitsFilter(errors))
            .WithTags(tag);
}

internal static class DialectJson
{
    public static JsonSerializerOptions Options => ArkCreateReader.Json;

    /// <summary>Reads the body as <typeparamref name="T"/>; a malformed body or a wrongly typed field is an InvalidParameter naming it.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        // Routing answers a wrong Content-Type with 415 but lets a missing one through; the edge answers this one the same way.
        if (!request.HasJsonContentType())
        {
            throw new BadHttpRequestException("The body must be sent with Content-Type: application/json.", StatusCodes.Status415UnsupportedMediaType);
        }

        // Two steps, so that broken JSON ("body") and a wrongly typed field (its path) are told apart.
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new SeedgateException(SeedgateError.Invalid("body", "The request body is not valid JSON."), ex);
        }

        using (document)
        {
            return ArkCreateReader.Deserialize<T>(document.RootElement);
        }
    }

    /// <summary>The caller's correlation id: X-Client-Request-Id (Ark's header) or X-Correlation-Id, trimmed to 128 chars.</summary>
    public static string? CorrelationId(HttpRequest request)
    {
        var value = request.Headers["X-Client-Request-Id"].ToString();
        if (value.Length == 0)
        {
            value = request.Headers["X-Correlation-Id"].ToString();
        }

        return value.Length == 0 ? null : value[..Math.Min(value.Length, 128)];
    }

    /// <summary>
    /// The caller's own job by id, the request held up to <paramref name="wait"/> seconds (0–<paramref name="maxWait"/>)
    /// until it ends; null when the id names none of the caller's jobs (another account's reads as unknown).
    /// </summary>
    public static async Task<Job?> OwnJobAsync(HttpContext context, JobWaiter waiter, string id, int? wait, int maxWait)
    {
        if (wait is { } seconds && (seconds < 0 || seconds > maxWait))
        {
            throw new SeedgateException(SeedgateError.Invalid("wait", $"wait must be an integer from 0 to {maxWait}."));
        }

        return JobIds.LooksValid(id)
            ? await waiter.GetAsync(AccountFilter.AccountOf(context), id, TimeSpan.FromSeconds(wait ?? 0), context.RequestAborted)
            : null;
    }

    /// <summary>
    /// Who submits a create: the caller's account, the dialect, the correlation id and Idempotency-Key headers, and what
    /// the account's plan allows (its highest priority; whether small images are scaled up).
    /// </summary>
    public static Submission Submission(HttpContext context, string dialect)
    {
        var key = context.Request.Headers[IdempotencyKeys.HeaderName];
        var plan = AccountLimitsFilter.PlanOf(context);
        return new Submission(
            AccountFilter.AccountOf(context), dialect, CorrelationId(context.Request), key.Count == 0 ? null : key.ToString())
        {
            MaxPriority = plan?.MaxPriority ?? Core.Jobs.Submission.HighestPriority,

            // Without plans (Seedgate:Policies=false) small images are refused, the safe default.
            UpscaleSmallImages = plan?.UpscaleSmallImages ?? false,
        };
    }

    public static long UnixSeconds(DateTimeOffset? time) => time?.ToUnixTimeSeconds() ?? 0;
}
