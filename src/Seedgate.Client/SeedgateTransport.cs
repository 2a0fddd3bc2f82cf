using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Seedgate.Client;

/// <summary>
/// How the clients (<see cref="SeedgateClient"/>, <see cref="SeedgateAdminClient"/>) talk to a Seedgate server: the key
/// on every request, transient failures retried when the call allows it (backoff, jitter, <c>Retry-After</c>), and
/// error bodies read into <see cref="SeedgateApiException"/>.
/// </summary>
internal sealed class SeedgateTransport
{
    public static readonly ProductInfoHeaderValue UserAgent = new(
        "seedgate-dotnet",
        typeof(SeedgateTransport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0");

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient http;
    private readonly SeedgateClientOptions options;
    private readonly TimeProvider time;

    public SeedgateTransport(HttpClient httpClient, SeedgateClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.BaseAddress);
        if (!options.BaseAddress.IsAbsoluteUri)
        {
            throw new ArgumentException("The base address must be absolute, e.g. http://127.0.0.1:8080.", nameof(options));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiKey);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries);

        http = httpClient;
        this.options = options;
        time = options.TimeProvider ?? TimeProvider.System;

        // Ark SDKs are configured with a base ending in /api/v3; accept that as well as the bare server address.
        var root = options.BaseAddress.GetLeftPart(UriPartial.Path);
        root = root.EndsWith('/') ? root : root + "/";
        if (root.EndsWith("/api/v3/", StringComparison.OrdinalIgnoreCase))
        {
            root = root[..^"api/v3/".Length];
        }

        BaseAddress = new Uri(root);
    }

    public HttpClient Http => http;

    public SeedgateClientOptions Options => options;

    public TimeProvider Time => time;

    /// <summary>The server's root, ending in '/'.</summary>
    public Uri BaseAddress { get; }

    /// <summary>A request with a JSON body.</summary>
    public static HttpRequestMessage JsonRequest(HttpMethod method, Uri uri, byte[] body)
    {
        var message = new HttpRequestMessage(method, uri) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = JsonMediaType;
        return message;
    }

    /// <summary>Sends with the key and reads a success answer as <typeparamref name="T"/>; throws for any other.</summary>
    public async Task<T> SendAsync<T>(Func<HttpRequestMessage> build, JsonTypeInfo<T> type, bool retry, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(build, retry, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, type, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a success answer's body as <typeparamref name="T"/>; a body that is not that JSON is an <c>InvalidResponse</c> error.</summary>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken).ConfigureAwait(false)
                    ?? throw new JsonException("The body is null.");
            }
        }
        catch (JsonException e)
        {
            throw new SeedgateApiException(
                response.StatusCode, "InvalidResponse", $"The server's answer is not the expected JSON: {e.Message}", requestId: RequestIdOf(response));
        }
    }

    /// <summary>Sends with the API key; returns a success answer or throws. Retries transient failures when allowed.</summary>
    public async Task<HttpResponseMessage> SendCoreAsync(Func<HttpRequestMessage> build, bool retry, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var canRetry = retry && attempt < options.MaxRetries;
            using var request = build();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
            request.Headers.UserAgent.Add(UserAgent);
            if (!request.Headers.Contains(SeedgateCorrelation.HeaderName))
            {
                request.Headers.TryAddWithoutValidation(SeedgateCorrelation.HeaderName, SeedgateCorrelation.Current ?? SeedgateCorrelation.NewId());
            }

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (canRetry)
            {
                await PauseAsync(attempt, Backoff(attempt), e, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (TaskCanceledException e) when (canRetry && !cancellationToken.IsCancellationRequested)
            {
                // HttpClient.Timeout: the request timed out, nobody cancelled it.
                await PauseAsync(attempt, Backoff(attempt), e, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var error = await ToExceptionAsync(response, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                if (!canRetry || !error.IsTransient)
                {
                    throw error;
                }

                await PauseAsync(attempt, RetryDelay(attempt, RetryAfterOf(response, time.GetUtcNow())), error, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Tells <see cref="SeedgateClientOptions.OnRetry"/>, then waits <paramref name="delay"/>.</summary>
    public Task PauseAsync(int attempt, TimeSpan delay, Exception reason, CancellationToken cancellationToken)
    {
        options.OnRetry?.Invoke(new RetryEvent(attempt + 1, options.MaxRetries, delay, reason));
        return Task.Delay(delay, time, cancellationToken);
    }

    /// <summary>The server's <c>Retry-After</c> when it sent one (capped), else exponential backoff with jitter.</summary>
    private TimeSpan RetryDelay(int attempt, TimeSpan? asked) =>
        asked is { } wait ? (wait > options.MaxRetryDelay ? options.MaxRetryDelay : wait) : Backoff(attempt);

    /// <summary>base × 2^attempt, capped, then jittered.</summary>
    public TimeSpan Backoff(int attempt)
    {
        var ceiling = options.MaxRetryDelay.TotalMilliseconds;
        var delay = Math.Min(ceiling, options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return Jittered(TimeSpan.FromMilliseconds(delay));
    }

    /// <summary>±20 % of <paramref name="delay"/>, so that many clients do not ask in step.</summary>
    public static TimeSpan Jittered(TimeSpan delay)
    {
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        return delay * (0.8 + (Random.Shared.NextDouble() * 0.4));
#pragma warning restore CA5394
    }

    private static string? RequestIdOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Request-Id", out var values) ? values.FirstOrDefault() : null;

    /// <summary>The answer's <c>Retry-After</c> as a wait from <paramref name="now"/> (never negative), or null when it sent none.</summary>
    public static TimeSpan? RetryAfterOf(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } until } => until > now ? until - now : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>Reads Ark's error body into an exception (typed by its code or status); tolerates bodies that are not JSON or not Ark's shape.</summary>
    public static async Task<SeedgateApiException> ToExceptionAsync(HttpResponseMessage response, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var requestId = RequestIdOf(response);
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            body = "";
        }

        string? code = null, message = null, param = null, type = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var error = root.TryGetProperty("error", out var e) ? e : root;
                if (error.ValueKind == JsonValueKind.String)
                {
                    message = error.GetString();
                }
                else if (error.ValueKind == JsonValueKind.Object)
                {
                    code = Text(error, "code");
                    message = Text(error, "message");
                    param = Text(error, "param");
                    type = Text(error, "type");
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, plain text): fall back to the status line and a bit of the body.
        }

        if (string.IsNullOrWhiteSpace(message))
        {
            var snippet = body.Trim();
            snippet = snippet.Length > 200 ? snippet[..200] + "…" : snippet;
            message = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd() + (snippet.Length > 0 ? ": " + snippet : "");
        }

        return SeedgateApiException.Create(response.StatusCode, code, message, param, type, requestId, RetryAfterOf(response, now));

        static string? Text(JsonElement obj, string name) =>
            !obj.TryGetProperty(name, out var value) ? null
            : value.ValueKind == JsonValueKind.String ? value.GetString()
            : value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null
            : value.GetRawText();
    }
}
