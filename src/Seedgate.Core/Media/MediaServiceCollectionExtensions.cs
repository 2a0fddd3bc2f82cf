using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Seedgate.Core.Sandbox;

namespace Seedgate.Core.Media;

internal static class MediaServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="Ffmpeg"/> (one per process, so its concurrency limit is process-wide) with
    /// <see cref="FfmpegOptions"/> bound from <c>Seedgate:Ffmpeg</c>, and the <see cref="SandboxRenderer"/>.
    /// </summary>
    public static IServiceCollection AddFfmpeg(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<FfmpegOptions>()
            .BindConfiguration(FfmpegOptions.SectionName)
            .Validate(o => o.MaxConcurrentProcesses >= 1, "Seedgate:Ffmpeg:MaxConcurrentProcesses must be at least 1.")
            .Validate(o => o.Timeout > TimeSpan.Zero, "Seedgate:Ffmpeg:Timeout must be positive.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.FfmpegPath) && !string.IsNullOrWhiteSpace(o.FfprobePath),
                "Seedgate:Ffmpeg:FfmpegPath and FfprobePath must be set.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new Ffmpeg(
            sp.GetRequiredService<IOptions<FfmpegOptions>>().Value,
            sp.GetRequiredService<ILogger<Ffmpeg>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<SandboxRenderer>();
        return services;
    }
}
