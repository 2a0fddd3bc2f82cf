using System.Text;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Tests.Blobs;

/// <summary>What only the local-disk store does (the shared contract is in <see cref="BlobStoreCompliance"/>).</summary>
public sealed class LocalDiskBlobStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("seedgate-blobs-").FullName;
    private readonly LocalDiskBlobStore _store;

    public LocalDiskBlobStoreTests() => _store = new LocalDiskBlobStore(Path.Combine(_root, "store"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_key_is_a_file_under_the_root()
    {
        await _store.PutBytesAsync("outputs/cgt-1/video.mp4", "hello"u8.ToArray(), default);

        Assert.Equal("hello", await ReadAsync("outputs/cgt-1/video.mp4"));
        Assert.Equal(Path.Combine(_store.RootDirectory, "outputs", "cgt-1", "video.mp4"), _store.TryGetLocalPath("outputs/cgt-1/video.mp4"));
    }

    [Fact]
    public async Task Missing_blobs_have_no_local_path()
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

    [Theory]
    [MemberData(nameof(BlobStoreCompliance.BadKeys), MemberType = typeof(BlobStoreCompliance))]
    public async Task Bad_keys_are_refused_before_touching_the_disk(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.PutBytesAsync(key, "x"u8.ToArray(), default));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(key, default));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.CopyToFileAsync(key, Path.Combine(_root, "x"), default));
        Assert.Throws<ArgumentException>(() => _store.TryGetLocalPath(key));
        Assert.Empty(Directory.GetFileSystemEntries(_store.RootDirectory));
    }

    [Fact]
    public async Task Delete_prefix_removes_the_files_and_the_emptied_directory()
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
