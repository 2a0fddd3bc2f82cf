using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Seedgate.Core.Media;

internal static class ReferenceFetcherServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ReferenceFetcher"/>, its <see cref="NetworkPolicy"/> and <see cref="FetchOptions"/>
    /// (bound from <c>Seedgate:Fetch</c> and validated at start-up), and the named HTTP client whose primary
    /// handler enforces the policy at connect time; and the <see cref="SmallImageRule"/> for reference images.
    /// </summary>
    public static IServiceCollection AddReferenceFetcher(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(ReferenceFetcher)))
        {
            // Binding twice would append the allow-list to itself; once is enough.
            return services;
        }

        services.AddOptions<FetchOptions>()
            .Bind(configuration.GetSection(FetchOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FetchOptions>, FetchOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(ReferenceHostResolver.Default);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FetchOptions>>().Value;
            return new NetworkPolicy(options.AllowPrivateNetworks, options.AllowedNetworks);
        });

        services.AddHttpClient(ReferenceFetcher.HttpClientName, client =>
            {
                // FetchToFileAsync enforces one budget over every hop and the body; the client's own timeout
                // would cut that short (or, if longer, add nothing).
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(sp => ReferenceFetcher.CreateHandler(
                sp.GetRequiredService<NetworkPolicy>(),
                sp.GetRequiredService<IOptions<FetchOptions>>().Value,
                sp.GetRequiredService<ReferenceHostResolver>()));

        services.TryAddSingleton(sp => new ReferenceFetcher(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<FetchOptions>>().Value,
            sp.GetRequiredService<NetworkPolicy>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ReferenceFetcher>>()));

        // Needs ffmpeg too (AddFfmpeg): to scale small images up where a plan allows it.
        services.TryAddSingleton(sp => new SmallImageRule(
            sp.GetRequiredService<Ffmpeg>(), sp.GetRequiredService<IOptions<FetchOptions>>().Value));
        return services;
    }
}
