using System.Diagnostics;
using System.Diagnostics.Metrics;
using Seedgate.Core.Jobs;

namespace Seedgate.Core.Telemetry;

/// <summary>
/// Seedgate's own spans and metrics, under one name ("Seedgate") for OpenTelemetry to pick up (the server registers
/// the source and the meter; without a listener both cost next to nothing). Tag names follow the
/// <c>seedgate.*</c> namespace; durations are in seconds and money in micro-dollars, as OpenTelemetry's conventions ask.
/// </summary>
public static class SeedgateTelemetry
{
    public const string Name = "Seedgate";

    public const string JobIdTag = "seedgate.job.id";
    public const string AccountTag = "seedgate.account";
    public const string ModelTag = "seedgate.model";
    public const string EngineTag = "seedgate.engine";
    public const string StatusTag = "seedgate.status";
    public const string CorrelationIdTag = "seedgate.correlation_id";
    public const string AttemptTag = "seedgate.attempt";
    public const string UpstreamTag = "seedgate.upstream";
    public const string NodeTag = "seedgate.node";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Jobs accepted (stored) by this node, by model.</summary>
    public static readonly Counter<long> JobsSubmitted = Meter.CreateCounter<long>(
        "seedgate.jobs.submitted", "{job}", "Jobs accepted and stored, by model.");

    /// <summary>Jobs this node brought to an end (succeeded, failed, expired), by status, model and account.</summary>
    public static readonly Counter<long> JobsFinished = Meter.CreateCounter<long>(
        "seedgate.jobs.finished", "{job}", "Jobs brought to an end by this node, by status, model and account.");

    /// <summary>From submit to a job's first step, by account and model.</summary>
    public static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>(
        "seedgate.job.queue_wait", "s", "Time from submit to a job's first step, by account and model.");

    /// <summary>One engine step (a render, an upstream submit or poll, a long take's segments), by engine, model and outcome.</summary>
    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>(
        "seedgate.job.step.duration", "s", "Engine steps (a render, an upstream call, a long take's segments), by engine, model and outcome.");

    /// <summary>The price of what succeeded jobs made (before the free quota), by model.</summary>
    public static readonly Counter<long> MadeMicros = Meter.CreateCounter<long>(
        "seedgate.cost.made", "{micro-USD}", "The price of what succeeded jobs made (before the free quota), by model.");

    /// <summary>Requests to upstream Seedance, by upstream account, operation and outcome (ok, rate_limited, error).</summary>
    public static readonly Counter<long> UpstreamRequests = Meter.CreateCounter<long>(
        "seedgate.upstream.requests", "{request}", "Requests to upstream Seedance, by upstream account, operation and outcome (ok, rate_limited, error).");

    /// <summary>Counts a job brought to an end, and for a success the price of what it made.</summary>
    public static void Finished(Job job, JobStatus status)
    {
        ArgumentNullException.ThrowIfNull(job);
        JobsFinished.Add(1, new(StatusTag, JobStatusRules.Name(status)), new(ModelTag, job.Request.Model), new(AccountTag, job.AccountId));
        if (status == JobStatus.Succeeded && job.CostMicros is > 0 and var cost)
        {
            MadeMicros.Add(cost, new KeyValuePair<string, object?>(ModelTag, job.Request.Model));
        }
    }

    /// <summary>
    /// A claim (one statement for several jobs) as a span of each claimed job's trace: when this node took it and how
    /// long the claim took; the job's queue wait ends here.
    /// </summary>
    public static void Claimed(Job job, DateTimeOffset started, DateTimeOffset ended, string node)
    {
        ArgumentNullException.ThrowIfNull(job);
        ActivityContext.TryParse(job.TraceParent, null, out var parent);
        using var activity = Source.StartActivity("seedgate.job.claim", ActivityKind.Internal, parent, startTime: started);
        if (activity is null)
        {
            return;
        }

        activity.SetTag(JobIdTag, job.Id);
        activity.SetTag(AccountTag, job.AccountId);
        activity.SetTag(NodeTag, node);
        activity.SetEndTime(ended.UtcDateTime);
    }

    /// <summary>
    /// A span for work on a job after its create: the child of the create's span (<see cref="Job.TraceParent"/>) when
    /// there was one, so one trace runs from the create to the finished video across nodes.
    /// </summary>
    public static Activity? StartJobActivity(string name, Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        ActivityContext.TryParse(job.TraceParent, null, out var parent);
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent);
        activity?.SetTag(JobIdTag, job.Id);
        activity?.SetTag(AccountTag, job.AccountId);
        activity?.SetTag(ModelTag, job.Request.Model);
        activity?.SetTag(EngineTag, job.Engine);
        activity?.SetTag(CorrelationIdTag, job.CorrelationId);
        return activity;
    }
}
