using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Seedgate.Core.Accounts;
using Seedgate.Core.Telemetry;

namespace Seedgate.Core.Upstream;

/// <summary>An upstream call's outcome: the value, or the upstream's failure (an HTTP answer that was not a success).</summary>
public sealed record ArkResult<T>(T? Value, ArkFailure? Failure)
    where T : class;

/// <summary>
/// Ark's task API on one upstream account (reference §1.2): create, get, list by ids, cancel. The HTTP client under it
/// carries the resilience pipeline (retries of reads with backoff, jitter and Retry-After; creates are never retried
/// blind) and, beneath that, the cluster-wide request rate: every attempt on the wire waits for a token.
/// Transport failures (timeouts, refused connections) are thrown as <see cref="HttpRequestException"/> or
/// <see cref="TimeoutException"/>: for a create they mean "maybe sent".
/// </summary>
public sealed class ArkClient(HttpClient http, UpstreamLane lane, TimeProvider time)
{
    private const string Tasks = "contents/generations/tasks";

    public UpstreamLane Lane { get; } = lane;

    /// <summary>Whether an exception is the transport failing (no answer came), not the caller cancelling.</summary>
    public static bool IsTransportFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException
        || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    public async Task<ArkResult<string>> CreateAsync(JsonObject body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, Tasks)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        return await SendAsync(request, root => root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null, cancellationToken);
    }

    public async Task<ArkResult<ArkTaskView>> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Tasks}/{Uri.EscapeDataString(taskId)}");
        return await SendAsync(request, ArkTaskView.Parse, cancellationToken);
    }

    /// <summary>The tasks with these ids (one request for up to 100), or the newest of a model when <paramref name="taskIds"/> is empty.</summary>
    public async Task<ArkResult<IReadOnlyList<ArkTaskView>>> ListAsync(
        IReadOnlyList<string> taskIds, string? model, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        var query = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{Tasks}?page_num=1&page_size={pageSize}"));
        foreach (var id in taskIds)
        {
            query.Append("&filter.task_ids=").Append(Uri.EscapeDataString(id));
        }

        if (model is not null)
        {
            query.Append("&filter.model=").Append(Uri.EscapeDataString(model));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, query.ToString());
        return await SendAsync<IReadOnlyList<ArkTaskView>>(
            request,
            root => root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array
                ? [.. items.EnumerateArray().Select(ArkTaskView.Parse).OfType<ArkTaskView>()]
                : [],
            cancellationToken);
    }

    /// <summary>Cancels a queued task (Ark refuses running ones); success has no body.</summary>
    public async Task<ArkFailure?> CancelAsync(string taskId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{Tasks}/{Uri.EscapeDataString(taskId)}");
        return (await SendAsync(request, _ => "", cancellationToken)).Failure;
    }

    private async Task<ArkResult<T>> SendAsync<T>(HttpRequestMessage request, Func<JsonElement, T?> read, CancellationToken cancellationToken)
        where T : class
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Lane.ApiKey);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        SeedgateTelemetry.UpstreamRequests.Add(
            1,
            new(SeedgateTelemetry.UpstreamTag, Lane.Name),
            new("seedgate.operation", request.Method.Method),
            new("seedgate.outcome", response.IsSuccessStatusCode ? "ok" : (int)response.StatusCode == 429 ? "rate_limited" : "error"));
        if (!response.IsSuccessStatusCode)
        {
            return new ArkResult<T>(null, ArkFailure.Read((int)response.StatusCode, text, RetryAfter(response)));
        }

        try
        {
            using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
            return read(document.RootElement) is { } value
                ? new ArkResult<T>(value, null)
                : new ArkResult<T>(null, new ArkFailure((int)response.StatusCode, "InvalidResponse", "The upstream's answer lacks what it should hold.", null, null));
        }
        catch (JsonException)
        {
            return new ArkResult<T>(null, new ArkFailure(502, "InvalidResponse", "The upstream answered with something that is not JSON.", null, null));
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date > time.GetUtcNow() ? date - time.GetUtcNow() : TimeSpan.Zero,
            _ => null,
        };
}

/// <summary>
/// Holds each request to an upstream account until the account's cluster-wide token bucket (in the accounts' rate
/// table, burst 1: never a burst the upstream would refuse) gives it a token; polls and creates share it.
/// </summary>
internal sealed class UpstreamRateHandler(IAccountStore accounts, UpstreamLane lane, TimeProvider time) : DelegatingHandler
{
    private const string RequestsClass = "requests";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        while (true)
        {
            var lease = await accounts.LeaseRateTokensAsync(lane.RateBucket, RequestsClass, lane.RequestsPerSecond, 1, 1, time.GetUtcNow(), cancellationToken);
            if (lease.Granted > 0)
            {
                return await base.SendAsync(request, cancellationToken);
            }

            var wait = TimeSpan.FromMilliseconds(Math.Ceiling((1_000_000 - lease.MicroTokensLeft) / (lane.RequestsPerSecond * 1000)));
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), time, cancellationToken);
        }
    }
}
