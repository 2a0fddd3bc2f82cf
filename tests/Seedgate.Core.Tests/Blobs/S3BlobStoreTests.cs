using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Tests.Blobs;

/// <summary>
/// The blob store compliance suite on S3 (s3rver): one bucket per class, a fresh key prefix per test. The stores use
/// a 64 KiB read-ahead and 7-key list pages so the suite's boundary and paging cases cost few bytes.
/// </summary>
public sealed class S3BlobStoreTests(S3TestServer server) : BlobStoreCompliance, IClassFixture<S3TestServer>
{
    private const int SmallReadAhead = 64 * 1024;
    private const int SmallPage = 7;

    private readonly string _prefix = $"t-{Guid.NewGuid():N}";

    protected override int ReadBoundary => SmallReadAhead;

    protected override Task<IBlobStore> CreateStoreAsync() =>
        Task.FromResult<IBlobStore>(new S3BlobStore(server.Options(_prefix), SmallPage, SmallReadAhead));

    [Fact]
    public async Task Two_nodes_share_outputs()
    {
        // Two gateway nodes: separate clients, same bucket, production settings.
        using var nodeA = new S3BlobStore(server.Options(_prefix));
        using var nodeB = new S3BlobStore(server.Options(_prefix));
        var video = Pattern((3 * 1024 * 1024) + 1, seed: 11);
        var source = Path.Combine(Scratch, "video.mp4");
        await File.WriteAllBytesAsync(source, video);

        await nodeA.PutFileAsync("outputs/cgt-a/video.mp4", source, default);
        await nodeA.PutBytesAsync("outputs/cgt-a/last_frame.png", "png"u8.ToArray(), default);

        // Node B serves the download node A's link points at, Range requests included.
        await using (var stream = await nodeB.OpenReadAsync("outputs/cgt-a/video.mp4", default))
        {
            Assert.NotNull(stream);
            Assert.Equal(video.Length, stream.Length);
            stream.Position = 2_000_000;
            var range = new byte[1000];
            await stream.ReadExactlyAsync(range);
            Assert.Equal(video.AsSpan(2_000_000, 1000).ToArray(), range);
        }

        var copy = Path.Combine(Scratch, "b", "video.mp4");
        Assert.True(await nodeB.CopyToFileAsync("outputs/cgt-a/video.mp4", copy, default));
        Assert.Equal(video, await File.ReadAllBytesAsync(copy));

        // Retention on node B removes what node A wrote.
        await nodeB.DeletePrefixAsync("outputs/cgt-a/", default);
        Assert.Null(await nodeA.OpenReadAsync("outputs/cgt-a/video.mp4", default));
        Assert.Null(await nodeA.OpenReadAsync("outputs/cgt-a/last_frame.png", default));
    }

    [Fact]
    public async Task Objects_live_under_the_prefix_with_a_content_type()
    {
        var store = await StoreAsync();
        await store.PutBytesAsync("outputs/cgt-c/video.mp4", "v"u8.ToArray(), default);
        await store.PutBytesAsync("outputs/cgt-c/last_frame.png", "p"u8.ToArray(), default);
        await store.PutBytesAsync("inputs/cgt-c/ref-0.bin", "b"u8.ToArray(), default);

        Assert.Equal(
            [$"{_prefix}/inputs/cgt-c/ref-0.bin", $"{_prefix}/outputs/cgt-c/last_frame.png", $"{_prefix}/outputs/cgt-c/video.mp4"],
            (await server.ListKeysAsync(_prefix + "/")).Order(StringComparer.Ordinal));
        Assert.Equal("video/mp4", await ContentTypeAsync($"{_prefix}/outputs/cgt-c/video.mp4"));
        Assert.Equal("image/png", await ContentTypeAsync($"{_prefix}/outputs/cgt-c/last_frame.png"));
        Assert.Equal("application/octet-stream", await ContentTypeAsync($"{_prefix}/inputs/cgt-c/ref-0.bin"));
    }

    [Fact]
    public async Task Prefixes_keep_installations_apart()
    {
        using var one = new S3BlobStore(server.Options($"{_prefix}/one"));
        using var two = new S3BlobStore(server.Options($"{_prefix}/two/")); // a trailing '/' is the same prefix
        await one.PutBytesAsync("outputs/cgt-1/video.mp4", "one"u8.ToArray(), default);
        await two.PutBytesAsync("outputs/cgt-1/video.mp4", "two"u8.ToArray(), default);

        await one.DeletePrefixAsync("outputs/", default);

        Assert.Null(await one.OpenReadAsync("outputs/cgt-1/video.mp4", default));
        Assert.Equal("two", await ReadTextAsync(two, "outputs/cgt-1/video.mp4"));
        Assert.Equal([$"{_prefix}/two/outputs/cgt-1/video.mp4"], await server.ListKeysAsync(_prefix + "/"));
    }

    [Fact]
    public async Task A_full_download_takes_a_handful_of_requests()
    {
        using var store = new S3BlobStore(server.Options(_prefix)); // the default 1 MiB read-ahead
        var video = Pattern((3 * 1024 * 1024) + 7, seed: 12);
        await store.PutBytesAsync("outputs/cgt-d/video.mp4", video, default);
        var requests = 0;
        ((AmazonS3Client)store.Client).BeforeRequestEvent += (_, _) => Interlocked.Increment(ref requests);

        await using (var stream = await store.OpenReadAsync("outputs/cgt-d/video.mp4", default))
        {
            Assert.NotNull(stream);
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy, 81920); // ASP.NET's copy loop asks for 64–80 KiB at a time
            Assert.Equal(video, copy.ToArray());
        }

        Assert.Equal(1 + 4, requests); // one HEAD, then four 1 MiB ranges
    }

    [Fact]
    public async Task A_missing_bucket_is_an_error_not_a_missing_blob_until_ensured()
    {
        var bucket = $"seedgate-missing-{Guid.NewGuid():N}"[..30];
        using var store = new S3BlobStore(server.Options(prefix: null, bucket));

        var missing = await Assert.ThrowsAsync<IOException>(
            () => store.CopyToFileAsync("outputs/cgt-e/video.mp4", Path.Combine(Scratch, "x"), default));
        Assert.Contains("outputs/cgt-e/video.mp4", missing.Message, StringComparison.Ordinal);
        Assert.Contains("NoSuchBucket", missing.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<IOException>(() => store.PutBytesAsync("outputs/cgt-e/video.mp4", "x"u8.ToArray(), default));

        try
        {
            await store.EnsureBucketAsync(default);
            await store.EnsureBucketAsync(default); // idempotent
            using var otherNode = new S3BlobStore(server.Options(prefix: null, bucket));
            await otherNode.EnsureBucketAsync(default);

            await store.PutBytesAsync("outputs/cgt-e/video.mp4", "x"u8.ToArray(), default);
            Assert.Equal("x", await ReadTextAsync(otherNode, "outputs/cgt-e/video.mp4"));
        }
        finally
        {
            await S3TestServer.DeleteBucketAsync(store.Client, bucket);
        }
    }

    [Fact]
    public async Task S3_failures_name_the_key()
    {
        var options = server.Options(_prefix);
        options.AccessKey = "NOT-S3RVER"; // s3rver checks the key id (it does not verify v4 signatures)
        using var store = new S3BlobStore(options);

        var put = await Assert.ThrowsAsync<IOException>(
            () => store.PutBytesAsync("outputs/cgt-f/video.mp4", "x"u8.ToArray(), default));
        Assert.Contains("'outputs/cgt-f/video.mp4'", put.Message, StringComparison.Ordinal);
        Assert.Contains("403", put.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<AmazonServiceException>(put.InnerException);

        var copy = await Assert.ThrowsAsync<IOException>(
            () => store.CopyToFileAsync("outputs/cgt-f/video.mp4", Path.Combine(Scratch, "x"), default));
        Assert.Contains("'outputs/cgt-f/video.mp4'", copy.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Scratch, "x")));
    }

    private async Task<string> ContentTypeAsync(string objectKey)
    {
        var metadata = await server.Client.GetObjectMetadataAsync(
            new GetObjectMetadataRequest { BucketName = server.Bucket, Key = objectKey });
        return metadata.Headers.ContentType;
    }
}
