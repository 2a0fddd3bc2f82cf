using System.Text;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Tests.Blobs;

public sealed class LocalDiskBlobStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("seedgate-blobs-").FullName;
    private readonly LocalDiskBlobStore _store;

    public LocalDiskBlobStoreTests() => _store = new LocalDiskBlobStore(Path.Combine(_root, "store"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Bytes_round_trip()
    {
        await _store.PutBytesAsync("outputs/cgt-1/video.mp4", "hello"u8.ToArray(), default);

        Assert.Equal("hello", await ReadAsync("outputs/cgt-1/video.mp4"));
        Assert.Equal(Path.Combine(_store.RootDirectory, "outputs", "cgt-1", "video.mp4"), _store.TryGetLocalPath("outputs/cgt-1/video.mp4"));
    }

    [Fact]
    public async Task Files_round_trip_through_put_and_copy()
    {
        var source = Path.Combine(_root, "source.bin");
        var content = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        await File.WriteAllBytesAsync(source, content);

        await _store.PutFileAsync("inputs/cgt-2/ref-0.png", source, default);
        var copy = Path.Combine(_root, "work", "nested", "ref.png");
        Assert.True(await _store.CopyToFileAsync("inputs/cgt-2/ref-0.png", copy, default));

        Assert.Equal(content, await File.ReadAllBytesAsync(copy));
        Assert.True(File.Exists(source)); // a copy, not a move
        Assert.Equal(new[] { copy }, Directory.GetFiles(Path.GetDirectoryName(copy)!));

        // Copying again replaces the earlier copy.
        await _store.PutBytesAsync("inputs/cgt-2/ref-0.png", "v2"u8.ToArray(), default);
        Assert.True(await _store.CopyToFileAsync("inputs/cgt-2/ref-0.png", copy, default));
        Assert.Equal("v2"u8.ToArray(), await File.ReadAllBytesAsync(copy));
    }

    [Fact]
    public async Task Missing_blobs_are_null_or_false()
    {
        Assert.Null(await _store.OpenReadAsync("outputs/none/video.mp4", default));
        Assert.False(await _store.CopyToFileAsync("outputs/none/video.mp4", Path.Combine(_root, "x"), default));
        Assert.False(File.Exists(Path.Combine(_root, "x")));
        Assert.Null(_store.TryGetLocalPath("outputs/none/video.mp4"));
    }

    [Fact]
    public async Task A_put_replaces_atomically_and_an_open_reader_keeps_the_old_version()
    {
        await _store.PutBytesAsync("outputs/cgt-3/video.mp4", "old version"u8.ToArray(), default);
        await using var reader = await _store.OpenReadAsync("outputs/cgt-3/video.mp4", default);

        await _store.PutBytesAsync("outputs/cgt-3/video.mp4", "new"u8.ToArray(), default);

        Assert.Equal("new", await ReadAsync("outputs/cgt-3/video.mp4"));
        using var old = new StreamReader(reader!);
        Assert.Equal("old version", await old.ReadToEndAsync());
        Assert.Equal(["video.mp4"], Directory.GetFiles(Path.Combine(_store.RootDirectory, "outputs", "cgt-3")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_failed_put_leaves_the_old_blob_and_no_temporary_file()
    {
        await _store.PutBytesAsync("outputs/cgt-4/video.mp4", "old"u8.ToArray(), default);

        await Assert.ThrowsAnyAsync<IOException>(
            () => _store.PutFileAsync("outputs/cgt-4/video.mp4", Path.Combine(_root, "does-not-exist"), default));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _store.PutBytesAsync("outputs/cgt-4/video.mp4", new byte[10], cancelled.Token));

        Assert.Equal("old", await ReadAsync("outputs/cgt-4/video.mp4"));
        Assert.Single(Directory.GetFiles(Path.Combine(_store.RootDirectory, "outputs", "cgt-4")));
    }

    [Fact]
    public async Task The_read_stream_is_seekable_for_ranges()
    {
        var content = Enumerable.Range(0, 10_000).Select(i => (byte)(i % 251)).ToArray();
        await _store.PutBytesAsync("outputs/cgt-5/video.mp4", content, default);

        await using var stream = await _store.OpenReadAsync("outputs/cgt-5/video.mp4", default);

        Assert.NotNull(stream);
        Assert.True(stream.CanSeek);
        Assert.Equal(content.Length, stream.Length);
        stream.Seek(5000, SeekOrigin.Begin);
        var range = new byte[100];
        await stream.ReadExactlyAsync(range);
        Assert.Equal(content.AsSpan(5000, 100).ToArray(), range);
        stream.Position = 9_990;
        Assert.Equal(10, await stream.ReadAsync(new byte[100]));
    }

    [Fact]
    public async Task Two_readers_may_read_at_once()
    {
        await _store.PutBytesAsync("outputs/cgt-6/a.png", "x"u8.ToArray(), default);

        await using var first = await _store.OpenReadAsync("outputs/cgt-6/a.png", default);
        await using var second = await _store.OpenReadAsync("outputs/cgt-6/a.png", default);

        Assert.NotNull(first);
        Assert.NotNull(second);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/outputs/a.mp4")]
    [InlineData("outputs/../../etc/passwd")]
    [InlineData("..")]
    [InlineData("outputs/..")]
    [InlineData("outputs//a.mp4")]
    [InlineData("outputs/a.mp4/")]
    [InlineData("outputs/./a.mp4")]
    [InlineData("Outputs/a.mp4")]
    [InlineData("outputs\\a.mp4")]
    [InlineData("outputs/a b.mp4")]
    [InlineData("outputs/a~.mp4")]
    [InlineData("outputs/ä.mp4")]
    [InlineData("outputs/a.mp4\0")]
    public async Task Bad_keys_are_refused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.PutBytesAsync(key, "x"u8.ToArray(), default));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(key, default));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.CopyToFileAsync(key, Path.Combine(_root, "x"), default));
        Assert.Throws<ArgumentException>(() => _store.TryGetLocalPath(key));
        Assert.Empty(Directory.GetFileSystemEntries(_store.RootDirectory));
    }

    [Fact]
    public async Task Delete_prefix_removes_exactly_the_matching_keys()
    {
        string[] keys =
        [
            "outputs/cgt-1/video.mp4", "outputs/cgt-1/last_frame.png", "outputs/cgt-12/video.mp4",
            "outputs/cgt-2/video.mp4", "inputs/cgt-1/ref-0.png",
        ];
        foreach (var key in keys)
        {
            await _store.PutBytesAsync(key, "x"u8.ToArray(), default);
        }

        await _store.DeletePrefixAsync("outputs/cgt-1/", default);

        Assert.Null(_store.TryGetLocalPath("outputs/cgt-1/video.mp4"));
        Assert.Null(_store.TryGetLocalPath("outputs/cgt-1/last_frame.png"));
        Assert.False(Directory.Exists(Path.Combine(_store.RootDirectory, "outputs", "cgt-1")));
        Assert.NotNull(_store.TryGetLocalPath("outputs/cgt-12/video.mp4"));
        Assert.NotNull(_store.TryGetLocalPath("outputs/cgt-2/video.mp4"));
        Assert.NotNull(_store.TryGetLocalPath("inputs/cgt-1/ref-0.png"));

        // A plain string prefix, as the interface says: "outputs/cgt-1" also covers "outputs/cgt-12/…".
        await _store.DeletePrefixAsync("outputs/cgt-1", default);
        Assert.Null(_store.TryGetLocalPath("outputs/cgt-12/video.mp4"));
        Assert.NotNull(_store.TryGetLocalPath("outputs/cgt-2/video.mp4"));

        await _store.DeletePrefixAsync("nothing/here/", default);
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeletePrefixAsync("", default));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeletePrefixAsync("../", default));
    }

    private async Task<string> ReadAsync(string key)
    {
        await using var stream = await _store.OpenReadAsync(key, default);
        Assert.NotNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
