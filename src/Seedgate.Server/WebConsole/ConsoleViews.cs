using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Upstream;
using Seedgate.Server.Dialects;
using Seedgate.Server.Outputs;

namespace Seedgate.Server.WebConsole;

/// <summary>Who is signed in: the role, the account (an admin's is the one it looks at), and the token to echo.</summary>
internal sealed record SessionView(string Role, string? AccountId, DateTimeOffset ExpiresAt, string Csrf);

/// <summary>A job as the console's list shows it: what was asked, where it stands, and what it costs.</summary>
internal sealed record ConsoleJob(
    string Id,
    string AccountId,
    string Status,
    string Model,
    string? Prompt,
    int? Duration,
    string? Resolution,
    string? Ratio,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? RetryAt,
    long? ReservedMicros,
    long? CostMicros,
    bool FreeQuota,
    JobError? Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LongTakeView? LongTake,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QueuePlace? QueuePlace = null)
{
    /// <param name="place">A queued job's place in its upstream's queue, when an upstream serves it.</param>
    public static ConsoleJob Of(Job job, QueuePlace? place = null) => new(
        job.Id,
        job.AccountId,
        JobStatusRules.Name(job.VisibleStatus),
        job.RequestedModel,
        job.Request.Prompt,
        job.Outputs is { } made ? (int)Math.Round(made.DurationSeconds) : job.Request.Duration,
        job.Request.Resolution,
        job.Outputs?.Ratio ?? job.Request.Ratio,
        job.CreatedAt,
        job.StartedAt,
        job.FinishedAt,
        job.RetryAt,
        job.ReservedMicros,
        job.FinalCostMicros,
        job.CoveredByFreeQuota,
        job.Error,
        LongTakeView.Of(job),
        place);
}

internal sealed record ConsoleJobList(long Total, int Page, int PageSize, IReadOnlyList<ConsoleJob> Items);

/// <summary>
/// Everything the job page shows: the list's fields, the request as stored (every parameter, defaults filled in), its
/// references (an uploaded one as a signed link), the outputs' links, attempts, engine, upstream task, correlation and
/// trace ids.
/// </summary>
internal sealed record ConsoleJobDetail(
    ConsoleJob Job,
    JsonNode? Request,
    IReadOnlyList<ConsoleReference> References,
    ConsoleOutputs? Outputs,
    int Attempts,
    int Lapses,
    string Engine,
    string? UpstreamTaskId,
    string? CorrelationId,
    string? TraceId,
    string Dialect,
    DateTimeOffset ExpiresAt,
    long? FilesExpireAt);

/// <param name="Url">An uploaded reference's signed link (same origin), or the URL the caller gave.</param>
internal sealed record ConsoleReference(string Kind, string Role, string Url, bool Uploaded);

internal sealed record ConsoleOutputs(
    string? VideoUrl, string? LastFrameUrl, int Width, int Height, int FramesPerSecond, double DurationSeconds, bool HasAudio);

internal static class ConsoleDetails
{
    public static ConsoleJobDetail Of(Job job, string site, OutputLinks links)
    {
        var kept = OutputLinks.KeptOutputs(job);
        return new ConsoleJobDetail(
            ConsoleJob.Of(job),
            System.Text.Json.JsonSerializer.SerializeToNode(job.Request, DialectJson.Options),
            [.. job.Request.References.Select(r => Reference(r, site, links))],
            kept is null ? null : new ConsoleOutputs(
                links.UrlFor(site, kept.VideoKey), links.UrlFor(site, kept.LastFrameKey), kept.Width, kept.Height,
                kept.FramesPerSecond, kept.DurationSeconds, kept.HasAudio),
            job.Attempts,
            job.Lapses,
            job.Engine,
            job.UpstreamTaskId,
            job.CorrelationId,
            TraceIdOf(job.TraceParent),
            job.Dialect,
            job.ExpiresAt,
            links.FilesExpireAt(job));
    }

    private static ConsoleReference Reference(Reference reference, string site, OutputLinks links)
    {
        var uploaded = reference.Url.StartsWith(JobSubmitter.BlobScheme, StringComparison.Ordinal);
        var url = uploaded ? links.UrlFor(site, reference.Url[JobSubmitter.BlobScheme.Length..])! : reference.Url;
        return new ConsoleReference(
            reference.Kind.ToString().ToLowerInvariant(),
            WireNames.Of(reference.Role),
            url,
            uploaded);
    }

    /// <summary>The trace id of a W3C traceparent (00-{trace}-{span}-{flags}); null without one.</summary>
    private static string? TraceIdOf(string? traceParent) =>
        traceParent?.Split('-') is [_, var trace, _, _] ? trace : null;
}
