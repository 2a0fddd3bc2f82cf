using Seedgate.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SDK with <c>IHttpClientFactory</c>.</summary>
public static class SeedgateServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SeedgateClient"/> as a typed HTTP client: its <see cref="HttpClient"/> comes from
    /// <c>IHttpClientFactory</c> (pooled handlers, DNS refresh) with a timeout above the 30 s long-poll. Add handlers
    /// (logging, a proxy) to the returned builder.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="options">The options, read from the container (e.g. from configuration or a secret store).</param>
    /// <returns>The typed client's builder.</returns>
    public static IHttpClientBuilder AddSeedgateClient(this IServiceCollection services, Func<IServiceProvider, SeedgateClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services
            .AddHttpClient<SeedgateClient>(http => http.Timeout = TimeSpan.FromSeconds(100))
            .AddTypedClient((http, provider) => new SeedgateClient(http, options(provider)));
    }

    /// <summary>Registers <see cref="SeedgateClient"/> with fixed options (see the other overload).</summary>
    /// <param name="services">The services.</param>
    /// <param name="options">The server address, the API key and the retry and polling settings.</param>
    /// <returns>The typed client's builder.</returns>
    public static IHttpClientBuilder AddSeedgateClient(this IServiceCollection services, SeedgateClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services.AddSeedgateClient(_ => options);
    }
}
