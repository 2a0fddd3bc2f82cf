using Amazon.S3;
using Amazon.S3.Model;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Tests.Blobs;

/// <summary>
/// A fresh bucket on the S3-compatible server named by <c>SEEDGATE_TEST_S3</c> (s3rver, started by test.sh through
/// scripts/s3rver.sh) for one test class; the bucket and everything in it are deleted afterwards. Without the
/// variable every S3 test fails with a message saying how to start the server: a silent skip would let a broken S3
/// store pass unnoticed.
/// </summary>
public sealed class S3TestServer : IAsyncLifetime, IDisposable
{
    public const string UrlVariable = "SEEDGATE_TEST_S3";

    private S3BlobStore? _admin;

    public string ServiceUrl { get; private set; } = "";

    public string Bucket { get; } = $"seedgate-test-{Guid.NewGuid():N}"[..32];

    public string AccessKey { get; private set; } = "";

    public string SecretKey { get; private set; } = "";

    /// <summary>The fixture's own store (no prefix), for raw access to the bucket through its client.</summary>
    public IAmazonS3 Client => _admin!.Client;

    public async Task InitializeAsync()
    {
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            var onCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
            throw new InvalidOperationException(onCi
                ? $"{UrlVariable} is not set on CI: the S3 blob-store tests must run through ./test.sh, which starts s3rver "
                  + "(scripts/s3rver.sh) and exports it."
                : $"{UrlVariable} is not set, so there is no S3 server for the S3 blob-store tests. Run ./test.sh, or start "
                  + "one in your shell first: source scripts/s3rver.sh && s3rver_start   (then dotnet test …; s3rver_stop when done).");
        }

        ServiceUrl = url;
        AccessKey = Environment.GetEnvironmentVariable("SEEDGATE_TEST_S3_ACCESS_KEY") is { Length: > 0 } access ? access : "S3RVER";
        SecretKey = Environment.GetEnvironmentVariable("SEEDGATE_TEST_S3_SECRET_KEY") is { Length: > 0 } secret ? secret : "S3RVER";
        _admin = new S3BlobStore(Options(prefix: null));
        await _admin.EnsureBucketAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_admin is null)
        {
            return;
        }

        await DeleteBucketAsync(_admin.Client, Bucket);
    }

    public void Dispose() => _admin?.Dispose();

    public S3BlobOptions Options(string? prefix, string? bucket = null) => new()
    {
        ServiceUrl = ServiceUrl,
        Bucket = bucket ?? Bucket,
        Prefix = prefix,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
    };

    /// <summary>Every object key in the bucket (all pages).</summary>
    public async Task<List<string>> ListKeysAsync(string prefix = "")
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix };
        ListObjectsV2Response page;
        do
        {
            page = await Client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        return keys;
    }

    public static async Task DeleteBucketAsync(IAmazonS3 client, string bucket)
    {
        while (true)
        {
            var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
            if (page.S3Objects is not { Count: > 0 } objects)
            {
                break;
            }

            await client.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = bucket,
                Objects = objects.Select(o => new KeyVersion { Key = o.Key }).ToList(),
            });
        }

        await client.DeleteBucketAsync(bucket);
    }
}
