using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Seedgate.Client;

/// <summary>
/// The SDK's spans: an <see cref="ActivitySource"/> named <see cref="SourceName"/> (<c>seedgate.client.generate</c> around
/// a whole job, <c>seedgate.client.create</c>, <c>seedgate.client.wait</c>, <c>seedgate.client.download</c> inside it).
/// HTTP calls made under them carry the span's W3C <c>traceparent</c>, so the server's spans join the same trace.
/// Listen with OpenTelemetry's <c>AddSource("Seedgate.Client")</c>.
/// </summary>
public static class SeedgateClientTelemetry
{
    /// <summary>The name of the SDK's <see cref="ActivitySource"/>.</summary>
    public const string SourceName = "Seedgate.Client";

    internal const string TaskIdTag = "seedgate.task_id";
    internal const string CorrelationIdTag = "seedgate.correlation_id";
    internal const string ModelTag = "seedgate.model";
    internal const string StatusTag = "seedgate.status";

    internal static readonly ActivitySource Source = new(SourceName, typeof(SeedgateClientTelemetry).Assembly.GetName().Version?.ToString());
}

/// <summary>The per-job log record: the seed's "log at minimum" list.</summary>
internal static partial class SeedgateClientLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Task {TaskId} {Status} (correlation {CorrelationId}, input {InputHash}) in {WallTimeSeconds:0.0} s: estimated {EstimatedCost}, cost {Cost}, output {OutputUrl}")]
    public static partial void JobFinished(
        ILogger logger, string taskId, string status, string correlationId, string inputHash, double wallTimeSeconds, TaskCost? estimatedCost, TaskCost? cost, Uri? outputUrl);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Task {TaskId} not finished after {WallTimeSeconds:0.0} s (correlation {CorrelationId}, input {InputHash}); last status {Status}")]
    public static partial void JobWaitGaveUp(ILogger logger, string taskId, string? status, string correlationId, string inputHash, double wallTimeSeconds);
}
