using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Seedgate.Core.Dispatch;
using Seedgate.Core.Media;
using Seedgate.Core.Sandbox;

namespace Seedgate.Core.Engines;

public static class EngineServiceCollectionExtensions
{
    /// <summary>Registers the sandbox engine with what it needs: ffmpeg (<see cref="MediaServiceCollectionExtensions.AddFfmpeg"/>) and the reference fetcher.</summary>
    public static IServiceCollection AddSandboxEngine(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddFfmpeg();
        services.AddReferenceFetcher(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IVideoEngine, SandboxEngine>());
        return services;
    }

    /// <summary>
    /// Registers the TEST engine that configuration asks for (none by default): the instant engine
    /// (<see cref="InstantTestEngine.EnabledKey"/>). Steps against a remote are tested on the real Ark engine and the
    /// upstream simulator.
    /// </summary>
    public static IServiceCollection AddTestEngines(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.GetValue(InstantTestEngine.EnabledKey, false))
        {
            services.AddSingleton<IVideoEngine>(sp => new InstantTestEngine(
                sp.GetRequiredService<NodeIdentity>(), configuration[InstantTestEngine.RunDirectoryKey]));
        }

        return services;
    }
}
