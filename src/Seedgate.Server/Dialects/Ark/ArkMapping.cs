using Microsoft.AspNetCore.Http;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Server.Outputs;

using Seedgate.Core.Upstream;

namespace Seedgate.Server.Dialects.Ark;

/// <summary>Ark wire JSON ⇄ the canonical request and job.</summary>
internal static class ArkMapping
{
    /// <summary>
    /// The task view; <paramref name="place"/> (a queued upstream job's place and estimated start) and the tier fallback
    /// (<c>fallback_model</c>, <c>served_model</c>) are Seedgate's extensions. Links start at <paramref name="site"/>
    /// (<see cref="OutputLinks.BaseUrl(HttpRequest)"/>).
    /// </summary>
    public static ArkTask ToTask(Job job, string site, OutputLinks links, QueuePlace? place = null)
    {
        var request = job.Request;
        var outputs = job.Status == JobStatus.Succeeded ? job.Outputs : null;
        var files = OutputLinks.KeptOutputs(job);
        return new ArkTask(
            job.Id,
            job.RequestedModel,
            JobStatusRules.Name(job.VisibleStatus),
            files is null ? null : new ArkTaskContent(links.UrlFor(site, files.VideoKey)!, links.UrlFor(site, files.LastFrameKey)),
            outputs is null ? null : new ArkUsage(outputs.Tokens, outputs.Tokens),
            job.Status is JobStatus.Failed or JobStatus.Expired && job.Error is { } error ? new ArkTaskError(error.Code, error.Message) : null,
            request.Seed,
            request.Resolution,
            outputs?.Ratio ?? request.Ratio,
            outputs is null ? request.Duration : (int)Math.Round(outputs.DurationSeconds),
            request.FramesPerSecond!.Value,
            request.GenerateAudio,
            request.Watermark,
            request.ServiceTier,
            request.ExecutionExpiresAfter,
            request.Priority,
            request.Draft,
            request.DraftTaskId,
            request.SafetyIdentifier,
            [.. request.Tools.Select(t => new ArkTool { Type = WireNames.Of(t) })],
            request.OutputFormat,
            DialectJson.UnixSeconds(job.CreatedAt),
            DialectJson.UnixSeconds(job.UpdatedAt),
            ArkCost.Of(job.FinalCostMicros, job.Status == JobStatus.Succeeded ? job.CostMicros : null, job.FinalCostMicros is null ? null : job.CoveredByFreeQuota),
            ArkCost.Of(job.ReservedMicros),
            job.CorrelationId,
            job.RetryAt is { } retryAt ? DialectJson.UnixSeconds(retryAt) : null,
            links.FilesExpireAt(job),
            place?.Position,
            place is null ? null : DialectJson.UnixSeconds(place.EstimatedStart),
            request.FallbackModel,
            // With a fallback named, which of the two serves the job (its price is the one charged).
            request.FallbackModel is null ? null : request.Model,
            LongTakeView.Of(job));
    }
}
