using Seedgate.Core.Catalog;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Upstream;

/// <summary>Where a queued job stands (a Seedgate extension of task views): its place, and when it should start.</summary>
public sealed record QueuePlace(int Position, DateTimeOffset EstimatedStart);

/// <summary>
/// Estimates a queued upstream job's place as the fair share will serve it (weights aside): its account's jobs ahead
/// of it, and of every other account as many (one more where that account has fewer tasks in flight, so goes first),
/// plus itself; and its start from the free slots now, the accounts' slots and request rates, and how long their tasks
/// took lately.
/// </summary>
public sealed class QueueEstimates(UpstreamLanes lanes, UpstreamTaskStore tasks, UpstreamLatencies latencies, ModelCatalog catalog, TimeProvider time)
{
    public async Task<QueuePlace?> PlaceAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var serving = lanes.Serving(job.Request.Model).ToList();
        if (job.VisibleStatus != JobStatus.Queued || !UpstreamLanes.Engines.Contains(job.Engine) || serving.Count == 0)
        {
            return null;
        }

        var (ownAhead, accounts) = await tasks.QueuedAroundAsync(job, cancellationToken);
        var ownFlying = accounts[job.AccountId].Flying;
        var position = 1 + ownAhead + accounts.Where(a => a.Key != job.AccountId)
            .Sum(a => Math.Min(a.Value.Queued, ownAhead + (a.Value.Flying < ownFlying ? 1 : 0)));
        var inFlight = await tasks.InFlightAsync(cancellationToken);
        var slots = serving.Sum(l => l.TasksInFlight);
        var free = Math.Max(0, slots - serving.Sum(l => inFlight.GetValueOrDefault(l.Name)));
        var typical = TimeSpan.FromSeconds(catalog.Find(job.Request.Model)?.TypicalLatencySeconds ?? 60);
        var took = serving.Select(l => latencies.Expected(l.Name, job.Request.Model)).FirstOrDefault(t => t is not null) ?? typical;
        var waves = position <= free ? 0 : (int)Math.Ceiling((position - free) / (double)slots);
        var byRate = TimeSpan.FromSeconds(position / serving.Sum(l => l.RequestsPerSecond));
        var wait = took * waves > byRate ? took * waves : byRate;
        return new QueuePlace(position, time.GetUtcNow() + wait);
    }
}
