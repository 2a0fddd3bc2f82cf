using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Seedgate.Core.Accounts;
using Seedgate.Core.Catalog;
using Seedgate.Core.Engines;

namespace Seedgate.Core.Upstream;

public static class UpstreamServiceCollectionExtensions
{
    /// <summary>The configuration section of the upstream accounts: <c>Seedgate:Upstreams:{name}:{field}</c>.</summary>
    public const string AccountsSection = "Seedgate:Upstreams";

    /// <summary>The upstream accounts configuration names (none: the sandbox serves every model), validated.</summary>
    public static UpstreamLanes? LanesFrom(IConfiguration configuration, ModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var accounts = configuration.GetSection(AccountsSection).GetChildren()
            .ToDictionary(c => c.Key, c => c.Get<UpstreamAccountOptions>() ?? new UpstreamAccountOptions(), StringComparer.Ordinal);
        return accounts.Count == 0 ? null : UpstreamLanes.From(accounts, catalog, variable => configuration[variable]);
    }

    /// <summary>
    /// Registers the Ark engine for the configured upstream accounts: one named HTTP client each (the resilience
    /// pipeline, then the cluster-wide request rate beneath it, so every attempt on the wire takes a token), the
    /// client that copies outputs, and <see cref="UpstreamOptions"/> from <c>Seedgate:Upstream</c>.
    /// </summary>
    public static IServiceCollection AddUpstreamEngine(this IServiceCollection services, UpstreamLanes lanes)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(lanes);
        services.AddOptions<UpstreamOptions>().BindConfiguration("Seedgate:Upstream")
            .Validate(o => o.MinPollInterval > TimeSpan.Zero && o.MaxPollInterval >= o.MinPollInterval,
                "Seedgate:Upstream:MinPollInterval must be positive and at most MaxPollInterval.")
            .Validate(o => o.CallbackGrace >= TimeSpan.Zero && o.Cooldown >= TimeSpan.Zero && o.ReconcileMargin >= TimeSpan.Zero,
                "Seedgate:Upstream:CallbackGrace, Cooldown and ReconcileMargin must not be negative.")
            .ValidateOnStart();
        services.TryAddSingleton(lanes);
        services.TryAddSingleton<UpstreamLatencies>();
        services.TryAddSingleton<ArkClients>();
        services.TryAddSingleton<ArkRequests>();
        services.TryAddSingleton<QueueEstimates>();
        services.TryAddSingleton<IUpstreamCallbacks, NoUpstreamCallbacks>();
        services.AddSingleton<IVideoEngine, ArkEngine>();
        foreach (var lane in lanes.All)
        {
            var builder = services.AddHttpClient(ArkClients.ClientName(lane.Name), client =>
            {
                client.BaseAddress = lane.BaseUrl;
                client.Timeout = Timeout.InfiniteTimeSpan; // the pipeline's timeouts govern
            });
            builder.AddResilienceHandler("ark", pipeline =>
            {
                var retry = new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 2,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(500),
                    ShouldRetryAfterHeader = true,
                };
                retry.DisableForUnsafeHttpMethods(); // a create is never resent blind: the engine reconciles
                pipeline.AddRetry(retry);
                pipeline.AddTimeout(lane.RequestTimeout); // each attempt
            });
            builder.AddHttpMessageHandler(sp => new UpstreamRateHandler(sp.GetRequiredService<IAccountStore>(), lane, sp.GetRequiredService<TimeProvider>()));
        }

        // Outputs come from the upstream's own file host (object storage), which the account's rate does not cover.
        services.AddHttpClient(ArkEngine.FilesClient, client => client.Timeout = TimeSpan.FromMinutes(5));
        return services;
    }
}
