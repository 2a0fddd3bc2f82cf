using Seedgate.Core.Catalog;
using Seedgate.Core.Generation;
using Seedgate.Core.Media;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Jobs;

/// <summary>
/// Accepts a canonical request for an account: validates it, checks reference URLs without touching the
/// network, moves inline (data:) references into blob storage so job rows stay small, and stores the job.
/// </summary>
public sealed class JobSubmitter(
    RequestValidator validator,
    JobInserter inserter,
    IBlobStore blobs,
    ReferenceFetcher fetcher,
    JobSignals signals,
    TimeProvider time)
{
    /// <summary>Blob references in stored requests use this scheme: blob:inputs/cgt-…/0.png.</summary>
    public const string BlobScheme = "blob:";

    public async Task<Job> SubmitAsync(
        string accountId, GenerationRequest request, ParamNames names, string? correlationId, CancellationToken cancellationToken)
    {
        var problem = validator.Validate(request, names, out var validated);
        if (problem is not null)
        {
            throw new SeedgateException(problem);
        }

        // Check every reference before writing anything, decoding each inline one once.
        var normalized = validated!.Request;
        var inline = new (string MediaType, byte[] Bytes)?[normalized.References.Count];
        for (var i = 0; i < inline.Length; i++)
        {
            var reference = normalized.References[i];
            if (DataUrl.IsDataUrl(reference.Url))
            {
                inline[i] = DecodeDataUrl(reference, fetcher.Options.MaxBytesFor(reference.Kind));
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
            if (inline[i] is var (mediaType, bytes))
            {
                var key = $"inputs/{id}/{i}.{DataUrl.ExtensionFor(mediaType) ?? "bin"}";
                await blobs.PutBytesAsync(key, bytes, cancellationToken);
                reference = reference with { Url = BlobScheme + key };
            }

            references.Add(reference);
        }

        var job = new Job
        {
            Id = id,
            AccountId = accountId,
            Status = JobStatus.Queued,
            Request = normalized with { References = references },
            RequestedModel = request.Model,
            CorrelationId = correlationId,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now.AddSeconds(normalized.ExecutionExpiresAfter!.Value),
            Engine = validated.Model.Route.Engine,
        };
        await inserter.InsertAsync(job, cancellationToken);
        signals.WorkQueued();
        return job;
    }

    private static (string MediaType, byte[] Bytes) DecodeDataUrl(Reference reference, long maxBytes)
    {
        if (!DataUrl.TryParse(reference.Url, maxBytes, out var mediaType, out var bytes, out var problem))
        {
            throw new SeedgateException(SeedgateError.Invalid(reference.Param, $"{reference.Param}: {problem}"));
        }

        return DataUrl.MatchesKind(mediaType, reference.Kind)
            ? (mediaType, bytes)
            : throw new SeedgateException(SeedgateError.Invalid(
                reference.Param, $"{reference.Param}: a {reference.Kind.ToString().ToLowerInvariant()} is expected, not {mediaType}."));
    }
}
