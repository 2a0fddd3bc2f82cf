using Seedgate.Core.Catalog;
using Seedgate.Core.Generation;
using Seedgate.Core.Media;
using Seedgate.Core.Storage;
using Seedgate.Core.Telemetry;

namespace Seedgate.Core.Jobs;

/// <summary>Who submits a request, and how: the account, the dialect, and the caller's optional ids.</summary>
/// <param name="AccountId">The account the job belongs to.</param>
/// <param name="Dialect">The dialect the request came through (see <see cref="JobDialects"/>).</param>
/// <param name="CorrelationId">The caller's X-Client-Request-Id / X-Correlation-Id.</param>
/// <param name="IdempotencyKey">The caller's Idempotency-Key: the same key and request return the same job.</param>
public sealed record Submission(string AccountId, string Dialect, string? CorrelationId = null, string? IdempotencyKey = null)
{
    public const int HighestPriority = 9;

    /// <summary>The highest priority the account's plan lets it ask for.</summary>
    public int MaxPriority { get; init; } = HighestPriority;

    /// <summary>The account's plan scales reference images under the model's minimum side up instead of refusing them.</summary>
    public bool UpscaleSmallImages { get; init; }
}

/// <summary>
/// Accepts a canonical request for an account: validates it, checks reference URLs without touching the
/// network, holds inline images to the model's minimum side (refused, or scaled up where the plan allows it), moves
/// inline (data:) references into blob storage so job rows stay small, and stores the job.
/// A request under an idempotency key that a job already holds gets that job (or a conflict, when the request
/// differs), before anything is stored.
/// </summary>
public sealed class JobSubmitter(
    RequestValidator validator,
    JobInserter inserter,
    IJobStore store,
    IBlobStore blobs,
    ReferenceFetcher fetcher,
    SmallImageRule smallImages,
    JobSignals signals,
    TimeProvider time)
{
    /// <summary>Blob references in stored requests use this scheme: blob:inputs/cgt-…/0.png.</summary>
    public const string BlobScheme = "blob:";

    public async Task<Job> SubmitAsync(Submission submission, GenerationRequest request, ParamNames names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(request);
        using var activity = SeedgateTelemetry.Source.StartActivity("seedgate.submit");
        activity?.SetTag(SeedgateTelemetry.AccountTag, submission.AccountId);
        activity?.SetTag(SeedgateTelemetry.ModelTag, request.Model);
        activity?.SetTag(SeedgateTelemetry.CorrelationIdTag, submission.CorrelationId);
        JobIdempotency? idempotency = null;
        if (submission.IdempotencyKey is { } idempotencyKey)
        {
            if (IdempotencyKeys.Check(idempotencyKey) is { } keyProblem)
            {
                throw new SeedgateException(keyProblem);
            }

            idempotency = new JobIdempotency(idempotencyKey, IdempotencyKeys.Fingerprint(submission.Dialect, request));

            // A retry of a create that went through: answered from the store, nothing uploaded again.
            if (await store.FindIdempotencyKeyAsync(submission.AccountId, idempotencyKey, time.GetUtcNow(), cancellationToken) is { } holder &&
                await ReplayAsync(submission, idempotency, holder, cancellationToken) is { } replayed)
            {
                return replayed;
            }
        }

        var draftInputs = new HashSet<string>(StringComparer.Ordinal);
        if (request.DraftTaskId is { } draftId)
        {
            var draft = await store.GetForAccountAsync(submission.AccountId, draftId, cancellationToken);
            if (DraftPromotion.Check(draftId, draft, names["draft_task"]) is { } draftProblem)
            {
                throw new SeedgateException(draftProblem);
            }

            request = DraftPromotion.Apply(request, draft!);
            draftInputs.UnionWith(draft!.Request.References.Select(r => r.Url).Where(u => u.StartsWith(BlobScheme, StringComparison.Ordinal)));
        }

        var problem = validator.Validate(request, names, out var validated);
        if (problem is not null)
        {
            throw new SeedgateException(problem);
        }

        if (validated!.Request.Priority > submission.MaxPriority)
        {
            throw new SeedgateException(SeedgateError.Invalid(
                names["priority"],
                $"{names["priority"]} may be at most {submission.MaxPriority} on this account's plan (got {validated.Request.Priority})."));
        }

        // Check every URL before writing anything (callbacks go out through the same network policy as fetches),
        // decoding each inline reference once.
        var normalized = validated!.Request with { UpscaleSmallImages = submission.UpscaleSmallImages };
        if (normalized.CallbackUrl is { } callback && fetcher.CheckUrl(callback, names["callback_url"]) is { } callbackProblem)
        {
            throw new SeedgateException(callbackProblem);
        }

        var inline = new (string Extension, byte[] Bytes)?[normalized.References.Count];
        for (var i = 0; i < inline.Length; i++)
        {
            var reference = normalized.References[i];
            if (DataUrl.IsDataUrl(reference.Url))
            {
                var (mediaType, bytes) = await DecodeDataUrlAsync(
                    reference, fetcher.Options.MaxBytesFor(reference.Kind), validated.Model.MinImageSide, normalized.UpscaleSmallImages, cancellationToken);
                inline[i] = (DataUrl.ExtensionFor(mediaType) ?? "bin", bytes);
            }
            else if (draftInputs.Contains(reference.Url))
            {
                // A promoted draft's stored input (a caller's own blob: URL fails the URL check below): the final keeps
                // its own copy, so it never depends on the draft's files.
                inline[i] = await ReadDraftInputAsync(reference, names["draft_task"], cancellationToken);
            }
            else if (fetcher.CheckUrl(reference.Url, reference.Param) is { } urlProblem)
            {
                throw new SeedgateException(urlProblem);
            }
        }

        var now = time.GetUtcNow();
        var id = JobIds.New(now);
        var references = new List<Reference>(inline.Length);
        for (var i = 0; i < inline.Length; i++)
        {
            var reference = normalized.References[i];
            if (inline[i] is var (extension, bytes))
            {
                var key = $"inputs/{id}/{i}.{extension}";
                await blobs.PutBytesAsync(key, bytes, cancellationToken);
                reference = reference with { Url = BlobScheme + key };
            }

            references.Add(reference);
        }

        var job = new Job
        {
            Id = id,
            AccountId = submission.AccountId,
            Status = JobStatus.Queued,
            Request = normalized with { References = references },
            RequestedModel = request.Model,
            CorrelationId = submission.CorrelationId,
            Dialect = submission.Dialect,
            Idempotency = idempotency,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now.AddSeconds(normalized.ExecutionExpiresAfter!.Value),
            Engine = validated.Model.Route.Engine,

            // The submit span (or the request's): every later span of the job is its child.
            TraceParent = System.Diagnostics.Activity.Current is { IdFormat: System.Diagnostics.ActivityIdFormat.W3C } current ? current.Id : null,
        };
        activity?.SetTag(SeedgateTelemetry.JobIdTag, id);
        try
        {
            await inserter.InsertAsync(job, cancellationToken);
        }
        catch (IdempotencyKeyTakenException taken)
        {
            // A concurrent create under the same key won the race: this one stored nothing but its inputs.
            await blobs.DeletePrefixAsync($"inputs/{id}/", CancellationToken.None);
            return await ReplayAsync(submission, idempotency!, taken.Holder, cancellationToken) ?? throw new SeedgateException(
                new SeedgateError(ErrorCodes.ServiceUnavailable, "The request raced with a deletion of its idempotent task; send it again.", Class: FailureClass.Transient));
        }

        signals.WorkQueued();
        signals.JobChanged(job.Id); // a new record: its job.queued deliveries go out now, not at the sender's next look
        SeedgateTelemetry.JobsSubmitted.Add(1, new KeyValuePair<string, object?>(SeedgateTelemetry.ModelTag, job.Request.Model));
        return job;
    }

    /// <summary>The job holding the key when the request is the same; a conflict when it differs; null when the job is gone.</summary>
    private async Task<Job?> ReplayAsync(
        Submission submission, JobIdempotency idempotency, JobIdempotencyHolder holder, CancellationToken cancellationToken)
    {
        if (!string.Equals(holder.RequestFingerprint, idempotency.RequestFingerprint, StringComparison.Ordinal))
        {
            throw new SeedgateException(new SeedgateError(
                ErrorCodes.IdempotencyKeyReused,
                $"{IdempotencyKeys.HeaderName} '{idempotency.Key}' was already used for a different request (task {holder.JobId}); " +
                "send a new key with a new request.",
                IdempotencyKeys.HeaderName));
        }

        return await store.GetForAccountAsync(submission.AccountId, holder.JobId, cancellationToken);
    }

    private async Task<(string Extension, byte[] Bytes)> ReadDraftInputAsync(Reference reference, string param, CancellationToken cancellationToken)
    {
        var key = reference.Url[BlobScheme.Length..];
        var stream = await blobs.OpenReadAsync(key, cancellationToken) ?? throw new SeedgateException(SeedgateError.Invalid(
            param, $"{param}: the draft's uploaded {reference.Kind.ToString().ToLowerInvariant()} is no longer kept; send the references again."));
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, cancellationToken);
            return (Path.GetExtension(key).TrimStart('.'), copy.ToArray());
        }
    }

    private async Task<(string MediaType, byte[] Bytes)> DecodeDataUrlAsync(
        Reference reference, long maxBytes, int minImageSide, bool upscale, CancellationToken cancellationToken)
    {
        if (!DataUrl.TryParse(reference.Url, maxBytes, out var mediaType, out var bytes, out var problem))
        {
            throw new SeedgateException(SeedgateError.Invalid(reference.Param, $"{reference.Param}: {problem}"));
        }

        if (!DataUrl.MatchesKind(mediaType, reference.Kind))
        {
            throw new SeedgateException(SeedgateError.Invalid(
                reference.Param, $"{reference.Param}: a {reference.Kind.ToString().ToLowerInvariant()} is expected, not {mediaType}."));
        }

        // The bytes are at hand: a picture of the wrong size is refused (or scaled up) now rather than after it was queued.
        return reference.Kind == ReferenceKind.Image
            ? await smallImages.ApplyAsync(mediaType, bytes, minImageSide, upscale, reference.Param, cancellationToken)
            : (mediaType, bytes);
    }
}
