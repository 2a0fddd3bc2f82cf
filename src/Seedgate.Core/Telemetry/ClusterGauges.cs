using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Telemetry;

/// <summary>
/// The cluster's state as gauges, read from the store every <see cref="Interval"/> (observable gauges are read on
/// each scrape and must not wait on a database): jobs queued and running per account, and upstream tasks in flight per
/// upstream account. Every node reports the same cluster-wide figures, so a dashboard takes one node's (max, not sum).
/// </summary>
public sealed partial class ClusterGauges : BackgroundService
{
    private readonly IJobStore _jobs;
    private readonly UpstreamTaskStore _upstreamTasks;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterGauges> _logger;
    private readonly Meter _meter;
    private volatile Snapshot _last = new([], new Dictionary<string, int>());

    /// <param name="interval">How often the figures are read again (<c>Seedgate:Metrics:SampleInterval</c>).</param>
    public ClusterGauges(
        IJobStore jobs, UpstreamTaskStore upstreamTasks, IMeterFactory meters, TimeProvider time, ILogger<ClusterGauges> logger, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Interval = interval;
        ArgumentNullException.ThrowIfNull(meters);
        _jobs = jobs;
        _upstreamTasks = upstreamTasks;
        _time = time;
        _logger = logger;

        // From the host's meter factory, so that the gauges end with the host (a meter of the same name as Seedgate's static one).
        _meter = meters.Create(SeedgateTelemetry.Name);
        _meter.CreateObservableGauge("seedgate.jobs.queued", () => Measure(_last.Jobs, j => j.Queued), "{job}", "Jobs waiting to start, cluster-wide, by account.");
        _meter.CreateObservableGauge("seedgate.jobs.running", () => Measure(_last.Jobs, j => j.Running), "{job}", "Jobs being made, cluster-wide, by account.");
        _meter.CreateObservableGauge(
            "seedgate.upstream.in_flight",
            () => _last.Upstreams.Select(u => new Measurement<int>(u.Value, new KeyValuePair<string, object?>(SeedgateTelemetry.UpstreamTag, u.Key))),
            "{task}",
            "Upstream tasks in flight (a slot held or submitted), cluster-wide, by upstream account.");
    }

    /// <summary>How often the figures are read again.</summary>
    public TimeSpan Interval { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        do
        {
            try
            {
                var jobs = await _jobs.CountUnfinishedAsync(stoppingToken);
                _last = new Snapshot(jobs, await _upstreamTasks.InFlightAsync(stoppingToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A store that does not answer now keeps the last figures; /readyz says what is wrong.
                Log.SampleFailed(_logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static IEnumerable<Measurement<int>> Measure(IReadOnlyList<AccountJobCounts> jobs, Func<AccountJobCounts, int> count) =>
        jobs.Select(j => new Measurement<int>(count(j), new KeyValuePair<string, object?>(SeedgateTelemetry.AccountTag, j.AccountId)));

    private sealed record Snapshot(IReadOnlyList<AccountJobCounts> Jobs, IReadOnlyDictionary<string, int> Upstreams);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3901, Level = LogLevel.Warning, Message = "Reading the cluster gauges failed; the last figures stay")]
        public static partial void SampleFailed(ILogger logger, Exception exception);
    }
}
