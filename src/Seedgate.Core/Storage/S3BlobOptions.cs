using Microsoft.Extensions.Options;

namespace Seedgate.Core.Storage;

/// <summary>
/// Where <see cref="S3BlobStore"/> keeps blobs (configuration section <c>Seedgate:Blobs:S3</c>). Any S3-compatible
/// service works: AWS S3, MinIO, Ceph RGW, s3rver in tests.
/// </summary>
public sealed class S3BlobOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Seedgate:Blobs:S3";

    /// <summary>
    /// The service's base URL, e.g. <c>http://127.0.0.1:4569</c> or <c>https://minio.internal:9000</c>. Empty means
    /// AWS S3 itself, at the endpoint of <see cref="Region"/>.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The bucket (3–63 characters: a-z, 0-9, '-', '.'); must exist, or be created by <see cref="S3BlobStore.EnsureBucketAsync"/>.</summary>
    public string Bucket { get; set; } = "";

    /// <summary>
    /// Optional: every object key starts with this (e.g. <c>seedgate/prod</c>), so several installations can share a
    /// bucket. Same character rules as blob keys; a trailing '/' is added when missing.
    /// </summary>
    public string? Prefix { get; set; }

    /// <summary>Access key id. Leave both keys empty to use the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret access key; set together with <see cref="AccessKey"/> or not at all.</summary>
    public string? SecretKey { get; set; }

    /// <summary>The signing region (and the endpoint's region when <see cref="ServiceUrl"/> is empty).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>
    /// Path-style URLs (<c>http://host/bucket/key</c>) rather than virtual-host style (<c>http://bucket.host/key</c>);
    /// most self-hosted services need path style.
    /// </summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Every problem with these options, each a sentence naming the configuration key; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(ServiceUrl)
            && (!Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            problems.Add($"{SectionName}:ServiceUrl must be an absolute http(s) URL such as http://127.0.0.1:4569 (got '{ServiceUrl}').");
        }

        if (BucketProblem(Bucket) is { } bucketProblem)
        {
            problems.Add($"{SectionName}:Bucket {bucketProblem} (got '{Bucket}').");
        }

        if (!string.IsNullOrEmpty(Prefix) && BlobKeys.Problem(Prefix.TrimEnd('/')) is { } prefixProblem)
        {
            problems.Add($"{SectionName}:Prefix is invalid: {prefixProblem} (got '{Prefix}').");
        }

        if (string.IsNullOrWhiteSpace(AccessKey) != string.IsNullOrWhiteSpace(SecretKey))
        {
            problems.Add($"{SectionName}:AccessKey and {SectionName}:SecretKey must be set together (or neither, to use the AWS environment variables).");
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            problems.Add($"{SectionName}:Region must not be empty (e.g. us-east-1).");
        }

        return problems;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem, if there is any.</summary>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(SectionName, typeof(S3BlobOptions), problems);
        }
    }

    /// <summary>The prefix every object key starts with: "" or "a/b/".</summary>
    internal string NormalizedPrefix => string.IsNullOrEmpty(Prefix) ? "" : Prefix.TrimEnd('/') + "/";

    // The rules AWS enforces for new buckets; most S3-compatible services follow them.
    private static string? BucketProblem(string? bucket)
    {
        if (string.IsNullOrEmpty(bucket))
        {
            return "is required";
        }

        if (bucket.Length is < 3 or > 63)
        {
            return "must be 3–63 characters long";
        }

        foreach (var c in bucket)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.'))
            {
                return $"may only contain a-z, 0-9, '-' and '.', not '{c}'";
            }
        }

        if (!char.IsAsciiLetterOrDigit(bucket[0]) || !char.IsAsciiLetterOrDigit(bucket[^1]))
        {
            return "must start and end with a letter or digit";
        }

        return bucket.Contains("..", StringComparison.Ordinal) ? "must not contain '..'" : null;
    }
}

/// <summary>Start-up validation for <see cref="S3BlobOptions"/> (register with <c>ValidateOnStart</c>).</summary>
internal sealed class S3BlobOptionsValidator : IValidateOptions<S3BlobOptions>
{
    public ValidateOptionsResult Validate(string? name, S3BlobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
