using System.Text.Json;

namespace Seedgate.Client;

public sealed partial class SeedgateClient
{
    private const string WebhooksPath = "v1/webhooks";

    /// <summary>
    /// Registers a webhook endpoint (<c>POST /v1/webhooks</c>). The answer is the only one that carries its signing
    /// secret (<see cref="WebhookEndpoint.Secret"/>, <c>whsec_…</c>): keep it to verify deliveries.
    /// </summary>
    /// <param name="request">The URL and the event types.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="InvalidRequestException">The URL is not allowed (e.g. a private address) or an event type is unknown.</exception>
    public Task<WebhookEndpoint> CreateWebhookAsync(CreateWebhookRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, SeedgateJsonContext.Default.CreateWebhookRequest);
        var uri = new Uri(baseAddress, WebhooksPath);
        return transport.SendAsync(() => SeedgateTransport.JsonRequest(HttpMethod.Post, uri, body), SeedgateJsonContext.Default.WebhookEndpoint, retry: false, cancellationToken);
    }

    /// <summary>The caller's webhook endpoints (<c>GET /v1/webhooks</c>), without their secrets.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<WebhookEndpoint>> ListWebhooksAsync(CancellationToken cancellationToken = default)
    {
        var uri = new Uri(baseAddress, WebhooksPath);
        var list = await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), SeedgateJsonContext.Default.WebhookListWebhookEndpoint, retry: true, cancellationToken)
            .ConfigureAwait(false);
        return list.Data ?? [];
    }

    /// <summary>Enables or disables an endpoint (<c>PATCH /v1/webhooks/{id}</c>); enabling one Seedgate disabled clears the reason.</summary>
    /// <param name="id">The endpoint (ep_…).</param>
    /// <param name="enabled">Whether deliveries go out to it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<WebhookEndpoint> SetWebhookEnabledAsync(string id, bool enabled, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new WebhookChangeBody(enabled), SeedgateJsonContext.Default.WebhookChangeBody);
        var uri = WebhookUri(id, "");
        return transport.SendAsync(() => SeedgateTransport.JsonRequest(HttpMethod.Patch, uri, body), SeedgateJsonContext.Default.WebhookEndpoint, retry: true, cancellationToken);
    }

    /// <summary>An endpoint's deliveries, newest first (<c>GET /v1/webhooks/{id}/deliveries</c>, at most 100).</summary>
    /// <param name="id">The endpoint (ep_…).</param>
    /// <param name="jobId">Only this task's; <see langword="null"/>: all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<WebhookDelivery>> ListWebhookDeliveriesAsync(string id, string? jobId = null, CancellationToken cancellationToken = default)
    {
        var uri = WebhookUri(id, jobId is null ? "/deliveries" : "/deliveries?job_id=" + Uri.EscapeDataString(jobId));
        var list = await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), SeedgateJsonContext.Default.WebhookListWebhookDelivery, retry: true, cancellationToken)
            .ConfigureAwait(false);
        return list.Data ?? [];
    }

    /// <summary>
    /// Sends a delivery again now (<c>POST /v1/webhooks/{id}/deliveries/{delivery}/retry</c>), with its original
    /// <c>webhook-id</c>; a delivered one is left as it is.
    /// </summary>
    /// <param name="id">The endpoint (ep_…).</param>
    /// <param name="deliveryId">The delivery (dlv_…).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<WebhookDelivery> RetryWebhookDeliveryAsync(string id, string deliveryId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deliveryId);
        var uri = WebhookUri(id, $"/deliveries/{Uri.EscapeDataString(deliveryId)}/retry");
        return transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, uri), SeedgateJsonContext.Default.WebhookDelivery, retry: true, cancellationToken);
    }

    /// <summary>
    /// Sets the caller's callback secret, or rotates it (<c>POST /v1/webhooks/callback-secret</c>): from then on its
    /// <c>callback_url</c> deliveries are signed as endpoints' are. The answer is the only one that carries the secret.
    /// </summary>
    /// <param name="overlap">How long a secret it replaces keeps signing too; <see langword="null"/>: the server's default (24 h).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<CallbackSecret> SetCallbackSecretAsync(TimeSpan? overlap = null, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new CallbackSecretBody(overlap is { } o ? (long)o.TotalSeconds : null), SeedgateJsonContext.Default.CallbackSecretBody);
        var uri = new Uri(baseAddress, WebhooksPath + "/callback-secret");
        return transport.SendAsync(() => SeedgateTransport.JsonRequest(HttpMethod.Post, uri, body), SeedgateJsonContext.Default.CallbackSecret, retry: false, cancellationToken);
    }

    private Uri WebhookUri(string id, string rest)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return new Uri(baseAddress, $"{WebhooksPath}/{Uri.EscapeDataString(id)}{rest}");
    }
}
