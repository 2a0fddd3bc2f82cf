using System.Buffers;
using System.Net;
using System.Net.Http.Headers;

namespace Seedgate.Client;

/// <summary>
/// One download of a task output into a stream, resumed where it stopped when the connection drops: the rest is asked
/// for with <c>Range: bytes=N-</c> and <c>If-Range</c> (the first answer's strong ETag, else its Last-Modified), so a
/// file that changed in between comes back whole instead of spliced. <c>alreadyHave</c> bytes of the file are already
/// written just before the stream's position (a <c>.part</c> file of an earlier run).
/// </summary>
internal sealed class OutputDownload(SeedgateClient client, Uri url, Stream destination, IProgress<DownloadProgress>? progress, long alreadyHave = 0)
{
    // Where the file starts in the stream: a restart cuts back to here.
    private readonly long origin = destination.CanSeek ? destination.Position - alreadyHave : 0;

    // Bytes of the file in the stream so far, kept across a dropped connection.
    private long have = alreadyHave;

    public async Task<long> RunAsync(CancellationToken cancellationToken)
    {
        var transport = client.Transport;
        var authorize = false;
        EntityTagHeaderValue? etag = null;
        DateTimeOffset? lastModified = null;
        long? total = null;
        for (var attempt = 0; ; )
        {
            var response = await client.SendDownloadAsync(url, have, etag, lastModified, authorize, cancellationToken).ConfigureAwait(false);
            using (response)
            {
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden && !authorize && client.IsSameOrigin(url))
                {
                    // Outputs are meant to be signed URLs; a server of ours that wants the key anyway may have it, nobody else.
                    authorize = true;
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
                {
                    // What is here is already the whole file (a .part finished just before a crash), or it is not this file.
                    if (response.Content.Headers.ContentRange?.Length == have)
                    {
                        progress?.Report(new DownloadProgress(have, have));
                        return have;
                    }

                    Restart();
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    var error = await SeedgateTransport.ToExceptionAsync(response, transport.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                    if (!error.IsTransient || attempt >= transport.Options.MaxRetries)
                    {
                        throw error;
                    }

                    await transport.PauseAsync(attempt, transport.Backoff(attempt), error, cancellationToken).ConfigureAwait(false);
                    attempt++;
                    continue;
                }

                var range = response.Content.Headers.ContentRange;
                if (response.StatusCode != HttpStatusCode.PartialContent || range?.From != have)
                {
                    // The whole file (no range support, or If-Range found it changed): start over.
                    if (have > 0)
                    {
                        Restart();
                    }

                    total = response.Content.Headers.ContentLength;
                }
                else
                {
                    total = range.Length;
                }

                etag ??= response.Headers.ETag is { IsWeak: false } strong ? strong : null;
                lastModified ??= response.Content.Headers.LastModified;
                progress?.Report(new DownloadProgress(have, total));
                try
                {
                    await CopyAsync(response, total, cancellationToken).ConfigureAwait(false);
                    return have;
                }
                catch (Exception e) when (e is IOException or HttpRequestException && attempt < transport.Options.MaxRetries && !cancellationToken.IsCancellationRequested)
                {
                    await transport.PauseAsync(attempt, transport.Backoff(attempt), e, cancellationToken).ConfigureAwait(false);
                    attempt++;
                }
            }
        }
    }

    private async Task CopyAsync(HttpResponseMessage response, long? total, CancellationToken cancellationToken)
    {
        var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    have += read;
                    progress?.Report(new DownloadProgress(have, total));
                }

                await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Drops what was written so far; only a seekable stream can.</summary>
    private void Restart()
    {
        if (!destination.CanSeek)
        {
            throw new IOException($"The download of {url} must start over, and the destination stream cannot be rewound.");
        }

        destination.SetLength(origin);
        destination.Position = origin;
        have = 0;
    }
}
