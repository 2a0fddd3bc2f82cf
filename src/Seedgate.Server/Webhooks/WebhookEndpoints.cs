using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Seedgate.Core.Generation;
using Seedgate.Core.Media;
using Seedgate.Core.Webhooks;
using Seedgate.Server.Auth;
using Seedgate.Server.Dialects;
using Seedgate.Server.Usage;

namespace Seedgate.Server.Webhooks;

/// <summary>
/// The caller's webhook endpoints, <c>/v1/webhooks</c> (Seedgate's own routes, the neutral error body): create (the
/// signing secret is shown once), list, read, change (enabling one Seedgate disabled clears the reason), delete,
/// rotate the secret (both sign during the overlap), and the deliveries: per endpoint, per job (callback_url ones
/// included), a retry that sends one again with the same webhook-id, and the account's callback secret (which signs
/// its callback_url deliveries once set).
/// </summary>
internal static class WebhookEndpoints
{
    public const string Path = "/v1/webhooks";

    private const int MaxDeliveries = 100;

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, CreateAsync).ForCallersAccount();
        app.MapGet(Path, ListAsync).ForCallersAccount();
        app.MapGet(Path + "/deliveries", JobDeliveriesAsync).ForCallersAccount();
        app.MapPost(Path + "/callback-secret", SetCallbackSecretAsync).ForCallersAccount();
        app.MapGet(Path + "/callback-secret", GetCallbackSecretAsync).ForCallersAccount();
        app.MapDelete(Path + "/callback-secret", DeleteCallbackSecretAsync).ForCallersAccount();
        app.MapGet(Path + "/{id}", GetAsync).ForCallersAccount();
        app.MapPatch(Path + "/{id}", UpdateAsync).ForCallersAccount();
        app.MapDelete(Path + "/{id}", DeleteAsync).ForCallersAccount();
        app.MapPost(Path + "/{id}/rotate-secret", RotateAsync).ForCallersAccount();
        app.MapGet(Path + "/{id}/deliveries", DeliveriesAsync).ForCallersAccount();
        app.MapPost(Path + "/{id}/deliveries/{deliveryId}/retry", RetryAsync).ForCallersAccount();
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, WebhookStore store, ReferenceFetcher fetcher, TimeProvider time)
    {
        var body = await DialectJson.ReadAsync<EndpointBody>(context.Request, context.RequestAborted);
        var url = CheckUrl(body.Url ?? throw new SeedgateException(SeedgateError.Missing("url", "url is required: where the deliveries go.")), fetcher);
        var now = time.GetUtcNow();
        var endpoint = new WebhookEndpoint(
            WebhookSecrets.NewEndpointId(), AccountFilter.AccountOf(context), url, CheckEvents(body.Events) ?? [WebhookEvents.All],
            body.Description, body.Enabled ?? true, null, now, now, null);
        var secret = WebhookSecrets.NewSecret();
        await store.CreateEndpointAsync(endpoint, secret, context.RequestAborted);
        return Results.Json(View(endpoint) with { Secret = secret }, DialectJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext context, WebhookStore store) =>
        Results.Json(
            new ListBody<EndpointView>([.. (await store.ListEndpointsAsync(AccountFilter.AccountOf(context), context.RequestAborted)).Select(View)]),
            DialectJson.Options);

    private static async Task<IResult> GetAsync(HttpContext context, WebhookStore store, string id) =>
        Results.Json(View(await OwnAsync(context, store, id)), DialectJson.Options);

    private static async Task<IResult> UpdateAsync(HttpContext context, WebhookStore store, ReferenceFetcher fetcher, TimeProvider time, string id)
    {
        var body = await DialectJson.ReadAsync<EndpointBody>(context.Request, context.RequestAborted);
        var change = new WebhookEndpointChange(body.Url is null ? null : CheckUrl(body.Url, fetcher), CheckEvents(body.Events), body.Description, body.Enabled);
        var endpoint = await store.UpdateEndpointAsync(AccountFilter.AccountOf(context), id, change, time.GetUtcNow(), context.RequestAborted)
            ?? throw NotFound(id);
        return Results.Json(View(endpoint), DialectJson.Options);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, WebhookStore store, TimeProvider time, string id) =>
        await store.DeleteEndpointAsync(AccountFilter.AccountOf(context), id, time.GetUtcNow(), context.RequestAborted)
            ? Results.NoContent()
            : throw NotFound(id);

    private static async Task<IResult> RotateAsync(HttpContext context, WebhookStore store, IOptions<WebhookOptions> options, TimeProvider time, string id)
    {
        var now = time.GetUtcNow();
        var until = now + await OverlapAsync(context, options.Value);
        var secret = WebhookSecrets.NewSecret();
        return await store.RotateSecretAsync(AccountFilter.AccountOf(context), id, secret, until, now, context.RequestAborted)
            ? Results.Json(new RotatedBody(id, secret, until), DialectJson.Options)
            : throw NotFound(id);
    }

    /// <summary>Sets (or rotates) the callback secret: shown this once; a previous one signs on during the overlap.</summary>
    private static async Task<IResult> SetCallbackSecretAsync(HttpContext context, WebhookStore store, IOptions<WebhookOptions> options, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var until = now + await OverlapAsync(context, options.Value);
        var secret = WebhookSecrets.NewSecret();
        var set = await store.SetCallbackSecretAsync(AccountFilter.AccountOf(context), secret, until, now, context.RequestAborted);
        return Results.Json(CallbackView(set) with { Secret = secret }, DialectJson.Options);
    }

    private static async Task<IResult> GetCallbackSecretAsync(HttpContext context, WebhookStore store) =>
        Results.Json(CallbackView(await store.GetCallbackSecretAsync(AccountFilter.AccountOf(context), context.RequestAborted)), DialectJson.Options);

    private static async Task<IResult> DeleteCallbackSecretAsync(HttpContext context, WebhookStore store) =>
        await store.DeleteCallbackSecretAsync(AccountFilter.AccountOf(context), context.RequestAborted)
            ? Results.NoContent()
            : throw new SeedgateException(new SeedgateError(ErrorCodes.NotFound, "The account has no callback secret.", "callback_secret"));

    /// <summary>How long a replaced secret keeps signing: the body's overlap_seconds, or the configured overlap.</summary>
    private static async Task<TimeSpan> OverlapAsync(HttpContext context, WebhookOptions options)
    {
        var body = context.Request.ContentLength is > 0 || context.Request.HasJsonContentType()
            ? await DialectJson.ReadAsync<RotateBody>(context.Request, context.RequestAborted)
            : new RotateBody(null);
        if (body.OverlapSeconds is < 0 or > 7 * 24 * 3600)
        {
            throw new SeedgateException(SeedgateError.Invalid("overlap_seconds", $"overlap_seconds must be 0–604800 (got {body.OverlapSeconds})."));
        }

        return body.OverlapSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.RotationOverlap;
    }

    private static async Task<IResult> DeliveriesAsync(HttpContext context, WebhookStore store, string id)
    {
        await OwnAsync(context, store, id);
        var deliveries = await store.ListDeliveriesAsync(AccountFilter.AccountOf(context), id, JobId(context), Limit(context), context.RequestAborted);
        return Results.Json(new ListBody<WebhookDelivery>(deliveries), DialectJson.Options);
    }

    private static async Task<IResult> JobDeliveriesAsync(HttpContext context, WebhookStore store)
    {
        var deliveries = await store.ListDeliveriesAsync(AccountFilter.AccountOf(context), null, JobId(context), Limit(context), context.RequestAborted);
        return Results.Json(new ListBody<WebhookDelivery>(deliveries), DialectJson.Options);
    }

    private static async Task<IResult> RetryAsync(HttpContext context, WebhookStore store, WebhookSender sender, TimeProvider time, string id, string deliveryId)
    {
        await OwnAsync(context, store, id);
        var delivery = await store.RetryAsync(AccountFilter.AccountOf(context), deliveryId, time.GetUtcNow(), context.RequestAborted);
        if (delivery is null || delivery.EndpointId != id)
        {
            throw new SeedgateException(new SeedgateError(ErrorCodes.NotFound, $"The endpoint {id} has no delivery {deliveryId}.", "delivery_id"));
        }

        sender.Wake();
        return Results.Json(delivery, DialectJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<WebhookEndpoint> OwnAsync(HttpContext context, WebhookStore store, string id) =>
        await store.GetEndpointAsync(AccountFilter.AccountOf(context), id, context.RequestAborted) ?? throw NotFound(id);

    private static SeedgateException NotFound(string id) =>
        new(new SeedgateError(ErrorCodes.NotFound, $"The webhook endpoint {id} was not found.", "id"));

    /// <summary>Deliveries go out through the same network policy as reference fetches: a private address is refused here already.</summary>
    private static string CheckUrl(string url, ReferenceFetcher fetcher) =>
        fetcher.CheckUrl(url, "url") is { } problem ? throw new SeedgateException(problem) : url;

    private static string[]? CheckEvents(IReadOnlyList<string>? events)
    {
        if (events is null)
        {
            return null;
        }

        if (events.Count == 0)
        {
            throw new SeedgateException(SeedgateError.Invalid("events", $"events is empty; name event types ({string.Join(", ", WebhookEvents.Types)}) or \"*\" for all."));
        }

        foreach (var type in events)
        {
            if (type != WebhookEvents.All && !WebhookEvents.Types.Contains(type))
            {
                throw new SeedgateException(SeedgateError.Invalid("events", $"events: '{type}' is not an event type; they are {string.Join(", ", WebhookEvents.Types)} (or \"*\" for all)."));
            }
        }

        return [.. events.Distinct(StringComparer.Ordinal)];
    }

    private static string? JobId(HttpContext context) => context.Request.Query["job_id"].ToString() is { Length: > 0 } job ? job : null;

    private static int Limit(HttpContext context)
    {
        var text = context.Request.Query["limit"].ToString();
        if (text.Length == 0)
        {
            return MaxDeliveries;
        }

        return int.TryParse(text, out var limit) && limit is >= 1 and <= MaxDeliveries
            ? limit
            : throw new SeedgateException(SeedgateError.Invalid("limit", $"limit must be 1–{MaxDeliveries} (got '{text}')."));
    }

    private static EndpointView View(WebhookEndpoint e) =>
        new(e.Id, e.Url, e.Events, e.Description, e.Enabled, e.DisabledReason, e.CreatedAt, e.UpdatedAt, e.PreviousSecretUntil, null);

    private sealed record EndpointBody(string? Url, IReadOnlyList<string>? Events, string? Description, bool? Enabled);

    private sealed record RotateBody(long? OverlapSeconds);

    private sealed record RotatedBody(string Id, string Secret, DateTimeOffset PreviousSecretUntil);

    private sealed record ListBody<T>(IReadOnlyList<T> Data);

    private static CallbackSecretView CallbackView(CallbackSecret? set) =>
        set is null
            ? new CallbackSecretView(false, null, null, null, null)
            : new CallbackSecretView(true, set.CreatedAt, set.UpdatedAt, set.PreviousSecretUntil is { } until && until > set.UpdatedAt ? until : null, null);

    /// <summary>The callback secret as the API shows it; <see cref="Secret"/> only in the answer that sets it.</summary>
    private sealed record CallbackSecretView(bool Configured, DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt, DateTimeOffset? PreviousSecretUntil, string? Secret);

    /// <summary>An endpoint as the API shows it; <see cref="Secret"/> only in the answer to its creation.</summary>
    private sealed record EndpointView(
        string Id, string Url, IReadOnlyList<string> Events, string? Description, bool Enabled, string? DisabledReason,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? PreviousSecretUntil, string? Secret);
}
