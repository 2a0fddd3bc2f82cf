using System.Net;
using System.Runtime.InteropServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Seedgate.Core.Storage;

/// <summary>
/// Blobs as objects in an S3-compatible bucket: key <c>outputs/cgt-1/video.mp4</c> is the object
/// <c>{Prefix}outputs/cgt-1/video.mp4</c>. Several gateway nodes pointed at the same bucket share outputs, so a
/// download link signed by one node is served by any node. A put is one PutObject, which S3 makes visible
/// atomically: readers see the old object or the new one, never half of one.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    /// <summary>How much one ranged GET of a read stream fetches: a full download of a 20 MB video is 20 requests.</summary>
    internal const int DefaultReadAheadBytes = 1 << 20;

    // S3 lists and deletes at most 1000 keys per request.
    private const int MaxKeysPerRequest = 1000;
    private const int BufferSize = 81920;

    // Temporary files carry '~', a character keys may not contain (as in LocalDiskBlobStore).
    private const string TempMarker = "~";

    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly int _listPageSize;
    private readonly int _readAheadBytes;

    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid; the message lists every problem.</exception>
    public S3BlobStore(S3BlobOptions options)
        : this(options, MaxKeysPerRequest, DefaultReadAheadBytes)
    {
    }

    /// <param name="listPageSize">Keys per list/delete round trip (tests make it small to cover paging).</param>
    /// <param name="readAheadBytes">Bytes per ranged GET of a read stream (tests make it small to cover its edges).</param>
    internal S3BlobStore(S3BlobOptions options, int listPageSize, int readAheadBytes)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(listPageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(listPageSize, MaxKeysPerRequest);
        ArgumentOutOfRangeException.ThrowIfLessThan(readAheadBytes, 1);
        options.Validate();

        _bucket = options.Bucket;
        _prefix = options.NormalizedPrefix;
        _listPageSize = listPageSize;
        _readAheadBytes = readAheadBytes;

        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,

            // AWSSDK v4 defaults to WHEN_SUPPORTED: a CRC32 computed for every upload and checked on downloads that
            // carry one. Checksums go only where the API demands them (DeleteObjects): S3-compatible services differ in
            // which x-amz-checksum-* headers and trailers they accept, and SigV4 already signs each upload's SHA-256
            // (see UseChunkEncoding in PutAsync, the setting s3rver actually needs).
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }

        // Without explicit keys the SDK's default chain applies: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
        // (and AWS_SESSION_TOKEN), then the shared profile, then an instance or task role.
        _client = string.IsNullOrWhiteSpace(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    /// <summary>The bucket holding the blobs.</summary>
    public string Bucket => _bucket;

    /// <summary>For tests: the client, to create and remove buckets around them.</summary>
    internal IAmazonS3 Client => _client;

    /// <summary>
    /// Creates the bucket when it does not exist (call once at start-up). Idempotent, and safe when several nodes
    /// start at once.
    /// </summary>
    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (await BucketExistsAsync(cancellationToken))
        {
            return;
        }

        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = _bucket }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            // Another node created it meanwhile (BucketAlreadyOwnedByYou, or BucketAlreadyExists from s3rver), or
            // somebody else owns that name: only the first is fine.
            if (!await BucketExistsAsync(cancellationToken))
            {
                throw new IOException($"Creating the S3 bucket '{_bucket}' failed: {Describe(ex)}", ex);
            }
        }
        catch (Exception ex) when (IsS3Failure(ex))
        {
            throw new IOException($"Creating the S3 bucket '{_bucket}' failed: {Describe(ex)}", ex);
        }
    }

    public async Task PutFileAsync(string key, string sourcePath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePath);
        BlobKeys.Validate(key);
        await using var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        await PutAsync(key, source, cancellationToken);
    }

    public async Task MoveFileAsync(string key, string sourcePath, CancellationToken cancellationToken)
    {
        await PutFileAsync(key, sourcePath, cancellationToken);
        File.Delete(sourcePath);
    }

    public async Task PutBytesAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        using var source = MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
        await PutAsync(key, source, cancellationToken);
    }

    /// <summary>
    /// A seekable stream over the object: its length comes from one HEAD, and reads fetch ranges of up to 1 MiB at the
    /// position. If the object is replaced or deleted while the stream is open, a later read fails with an
    /// <see cref="IOException"/> rather than mixing two versions.
    /// </summary>
    public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        BlobKeys.Validate(key);
        GetObjectMetadataResponse metadata;
        try
        {
            metadata = await _client.GetObjectMetadataAsync(
                new GetObjectMetadataRequest { BucketName = _bucket, Key = ObjectKey(key) }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // A HEAD has no error body, so a missing bucket looks the same; EnsureBucketAsync at start-up covers that.
            return null;
        }
        catch (Exception ex) when (IsS3Failure(ex))
        {
            throw Failure("HEAD", key, ex);
        }

        return new S3ReadStream(this, key, metadata.ContentLength, metadata.ETag, _readAheadBytes);
    }

    public async Task<bool> CopyToFileAsync(string key, string destinationPath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        BlobKeys.Validate(key);
        var destination = Path.GetFullPath(destinationPath);

        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(
                new GetObjectRequest { BucketName = _bucket, Key = ObjectKey(key) }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (IsNoSuchKey(ex))
        {
            return false;
        }
        catch (Exception ex) when (IsS3Failure(ex))
        {
            throw Failure("GET", key, ex);
        }

        using (response)
        {
            // Temp file and rename, so an engine never opens a half-copied input after a cancellation or a broken connection.
            var directory = Path.GetDirectoryName(destination)!;
            Directory.CreateDirectory(directory);
            var temp = Path.Combine(directory, $"{TempMarker}{Path.GetFileName(destination)}.{Guid.NewGuid():N}.tmp");
            try
            {
                await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
                {
                    await response.ResponseStream.CopyToAsync(target, BufferSize, cancellationToken);
                }

                File.Move(temp, destination, overwrite: true);
            }
            catch (Exception ex)
            {
                TryDelete(temp);
                if (ex is HttpRequestException or AmazonClientException or AmazonServiceException)
                {
                    throw Failure("GET", key, ex);
                }

                throw;
            }
        }

        return true;
    }

    /// <summary>
    /// Deletes every blob whose key starts with <paramref name="prefix"/> (plain string prefix, as in
    /// <see cref="LocalDiskBlobStore.DeletePrefixAsync"/>: "outputs/cgt-1" also matches "outputs/cgt-12/…"). An empty
    /// prefix is refused rather than taken as "everything".
    /// </summary>
    public async Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        BlobKeys.ValidatePrefix(prefix);
        string? startAfter = null;
        try
        {
            while (true)
            {
                // Paged by StartAfter (the last key seen) rather than by continuation token: a key-based cursor stays
                // meaningful while the keys behind it are being deleted, on every implementation.
                var page = await _client.ListObjectsV2Async(
                    new ListObjectsV2Request
                    {
                        BucketName = _bucket,
                        Prefix = ObjectKey(prefix),
                        MaxKeys = _listPageSize,
                        StartAfter = startAfter,
                    },
                    cancellationToken);
                var objects = page.S3Objects; // null, not empty, when nothing matched (AWSSDK v4)
                if (objects is null || objects.Count == 0)
                {
                    return;
                }

                await _client.DeleteObjectsAsync(
                    new DeleteObjectsRequest
                    {
                        BucketName = _bucket,
                        Quiet = true,
                        Objects = objects.Select(o => new KeyVersion { Key = o.Key }).ToList(),
                    },
                    cancellationToken);

                if (page.IsTruncated != true)
                {
                    return;
                }

                startAfter = objects[^1].Key;
            }
        }
        catch (DeleteObjectsException ex)
        {
            var errors = ex.Response?.DeleteErrors ?? [];
            var first = errors.Count > 0 ? $"'{errors[0].Key}': {errors[0].Code} {errors[0].Message}" : ex.Message;
            throw new IOException(
                $"S3 delete of blobs under '{prefix}' (bucket '{_bucket}') failed for {errors.Count} key(s), first {first}", ex);
        }
        catch (Exception ex) when (IsS3Failure(ex))
        {
            throw new IOException($"S3 delete of blobs under '{prefix}' (bucket '{_bucket}') failed: {Describe(ex)}", ex);
        }
    }

    public void Dispose() => _client.Dispose();

    internal string ObjectKey(string key) => _prefix + key;

    /// <summary>A ranged GET for <see cref="S3ReadStream"/>; the caller disposes the response.</summary>
    internal async Task<GetObjectResponse> GetRangeAsync(string key, long first, long last, string? etag, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetObjectAsync(
                new GetObjectRequest
                {
                    BucketName = _bucket,
                    Key = ObjectKey(key),
                    ByteRange = new ByteRange(first, last),

                    // If-Match: S3 answers 412 once the object was replaced. s3rver ignores it, so the stream also
                    // compares the ETag of every response.
                    EtagToMatch = etag,
                },
                cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed || IsNoSuchKey(ex))
        {
            throw new IOException(
                $"The blob '{key}' was replaced or deleted while it was being read (bucket '{_bucket}'); open it again.", ex);
        }
        catch (Exception ex) when (IsS3Failure(ex))
        {
            throw Failure($"GET bytes {first}-{last}", key, ex);
        }
    }

    internal IOException Failure(string operation, string key, Exception inner) =>
        new($"S3 {operation} of blob '{key}' (bucket '{_bucket}', object '{ObjectKey(key)}') failed: {Describe(inner)}", inner);

    internal static bool IsS3Failure(Exception ex) =>
        ex is AmazonServiceException or AmazonClientException or HttpRequestException;

    private static string Describe(Exception ex) => ex is AmazonServiceException service
        ? $"{(int)service.StatusCode} {service.ErrorCode}: {service.Message}"
        : ex.Message;

    // GET says NoSuchKey; a 404 that says NoSuchBucket is a configuration error and must not read as "no blob".
    private static bool IsNoSuchKey(AmazonS3Exception ex) =>
        ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket";

    private async Task<bool> BucketExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.HeadBucketAsync(new HeadBucketRequest { BucketName = _bucket }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (Exception ex) when (IsS3Failure(ex))
        {
            throw new IOException($"Checking the S3 bucket '{_bucket}' failed: {Describe(ex)}", ex);
        }
    }

    private async Task PutAsync(string key, Stream source, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = ObjectKey(key),
            InputStream = source,
            AutoCloseStream = false,
            ContentType = ContentTypeOf(key),

            // AWSSDK's default is an aws-chunked body (each chunk signed); s3rver 3.7.1 does not decode it and stores
            // the chunk framing as the object (measured: every round trip came back corrupted). A plain body signed with
            // its SHA-256 works on every S3-compatible service, at the price of hashing the payload before sending it.
            UseChunkEncoding = false,
        };
        try
        {
            await _client.PutObjectAsync(request, cancellationToken);
        }
        catch (Exception ex) when (IsS3Failure(ex))
        {
            throw Failure("PUT", key, ex);
        }
    }

    private static string ContentTypeOf(string key) => Path.GetExtension(key) switch
    {
        ".mp4" => "video/mp4",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort; the original failure is the one worth reporting.
        }
    }
}
