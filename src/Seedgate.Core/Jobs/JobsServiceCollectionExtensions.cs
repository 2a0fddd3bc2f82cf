using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Seedgate.Core.Generation;

namespace Seedgate.Core.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>
    /// Registers what accepts, reads and removes jobs: <see cref="RequestValidator"/>, <see cref="JobSubmitter"/> (with
    /// its <see cref="JobInserter"/>), <see cref="JobRemover"/>, <see cref="JobWaiter"/> (with the
    /// <see cref="FinishedJobCache"/>) and the <see cref="JobSignals"/> they share. The stores come from
    /// the storage registration.
    /// </summary>
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RequestValidator>();
        services.TryAddSingleton<JobSignals>();
        services.TryAddSingleton<JobInserter>();
        services.TryAddSingleton<JobSubmitter>();
        services.TryAddSingleton<JobRemover>();
        services.TryAddSingleton<FinishedJobCache>();
        services.TryAddSingleton<JobWaiter>();
        return services;
    }
}
