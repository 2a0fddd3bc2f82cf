using System.Text;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Tests.Blobs;

/// <summary>
/// What every <see cref="IBlobStore"/> must do. A provider's test class derives from this and supplies stores over
/// fresh, empty storage per test; every call returns a new store instance over the same storage, as another gateway
/// node would open it.
/// </summary>
public abstract class BlobStoreCompliance : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly List<IBlobStore> _stores = [];

    /// <summary>A scratch directory for source and destination files, deleted after the test.</summary>
    protected string Scratch { get; } = Directory.CreateTempSubdirectory("seedgate-blob-test-").FullName;

    /// <summary>A new store over this test's storage, which is empty at the first call in each test.</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync();

    /// <summary>
    /// Where the store's reads change gear, if they do (S3: the read-ahead size it was built with); the seek tests
    /// read across it and across twice it.
    /// </summary>
    protected virtual int ReadBoundary => 64 * 1024;

    /// <summary>Removes the test's storage; the stores are disposed already.</summary>
    protected virtual Task DeleteStorageAsync() => Task.CompletedTask;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            (store as IDisposable)?.Dispose();
        }

        await DeleteStorageAsync();
        Directory.Delete(Scratch, recursive: true);
    }

    // ---- puts, replaces, round trips --------------------------------------------------------------------------

    [Fact]
    public async Task Bytes_round_trip()
    {
        var store = await StoreAsync();
        await store.PutBytesAsync("outputs/cgt-1/video.mp4", "hello"u8.ToArray(), None);

        Assert.Equal("hello", await ReadTextAsync(store, "outputs/cgt-1/video.mp4"));
    }

    [Fact]
    public async Task A_slice_of_a_larger_array_stores_only_the_slice()
    {
        var store = await StoreAsync();
        var array = "xxhelloxx"u8.ToArray();
        await store.PutBytesAsync("outputs/cgt-1/slice.bin", array.AsMemory(2, 5), None);

        Assert.Equal("hello", await ReadTextAsync(store, "outputs/cgt-1/slice.bin"));
    }

    [Fact]
    public async Task An_empty_blob_exists_and_has_length_zero()
    {
        var store = await StoreAsync();
        await store.PutBytesAsync("outputs/cgt-1/empty.bin", ReadOnlyMemory<byte>.Empty, None);

        await using var stream = await store.OpenReadAsync("outputs/cgt-1/empty.bin", None);
        Assert.NotNull(stream);
        Assert.Equal(0, stream.Length);
        Assert.Equal(0, await stream.ReadAsync(new byte[10]));
        var copy = Path.Combine(Scratch, "empty.bin");
        Assert.True(await store.CopyToFileAsync("outputs/cgt-1/empty.bin", copy, None));
        Assert.Empty(await File.ReadAllBytesAsync(copy));
    }

    [Fact]
    public async Task Files_round_trip_through_put_and_copy()
    {
        var store = await StoreAsync();
        var source = Path.Combine(Scratch, "source.bin");
        var content = Pattern(300_000, seed: 1);
        await File.WriteAllBytesAsync(source, content);

        await store.PutFileAsync("inputs/cgt-2/ref-0.png", source, None);
        var copy = Path.Combine(Scratch, "work", "nested", "ref.png");
        Assert.True(await store.CopyToFileAsync("inputs/cgt-2/ref-0.png", copy, None));

        Assert.Equal(content, await File.ReadAllBytesAsync(copy));
        Assert.True(File.Exists(source)); // a copy, not a move
        Assert.Equal([copy], Directory.GetFiles(Path.GetDirectoryName(copy)!)); // no temporary file left behind

        // Copying again replaces the earlier copy.
        await store.PutBytesAsync("inputs/cgt-2/ref-0.png", "v2"u8.ToArray(), None);
        Assert.True(await store.CopyToFileAsync("inputs/cgt-2/ref-0.png", copy, None));
        Assert.Equal("v2"u8.ToArray(), await File.ReadAllBytesAsync(copy));
        Assert.Equal([copy], Directory.GetFiles(Path.GetDirectoryName(copy)!));
    }

    [Fact]
    public async Task A_put_replaces_the_blob_whatever_its_size()
    {
        var store = await StoreAsync();
        var big = Pattern(2 * ReadBoundary + 17, seed: 2);
        await store.PutBytesAsync("outputs/cgt-3/video.mp4", big, None);
        await store.PutBytesAsync("outputs/cgt-3/video.mp4", "small"u8.ToArray(), None);
        Assert.Equal("small", await ReadTextAsync(store, "outputs/cgt-3/video.mp4"));

        var source = Path.Combine(Scratch, "big.bin");
        await File.WriteAllBytesAsync(source, big);
        await store.PutFileAsync("outputs/cgt-3/video.mp4", source, None);
        Assert.Equal(big, await ReadAllAsync(store, "outputs/cgt-3/video.mp4"));
    }

    [Fact]
    public async Task A_move_stores_the_file_takes_the_source_and_replaces_an_older_blob()
    {
        var store = await StoreAsync();
        await store.PutBytesAsync("outputs/cgt-3m/video.mp4", "old"u8.ToArray(), None);
        var content = Pattern(ReadBoundary + 5, seed: 9);
        var source = Path.Combine(Scratch, "moved.bin");
        await File.WriteAllBytesAsync(source, content);

        await store.MoveFileAsync("outputs/cgt-3m/video.mp4", source, None);

        Assert.False(File.Exists(source));
        Assert.Equal(content, await ReadAllAsync(store, "outputs/cgt-3m/video.mp4"));
    }

    [Fact]
    public async Task Another_store_over_the_same_storage_sees_every_change()
    {
        var first = await StoreAsync();
        var second = await StoreAsync();

        await first.PutBytesAsync("outputs/cgt-4/video.mp4", "from the first"u8.ToArray(), None);
        Assert.Equal("from the first", await ReadTextAsync(second, "outputs/cgt-4/video.mp4"));

        await second.PutBytesAsync("outputs/cgt-4/video.mp4", "from the second"u8.ToArray(), None);
        Assert.Equal("from the second", await ReadTextAsync(first, "outputs/cgt-4/video.mp4"));

        await second.DeletePrefixAsync("outputs/cgt-4/", None);
        Assert.Null(await first.OpenReadAsync("outputs/cgt-4/video.mp4", None));
    }

    [Fact]
    public async Task Missing_blobs_are_null_or_false()
    {
        var store = await StoreAsync();
        var destination = Path.Combine(Scratch, "x");

        Assert.Null(await store.OpenReadAsync("outputs/none/video.mp4", None));
        Assert.False(await store.CopyToFileAsync("outputs/none/video.mp4", destination, None));
        Assert.False(File.Exists(destination));

        // A key that is a prefix of an existing one is still missing.
        await store.PutBytesAsync("outputs/cgt-5/video.mp4", "x"u8.ToArray(), None);
        Assert.Null(await store.OpenReadAsync("outputs/cgt-5/video", None));
        Assert.Null(await store.OpenReadAsync("outputs/cgt-5", None));
    }

    [Fact]
    public async Task A_failed_put_leaves_the_old_blob()
    {
        var store = await StoreAsync();
        await store.PutBytesAsync("outputs/cgt-4/video.mp4", "old"u8.ToArray(), None);

        await Assert.ThrowsAnyAsync<IOException>(
            () => store.PutFileAsync("outputs/cgt-4/video.mp4", Path.Combine(Scratch, "does-not-exist"), None));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => store.PutBytesAsync("outputs/cgt-4/video.mp4", new byte[10], cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => store.OpenReadAsync("outputs/cgt-4/video.mp4", cancelled.Token));

        Assert.Equal("old", await ReadTextAsync(store, "outputs/cgt-4/video.mp4"));
    }

    /// <summary>Keys every store refuses: escapes, empty segments, upper case, spaces, non-ASCII, NUL.</summary>
    public static TheoryData<string> BadKeys => new()
    {
        "", "/outputs/a.mp4", "outputs/../../etc/passwd", "..", "outputs/..", "outputs//a.mp4", "outputs/a.mp4/",
        "outputs/./a.mp4", "Outputs/a.mp4", "outputs\\a.mp4", "outputs/a b.mp4", "outputs/a~.mp4", "outputs/ä.mp4", "outputs/a.mp4\0",
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public async Task Bad_keys_are_refused(string key)
    {
        var store = await StoreAsync();
        var source = Path.Combine(Scratch, "source.bin");
        await File.WriteAllBytesAsync(source, "x"u8.ToArray());

        await Assert.ThrowsAsync<ArgumentException>(() => store.PutBytesAsync(key, "x"u8.ToArray(), None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutFileAsync(key, source, None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(key, None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.CopyToFileAsync(key, Path.Combine(Scratch, "x"), None));
        Assert.False(File.Exists(Path.Combine(Scratch, "x")));
    }

    [Fact]
    public async Task A_key_may_be_1024_characters_long_but_not_longer()
    {
        var store = await StoreAsync();
        var longest = "outputs/" + new string('a', 1024 - "outputs/".Length - ".bin".Length) + ".bin";
        Assert.Equal(1024, longest.Length);

        // One segment this long is more than a file name may be on disk, so only the rule is checked here.
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutBytesAsync(longest + "x", "x"u8.ToArray(), None));
        BlobKeys.Validate(longest);
    }

    // ---- prefix deletes ---------------------------------------------------------------------------------------

    [Fact]
    public async Task Delete_prefix_removes_exactly_the_matching_keys()
    {
        var store = await StoreAsync();
        string[] keys =
        [
            "outputs/cgt-1/video.mp4", "outputs/cgt-1/last_frame.png", "outputs/cgt-12/video.mp4",
            "outputs/cgt-2/video.mp4", "inputs/cgt-1/ref-0.png",
        ];
        foreach (var key in keys)
        {
            await store.PutBytesAsync(key, "x"u8.ToArray(), None);
        }

        await store.DeletePrefixAsync("outputs/cgt-1/", None);

        Assert.False(await ExistsAsync(store, "outputs/cgt-1/video.mp4"));
        Assert.False(await ExistsAsync(store, "outputs/cgt-1/last_frame.png"));
        Assert.True(await ExistsAsync(store, "outputs/cgt-12/video.mp4"));
        Assert.True(await ExistsAsync(store, "outputs/cgt-2/video.mp4"));
        Assert.True(await ExistsAsync(store, "inputs/cgt-1/ref-0.png"));

        // A plain string prefix, as the interface says: "outputs/cgt-1" also covers "outputs/cgt-12/…".
        await store.DeletePrefixAsync("outputs/cgt-1", None);
        Assert.False(await ExistsAsync(store, "outputs/cgt-12/video.mp4"));
        Assert.True(await ExistsAsync(store, "outputs/cgt-2/video.mp4"));

        // A whole key is a prefix of itself.
        await store.DeletePrefixAsync("outputs/cgt-2/video.mp4", None);
        Assert.False(await ExistsAsync(store, "outputs/cgt-2/video.mp4"));
        Assert.True(await ExistsAsync(store, "inputs/cgt-1/ref-0.png"));

        await store.DeletePrefixAsync("nothing/here/", None);
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeletePrefixAsync("", None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeletePrefixAsync("/", None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeletePrefixAsync("../", None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeletePrefixAsync("Outputs/", None));
        Assert.True(await ExistsAsync(store, "inputs/cgt-1/ref-0.png"));
    }

    [Fact]
    public async Task Delete_prefix_removes_many_keys_across_pages()
    {
        var store = await StoreAsync();
        var keys = Enumerable.Range(0, 30).Select(i => $"outputs/cgt-9/frame-{i:D3}.png").ToList();
        await Task.WhenAll(keys.Select(key => store.PutBytesAsync(key, "x"u8.ToArray(), None)));
        await store.PutBytesAsync("outputs/cgt-90/video.mp4", "kept"u8.ToArray(), None);

        await store.DeletePrefixAsync("outputs/cgt-9/", None);

        foreach (var key in keys)
        {
            Assert.False(await ExistsAsync(store, key), key);
        }

        Assert.Equal("kept", await ReadTextAsync(store, "outputs/cgt-90/video.mp4"));
    }

    // ---- seekable reads ---------------------------------------------------------------------------------------

    [Fact]
    public async Task The_read_stream_is_seekable_with_a_known_length()
    {
        var store = await StoreAsync();
        var content = Pattern(10_000, seed: 5);
        await store.PutBytesAsync("outputs/cgt-5/video.mp4", content, None);

        await using var stream = await store.OpenReadAsync("outputs/cgt-5/video.mp4", None);
        Assert.NotNull(stream);
        Assert.True(stream.CanRead);
        Assert.True(stream.CanSeek);
        Assert.False(stream.CanWrite);
        Assert.Equal(content.Length, stream.Length);
        Assert.Equal(0, stream.Position);

        Assert.Equal(5000, stream.Seek(5000, SeekOrigin.Begin));
        var range = new byte[100];
        await stream.ReadExactlyAsync(range);
        Assert.Equal(content.AsSpan(5000, 100).ToArray(), range);
        Assert.Equal(5100, stream.Position);

        Assert.Equal(5050, stream.Seek(-50, SeekOrigin.Current));
        Assert.Equal(content[5050], stream.ReadByte());
        Assert.Equal(9_990, stream.Seek(-10, SeekOrigin.End));
        Assert.Equal(10, await stream.ReadAsync(new byte[100])); // a short read at the end
        Assert.Equal(0, await stream.ReadAsync(new byte[100]));
        Assert.Equal(-1, stream.ReadByte());

        stream.Position = 20_000; // past the end is allowed and reads nothing
        Assert.Equal(0, await stream.ReadAsync(new byte[10]));
        stream.Position = 0;
        Assert.Equal(content[0], stream.ReadByte());

        Assert.Throws<IOException>(() => stream.Seek(-1, SeekOrigin.Begin));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Position = -1);
        Assert.Throws<NotSupportedException>(() => stream.Write([1], 0, 1));
        Assert.Throws<NotSupportedException>(() => stream.SetLength(1));
    }

    [Fact]
    public async Task Reads_cross_the_read_ahead_boundary()
    {
        var store = await StoreAsync();
        var b = ReadBoundary;
        var content = Pattern((2 * b) + 123, seed: 6);
        await store.PutBytesAsync("outputs/cgt-6/video.mp4", content, None);

        await using var stream = await store.OpenReadAsync("outputs/cgt-6/video.mp4", None);
        Assert.NotNull(stream);
        foreach (var (position, length) in new[] { (b - 5, 10), (0, b), (b - 1, 2), ((2 * b) - 1, 124), (1, (2 * b) + 122), (b, b), (b - 1, 1) })
        {
            stream.Position = position;
            var buffer = new byte[length];
            await stream.ReadExactlyAsync(buffer);
            Assert.True(content.AsSpan(position, length).SequenceEqual(buffer), $"bytes {position}+{length}");
            Assert.Equal(position + length, stream.Position);
        }

        // Synchronous reads too (rare, but Stream promises them).
        stream.Position = b - 3;
        var sync = new byte[6];
        stream.ReadExactly(sync);
        Assert.Equal(content.AsSpan(b - 3, 6).ToArray(), sync);
    }

    [Fact]
    public async Task A_3_mb_object_read_in_random_chunks_equals_its_source()
    {
        var store = await StoreAsync();
        var content = Pattern(3 * 1024 * 1024 + 7, seed: 7);
        var source = Path.Combine(Scratch, "video.mp4");
        await File.WriteAllBytesAsync(source, content);
        await store.PutFileAsync("outputs/cgt-7/video.mp4", source, None);

        await using var stream = await store.OpenReadAsync("outputs/cgt-7/video.mp4", None);
        Assert.NotNull(stream);
        Assert.Equal(content.Length, stream.Length);

        // Whole, in order, as a plain download reads it.
        var whole = new MemoryStream();
        await stream.CopyToAsync(whole);
        Assert.True(content.AsSpan().SequenceEqual(whole.GetBuffer().AsSpan(0, (int)whole.Length)));

        // Then in random pieces at random places, as a player seeking through a video does.
        var random = new Random(42);
        for (var i = 0; i < 40; i++)
        {
            var position = random.Next(content.Length);
            var length = Math.Min(random.Next(1, 300_000), content.Length - position);
            stream.Seek(position, SeekOrigin.Begin);
            var buffer = new byte[length];
            if (i % 4 == 0)
            {
                stream.ReadExactly(buffer);
            }
            else
            {
                await stream.ReadExactlyAsync(buffer);
            }

            Assert.True(content.AsSpan(position, length).SequenceEqual(buffer), $"bytes {position}+{length}");
        }
    }

    [Fact]
    public async Task Two_readers_read_independently()
    {
        var store = await StoreAsync();
        var content = Pattern(3 * ReadBoundary, seed: 8);
        await store.PutBytesAsync("outputs/cgt-8/video.mp4", content, None);

        await using var first = await store.OpenReadAsync("outputs/cgt-8/video.mp4", None);
        await using var second = await store.OpenReadAsync("outputs/cgt-8/video.mp4", None);
        Assert.NotNull(first);
        Assert.NotNull(second);

        second.Position = 2 * ReadBoundary;
        var a = new byte[100];
        var b = new byte[100];
        await first.ReadExactlyAsync(a);
        await second.ReadExactlyAsync(b);
        Assert.Equal(content.AsSpan(0, 100).ToArray(), a);
        Assert.Equal(content.AsSpan(2 * ReadBoundary, 100).ToArray(), b);
    }

    [Fact]
    public async Task An_open_reader_never_mixes_two_versions()
    {
        var store = await StoreAsync();
        var v1 = Pattern(3 * ReadBoundary, seed: 9);
        var v2 = Pattern(3 * ReadBoundary, seed: 10);
        await store.PutBytesAsync("outputs/cgt-9/video.mp4", v1, None);

        await using var reader = await store.OpenReadAsync("outputs/cgt-9/video.mp4", None);
        Assert.NotNull(reader);
        var start = new byte[10];
        await reader.ReadExactlyAsync(start);
        Assert.Equal(v1.AsSpan(0, 10).ToArray(), start);

        await store.PutBytesAsync("outputs/cgt-9/video.mp4", v2, None);

        // Either the old version to the end (local disk keeps the old inode) or a clear failure (S3 checks the ETag).
        var rest = new MemoryStream();
        try
        {
            await reader.CopyToAsync(rest);
            Assert.True(v1.AsSpan(10).SequenceEqual(rest.ToArray()), "the reader mixed two versions");
        }
        catch (IOException ex)
        {
            Assert.Contains("outputs/cgt-9/video.mp4", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(v2, await ReadAllAsync(store, "outputs/cgt-9/video.mp4"));
    }

    [Fact]
    public async Task A_disposed_stream_refuses_reads()
    {
        var store = await StoreAsync();
        await store.PutBytesAsync("outputs/cgt-1/video.mp4", "hello"u8.ToArray(), None);
        var stream = await store.OpenReadAsync("outputs/cgt-1/video.mp4", None);
        Assert.NotNull(stream);

        await stream.DisposeAsync();

        Assert.False(stream.CanRead);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => stream.ReadAsync(new byte[1]).AsTask());
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    protected async Task<IBlobStore> StoreAsync()
    {
        var store = await CreateStoreAsync();
        _stores.Add(store);
        return store;
    }

    /// <summary>Deterministic bytes that differ per seed and are not periodic, so a shifted read cannot pass.</summary>
    protected static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static async Task<byte[]> ReadAllAsync(IBlobStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key, None);
        Assert.NotNull(stream);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    protected static async Task<string> ReadTextAsync(IBlobStore store, string key) =>
        Encoding.UTF8.GetString(await ReadAllAsync(store, key));

    private static async Task<bool> ExistsAsync(IBlobStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key, None);
        return stream is not null;
    }
}
