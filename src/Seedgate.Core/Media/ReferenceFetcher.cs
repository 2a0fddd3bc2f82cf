using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Seedgate.Core.Generation;
using Seedgate.Core.Logging;

namespace Seedgate.Core.Media;

/// <summary>What a fetch produced.</summary>
/// <param name="Bytes">Bytes written to the destination file.</param>
/// <param name="MediaType">The response's Content-Type media type (lower case), when it sent one.</param>
/// <param name="FinalUrl">The URL the body came from, after redirects.</param>
public sealed record FetchedReference(long Bytes, string? MediaType, Uri FinalUrl);

/// <summary>
/// Downloads callers' http(s) reference URLs to local files without letting them steer the server
/// into private networks: every connection goes through <see cref="ConnectAsync"/>, which resolves the
/// host itself and connects only to an address the <see cref="NetworkPolicy"/> allows. Checking at
/// connect time (not before the request) is what defeats DNS rebinding and redirects to private hosts.
/// Create it through <see cref="ReferenceFetcherServiceCollectionExtensions.AddReferenceFetcher"/>; the
/// named client it uses must carry the guarded handler, so the constructor is not public.
/// </summary>
public sealed class ReferenceFetcher
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client whose primary handler is guarded.</summary>
    public const string HttpClientName = "Seedgate.ReferenceFetcher";

    private const int BufferSize = 81920;

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly FetchOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ReferenceFetcher> _logger;

    internal ReferenceFetcher(
        IHttpClientFactory httpClientFactory,
        FetchOptions options,
        NetworkPolicy policy,
        TimeProvider timeProvider,
        ILogger<ReferenceFetcher> logger)
    {
        _httpClientFactory = httpClientFactory;
        _options = options;
        Policy = policy;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public NetworkPolicy Policy { get; }

    public FetchOptions Options => _options;

    /// <summary>The submit-time check of an http(s) reference URL with this fetcher's policy; see <see cref="CheckUrl(string, string, NetworkPolicy)"/>.</summary>
    public SeedgateError? CheckUrl(string url, string param) => CheckUrl(url, param, Policy);

    /// <summary>
    /// The cheap submit-time check, with no network: an absolute http(s) URL with a host, and when that host
    /// is an IP literal or a localhost name, one the policy allows. Host names are judged again, for real,
    /// when the fetch connects. data: URLs are not fetched: decode them with <see cref="DataUrl"/> instead,
    /// so this method refuses them like any other non-http(s) URL.
    /// </summary>
    /// <returns>An <see cref="ErrorCodes.InvalidParameter"/> error naming <paramref name="param"/>, or null when the URL may be fetched.</returns>
    public static SeedgateError? CheckUrl(string url, string param, NetworkPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (string.IsNullOrWhiteSpace(url))
        {
            return SeedgateError.Invalid(param, $"{param} is empty; it must be an http(s) or data: URL.");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.IsFile && !url.StartsWith("file:", StringComparison.OrdinalIgnoreCase)))
        {
            // On Unix "/x.png" parses as a file: URI, but it is a relative path to the caller; never fetchable.
            return SeedgateError.Invalid(param, $"{param} is not an absolute URL; it must be an http(s) or data: URL.");
        }

        return CheckUri(uri, param, policy);
    }

    private static SeedgateError? CheckUri(Uri uri, string param, NetworkPolicy policy)
    {
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            return SeedgateError.Invalid(
                param, $"{param} uses the scheme '{uri.Scheme}'; only http and https URLs are fetched (or data: URLs with base64 content).");
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            return SeedgateError.Invalid(param, $"{param} has no host.");
        }

        // Port 0 cannot be connected to: such a URL is a mistake or a probe, so it is refused before the job is stored.
        if (uri.Port == 0)
        {
            return SeedgateError.Invalid(param, $"{param} names port 0; give a real port (1–65535) or none.");
        }

        var blocked = uri.HostNameType switch
        {
            // An IP literal that IPAddress cannot read (an odd scope id, say) is refused rather than waved through.
            UriHostNameType.IPv4 or UriHostNameType.IPv6 => !IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address)
                || !policy.IsAllowed(address),
            _ => NetworkPolicy.IsLocalhostName(uri.IdnHost)
                && !policy.IsAllowed(IPAddress.Loopback) && !policy.IsAllowed(IPAddress.IPv6Loopback),
        };
        return blocked ? BlockedError(param, uri.IdnHost) : null;
    }

    /// <summary>
    /// Downloads <paramref name="url"/> to <paramref name="destinationPath"/> (replacing it), following up to
    /// MaxRedirects redirects, never writing more than <paramref name="maxBytes"/> and never connecting to an
    /// address the policy refuses. On failure no file is left at the destination.
    /// </summary>
    /// <exception cref="SeedgateException">
    /// <see cref="FailureClass.Permanent"/> InvalidParameter for a refused address, a non-http(s) URL, too many
    /// redirects, a body over the limit or an HTTP 4xx; <see cref="FailureClass.Transient"/> Timeout or
    /// ServiceUnavailable for a timeout, a connection failure, HTTP 408/429/5xx. Each carries <paramref name="param"/>.
    /// </exception>
    public async Task<FetchedReference> FetchToFileAsync(
        Uri url, string destinationPath, long maxBytes, string param, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        if (!url.IsAbsoluteUri)
        {
            throw Failure(SeedgateError.Invalid(param, $"{param} is not an absolute URL; it must be an http(s) URL."));
        }

        // One budget for the whole fetch; HttpClient.Timeout is infinite on this client.
        using var timeout = new CancellationTokenSource(_options.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = _timeProvider.GetTimestamp();
        try
        {
            var result = await FetchCoreAsync(url, destinationPath, maxBytes, param, linked.Token);
            ReferenceFetcherLog.Fetched(_logger, param, url.IdnHost, result.Bytes, _timeProvider.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            ReferenceFetcherLog.TimedOut(_logger, param, url.IdnHost, _options.Timeout.TotalSeconds);
            throw Failure(
                new SeedgateError(
                    ErrorCodes.Timeout,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"Fetching {param} from {url.IdnHost} did not finish within {_options.Timeout.TotalSeconds:0.###} s."),
                    param,
                    FailureClass.Transient),
                ex);
        }
        catch (SeedgateException ex)
        {
            ReferenceFetcherLog.Refused(_logger, param, url.IdnHost, ex.Error.Code, ex.Error.Class, ex.Message);
            throw;
        }
    }

    private async Task<FetchedReference> FetchCoreAsync(
        Uri url, string destinationPath, long maxBytes, string param, CancellationToken cancellationToken)
    {
        var client = _httpClientFactory.CreateClient(HttpClientName);
        var current = url;
        for (var redirects = 0; ; redirects++)
        {
            if (CheckUri(current, param, Policy) is { } error)
            {
                throw Failure(error);
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, current)
            {
                // HTTP/3 runs over QUIC and would bypass the ConnectCallback that enforces the policy.
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            };
            request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);

            using var response = await SendAsync(client, request, current, param, cancellationToken);
            if (IsRedirect(response.StatusCode))
            {
                var location = response.Headers.Location
                    ?? throw Failure(SeedgateError.Invalid(
                        param, $"{param}: {current.IdnHost} answered with a redirect without a Location header."));
                if (redirects >= _options.MaxRedirects)
                {
                    throw Failure(SeedgateError.Invalid(
                        param,
                        string.Create(CultureInfo.InvariantCulture, $"{param}: too many redirects (more than {_options.MaxRedirects}).")));
                }

                var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                ReferenceFetcherLog.Redirected(_logger, param, current.IdnHost, next.IdnHost, (int)response.StatusCode);
                current = next;
                continue;
            }

            ThrowForStatus(response, current, param);
            var length = response.Content.Headers.ContentLength;
            if (length > maxBytes)
            {
                throw Failure(TooLarge(param, maxBytes, length));
            }

            var written = await CopyBodyAsync(response, destinationPath, maxBytes, param, current, cancellationToken);
            var mediaType = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant();
            return new FetchedReference(written, mediaType, current);
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient client, HttpRequestMessage request, Uri url, string param, CancellationToken cancellationToken)
    {
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(ex.Message, ex, cancellationToken);
        }
        catch (HttpRequestException ex) when (FindBlocked(ex) is { } blocked)
        {
            throw Failure(BlockedError(param, blocked.Host), ex);
        }
        catch (HttpRequestException ex) when (FindSocketError(ex) is SocketError.HostNotFound or SocketError.NoData)
        {
            // A name that does not resolve will not resolve on the next attempt either: no retries.
            throw Failure(SeedgateError.Invalid(param, $"{param}: the host {url.IdnHost} does not resolve."), ex);
        }
        catch (HttpRequestException ex)
        {
            throw Failure(
                new SeedgateError(
                    ErrorCodes.ServiceUnavailable,
                    $"Fetching {param} from {url.IdnHost} failed: {ex.Message}",
                    param,
                    FailureClass.Transient),
                ex);
        }
    }

    private static SocketError? FindSocketError(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }

    private static async Task<long> CopyBodyAsync(
        HttpResponseMessage response, string destinationPath, long maxBytes, string param, Uri url, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(destinationPath);
        var directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);

        // Write beside the destination and rename at the end, so a failed or oversized fetch never leaves
        // a partial file where the caller looks for the result.
        var partial = Path.Combine(directory, $"{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.part");
        try
        {
            long written = 0;
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await ReadBodyAsync(body, buffer, param, url, cancellationToken)) > 0)
                {
                    if (written + read > maxBytes)
                    {
                        // Refuse before writing past the limit, whatever Content-Length claimed.
                        throw Failure(TooLarge(param, maxBytes, length: null));
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    written += read;
                }
            }

            File.Move(partial, fullPath, overwrite: true);
            return written;
        }
        catch
        {
            TryDelete(partial);
            throw;
        }
    }

    private static async Task<int> ReadBodyAsync(Stream body, byte[] buffer, string param, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            return await body.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && cancellationToken.IsCancellationRequested)
        {
            // A read torn down by the timeout can surface as an IOException; report it as the timeout it is.
            throw new OperationCanceledException(ex.Message, ex, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw Failure(
                new SeedgateError(
                    ErrorCodes.ServiceUnavailable,
                    $"Fetching {param} from {url.IdnHost} failed while reading the body: {ex.Message}",
                    param,
                    FailureClass.Transient),
                ex);
        }
    }

    private static void ThrowForStatus(HttpResponseMessage response, Uri url, string param)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            return;
        }

        var text = string.Create(
            CultureInfo.InvariantCulture, $"Fetching {param} from {url.IdnHost} returned HTTP {status} {response.ReasonPhrase}.");

        // 408 and 429 say "try later"; every other 4xx (and anything unexpected) will not change on a retry.
        var transient = status is 408 or 429 or >= 500;
        throw Failure(transient
            ? new SeedgateError(ErrorCodes.ServiceUnavailable, text, param, FailureClass.Transient)
            : SeedgateError.Invalid(param, text));
    }

    private static bool IsRedirect(HttpStatusCode status) => status is
        HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
        or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static SeedgateError TooLarge(string param, long maxBytes, long? length) => SeedgateError.Invalid(
        param,
        length is { } l
            ? string.Create(CultureInfo.InvariantCulture, $"{param} is {l} bytes, more than the limit of {maxBytes} bytes.")
            : string.Create(CultureInfo.InvariantCulture, $"{param} is larger than the limit of {maxBytes} bytes."));

    private static SeedgateError BlockedError(string param, string host) => SeedgateError.Invalid(
        param,
        $"{param}: the host '{host}' resolves to a private or loopback address, which is not allowed; "
        + $"allow it with {FetchOptions.SectionName}:AllowedNetworks.");

    private static SeedgateException Failure(SeedgateError error, Exception? inner = null) => new(error, inner);

    internal static BlockedAddressException? FindBlocked(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is BlockedAddressException blocked)
            {
                return blocked;
            }
        }

        return null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover .part file in a job's scratch directory is removed with the directory.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// The primary handler of the named client: no automatic redirects (each hop is checked here), no cookies,
    /// no proxy (a proxy would resolve the host itself, out of the policy's reach), and a ConnectCallback
    /// that resolves and checks every address before connecting.
    /// </summary>
    internal static SocketsHttpHandler CreateHandler(NetworkPolicy policy, FetchOptions options, ReferenceHostResolver resolver) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = options.Timeout,
        ConnectCallback = (context, cancellationToken) => ConnectAsync(policy, resolver, context.DnsEndPoint, cancellationToken),
    };

    internal static async ValueTask<Stream> ConnectAsync(
        NetworkPolicy policy, ReferenceHostResolver resolver, DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        var host = endPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await resolver.ResolveAsync(host, cancellationToken);

        // Connect to the very addresses that were checked, never re-resolving the name: a second lookup is
        // exactly what a rebinding DNS server would answer differently.
        var allowed = Array.FindAll(addresses, policy.IsAllowed);
        if (allowed.Length == 0)
        {
            throw new BlockedAddressException(host);
        }

        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    /// <summary>Raised inside the ConnectCallback; HttpClient wraps it, <see cref="FindBlocked"/> finds it again.</summary>
    internal sealed class BlockedAddressException(string host)
        : IOException($"The host '{host}' resolves only to addresses the network policy refuses.")
    {
        public string Host { get; } = host;
    }
}

/// <summary>
/// Name resolution for the fetcher's connections: the system resolver in production; tests substitute names
/// that resolve to private addresses, which is the only way to exercise the connect-time check with a host name.
/// </summary>
internal sealed class ReferenceHostResolver(Func<string, CancellationToken, Task<IPAddress[]>> resolve)
{
    public static ReferenceHostResolver Default { get; } = new(Dns.GetHostAddressesAsync);

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => resolve(host, cancellationToken);
}

internal static partial class ReferenceFetcherLog
{
    [LoggerMessage(LogEvents.ReferenceFetched, LogLevel.Debug, "Fetched {Param} from {Host}: {Bytes} bytes in {ElapsedMs:0} ms")]
    public static partial void Fetched(ILogger logger, string param, string host, long bytes, double elapsedMs);

    [LoggerMessage(LogEvents.ReferenceRedirected, LogLevel.Debug, "Fetching {Param}: {FromHost} redirected ({Status}) to {ToHost}")]
    public static partial void Redirected(ILogger logger, string param, string fromHost, string toHost, int status);

    [LoggerMessage(LogEvents.ReferenceFetchFailed, LogLevel.Information, "Fetching {Param} from {Host} failed: {Code} ({FailureClass}): {Reason}")]
    public static partial void Refused(ILogger logger, string param, string host, string code, FailureClass failureClass, string reason);

    [LoggerMessage(LogEvents.ReferenceFetchTimedOut, LogLevel.Information, "Fetching {Param} from {Host} timed out after {TimeoutSeconds} s")]
    public static partial void TimedOut(ILogger logger, string param, string host, double timeoutSeconds);
}
