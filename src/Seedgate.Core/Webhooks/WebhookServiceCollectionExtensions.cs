using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Seedgate.Core.Media;

namespace Seedgate.Core.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="WebhookSender"/> (unless <c>Seedgate:Webhooks:Enabled</c> is false) and its HTTP client,
    /// whose connections the reference fetcher's <see cref="NetworkPolicy"/> guards (register the fetcher too). The
    /// <see cref="WebhookStore"/> and an <see cref="IWebhookBodies"/> come from the host.
    /// </summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.SectionName))
            .Validate(o => o.Timeout > TimeSpan.Zero && o.Lease > o.Timeout, "Seedgate:Webhooks: Timeout must be positive and Lease longer than it.")
            .Validate(o => o.Concurrency >= 1 && o.MaxResponseBytes >= 1, "Seedgate:Webhooks: Concurrency and MaxResponseBytes must be at least 1.")
            .Validate(o => o.RetrySchedule.All(t => t >= TimeSpan.Zero), "Seedgate:Webhooks:RetrySchedule: waits must not be negative.")
            .ValidateOnStart();
        services.AddHttpClient(WebhookSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan) // the sender times each attempt
            .ConfigurePrimaryHttpMessageHandler(sp => ReferenceFetcher.CreateHandler(
                sp.GetRequiredService<NetworkPolicy>(),
                sp.GetRequiredService<IOptions<FetchOptions>>().Value,
                sp.GetRequiredService<ReferenceHostResolver>()));
        services.TryAddSingleton<WebhookSender>();
        if (configuration.GetValue($"{WebhookOptions.SectionName}:Enabled", true))
        {
            services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        }

        return services;
    }
}
