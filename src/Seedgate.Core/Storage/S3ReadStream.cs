namespace Seedgate.Core.Storage;

/// <summary>
/// A read-only, seekable view of one S3 object, so ASP.NET can answer HTTP Range requests from it. The length is
/// known up front (from the HEAD that opened it); a read at <see cref="Position"/> is served from a read-ahead buffer,
/// refilled with one ranged GET of up to <c>readAheadBytes</c> when the position leaves it. Seeking only moves the
/// position. Every response must carry the ETag seen at open, so a reader never stitches two versions together.
/// </summary>
internal sealed class S3ReadStream : Stream
{
    private readonly S3BlobStore _store;
    private readonly string _key;
    private readonly long _length;
    private readonly string? _etag;
    private readonly int _readAheadBytes;

    private byte[]? _buffer;
    private long _bufferStart;
    private int _bufferCount;
    private long _position;
    private bool _disposed;

    public S3ReadStream(S3BlobStore store, string key, long length, string? etag, int readAheadBytes)
    {
        _store = store;
        _key = key;
        _length = length;
        _etag = etag;
        _readAheadBytes = readAheadBytes;
    }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => false;

    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _length;
        }
    }

    public override long Position
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _position;
        }
        set
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0)
        {
            // As FileStream: moving before the start is an IOException, and the position stays where it was.
            throw new IOException("An attempt was made to move the position before the beginning of the stream.");
        }

        _position = target;
        return target;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty || _position >= _length)
        {
            return 0;
        }

        if (!Buffered())
        {
            // The AWS SDK has only asynchronous calls on .NET; synchronous readers (rare: ASP.NET and CopyToAsync read
            // asynchronously) block on the fetch.
            FillAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        return CopyFromBuffer(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (buffer.IsEmpty || _position >= _length)
        {
            return 0;
        }

        if (!Buffered())
        {
            await FillAsync(cancellationToken);
        }

        return CopyFromBuffer(buffer.Span);
    }

    public override void Flush()
    {
        // Read-only: nothing to flush.
    }

    public override void SetLength(long value) => throw new NotSupportedException("Blob streams are read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Blob streams are read-only.");

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _buffer = null;
        base.Dispose(disposing);
    }

    private bool Buffered() => _buffer is not null && _position >= _bufferStart && _position < _bufferStart + _bufferCount;

    private int CopyFromBuffer(Span<byte> destination)
    {
        var offset = (int)(_position - _bufferStart);
        var count = Math.Min(destination.Length, _bufferCount - offset);
        _buffer.AsSpan(offset, count).CopyTo(destination);
        _position += count;
        return count;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        var start = _position;
        var count = (int)Math.Min(_readAheadBytes, _length - start);

        // Sized to the object when it is smaller than the read-ahead, so small blobs cost small buffers.
        _buffer ??= new byte[(int)Math.Min(_readAheadBytes, _length)];
        _bufferCount = 0; // if this fetch fails, nothing stale is served afterwards

        using var response = await _store.GetRangeAsync(_key, start, start + count - 1, _etag, cancellationToken);
        if (_etag is not null && response.ETag is not null && !string.Equals(response.ETag, _etag, StringComparison.Ordinal))
        {
            throw new IOException($"The blob '{_key}' was replaced while it was being read; open it again.");
        }

        if (response.HttpStatusCode != System.Net.HttpStatusCode.PartialContent && start != 0)
        {
            // A server that ignores Range sends the whole object from byte 0: never serve it as bytes from 'start'.
            throw new IOException($"The S3 service ignored the Range header reading blob '{_key}' (HTTP {(int)response.HttpStatusCode}).");
        }

        var read = 0;
        try
        {
            while (read < count)
            {
                var n = await response.ResponseStream.ReadAsync(_buffer.AsMemory(read, count - read), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }
        catch (Exception ex) when (ex is IOException || S3BlobStore.IsS3Failure(ex))
        {
            throw _store.Failure($"GET bytes {start}-{start + count - 1}", _key, ex);
        }

        if (read < count)
        {
            throw new IOException(
                $"The blob '{_key}' ended at byte {start + read} of {_length} while it was being read (replaced meanwhile?); open it again.");
        }

        _bufferStart = start;
        _bufferCount = read;
    }
}
