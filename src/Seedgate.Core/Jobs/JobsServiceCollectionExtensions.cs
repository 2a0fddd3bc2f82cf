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
    /// the storage registration. <see cref="RetentionOptions"/> come from <c>Seedgate:Retention</c>.
    /// </summary>
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName)
            .Validate(o => o.Files > TimeSpan.Zero, "Seedgate:Retention:Files must be positive.")
            .Validate(o => o.SweepInterval > TimeSpan.Zero, "Seedgate:Retention:SweepInterval must be positive.")
            .ValidateOnStart();
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
