using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Seedgate.Core.Dispatch;

public static class DispatchServiceCollectionExtensions
{
    /// <summary>
    /// Registers the dispatch parts (<see cref="PriorityClaimPolicy"/> unless another <see cref="IClaimPolicy"/> is
    /// registered first, <see cref="JobRunner"/>, <see cref="JobCompleter"/>, <see cref="RetryPolicy"/>,
    /// <see cref="ExpirySweeper"/>) with <see cref="DispatchOptions"/> from <c>Seedgate:Dispatch</c>, validated at
    /// start-up. With <paramref name="runJobs"/> the <see cref="Dispatcher"/> runs jobs on this node (and the retention
    /// sweep deletes old files); without, it is an API-only node.
    /// </summary>
    public static IServiceCollection AddDispatch(this IServiceCollection services, string defaultWorkDirectory, bool runJobs)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DispatchOptions>().BindConfiguration("Seedgate:Dispatch")
            .PostConfigure(o => o.WorkDirectory = string.IsNullOrEmpty(o.WorkDirectory) ? defaultWorkDirectory : o.WorkDirectory)
            .Validate(o => o.ConcurrentJobs >= 1, "Seedgate:Dispatch:ConcurrentJobs must be at least 1.")
            .Validate(o => o.ConcurrentUpstreamSteps >= 1, "Seedgate:Dispatch:ConcurrentUpstreamSteps must be at least 1.")
            .Validate(o => o.Lease >= TimeSpan.FromSeconds(3), "Seedgate:Dispatch:Lease must be at least 3 seconds.")
            .Validate(o => o.MaxAttempts >= 1, "Seedgate:Dispatch:MaxAttempts must be at least 1.")
            .Validate(o => o.FallbackAfterFailures >= 1, "Seedgate:Dispatch:FallbackAfterFailures must be at least 1.")
            .Validate(o => o.MaxLapses >= 0, "Seedgate:Dispatch:MaxLapses must not be negative.")
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Seedgate:Dispatch:PollInterval must be positive.")
            .Validate(o => o.ScratchSweepInterval > TimeSpan.Zero, "Seedgate:Dispatch:ScratchSweepInterval must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IClaimPolicy, PriorityClaimPolicy>();
        services.TryAddSingleton<RetryPolicy>();
        services.TryAddSingleton<JobCompleter>();
        services.TryAddSingleton<LongTakeSteps>();
        services.TryAddSingleton<JobRunner>();
        services.TryAddSingleton<ExpirySweeper>();
        if (runJobs)
        {
            services.AddHostedService<Dispatcher>();
            services.AddHostedService<Jobs.RetentionSweeper>();
        }

        return services;
    }
}
