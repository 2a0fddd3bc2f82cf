using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Seedgate.Core.Jobs;
using Seedgate.Core.Webhooks;
using Seedgate.Server.Dialects;
using Seedgate.Server.Dialects.Ark;
using Seedgate.Server.Dialects.SeedanceV1;
using Seedgate.Server.Dialects.Variants;
using Seedgate.Server.Hosting;
using Seedgate.Server.Outputs;

namespace Seedgate.Server.Webhooks;

/// <summary>
/// What deliveries carry: the job in the shape of the dialect it was created through (Ark's task object for Ark, the
/// v1 job for SeeDance v1, the variant task), so code written for Ark's callbacks reads a <c>callback_url</c>
/// delivery unchanged. An endpoint's delivery wraps it the Standard Webhooks way: <c>{"type", "timestamp", "data"}</c>.
/// Links are signed when the delivery goes out (a retry a day later carries links that work), and start at
/// <c>Seedgate:PublicBaseUrl</c>, else at the address this node listens on. The link signer is taken when the first
/// delivery goes out: its key is read from the store at start-up, after the sender (a hosted service) was made.
/// </summary>
internal sealed class WebhookBodies(IServiceProvider services, IOptions<SeedgateOptions> options, IServer server) : IWebhookBodies
{
    public string Render(DueDelivery due, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(due);
        var links = services.GetRequiredService<OutputLinks>();
        var site = Site();
        object task = due.Job.Dialect switch
        {
            JobDialects.SeedanceV1 => SeedanceV1Dialect.ToView(due.Job, site, links),
            JobDialects.Variant => VariantDialect.ToView(due.Job, site, links),
            _ => ArkMapping.ToTask(due.Job, site, links),
        };
        return due.Delivery.EndpointId is null
            ? JsonSerializer.Serialize(task, task.GetType(), DialectJson.Options)
            : JsonSerializer.Serialize(new WebhookEnvelope(due.Delivery.EventType, now, task), DialectJson.Options);
    }

    private string Site()
    {
        if (options.Value.PublicBaseUrl is { } configured)
        {
            return configured.TrimEnd('/');
        }

        // A wildcard listen address (http://[::]:8080, http://+:80) names no host a receiver could reach: loopback does on this machine.
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1";
        var uri = new UriBuilder(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "127.0.0.1";
        }

        return uri.Uri.GetLeftPart(UriPartial.Authority);
    }

    private sealed record WebhookEnvelope(string Type, DateTimeOffset Timestamp, object Data);
}
