using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Seedgate.Core.Dispatch;
using Seedgate.Core.Jobs;
using Seedgate.Core.Logging;
using Seedgate.Core.Media;
using StandardWebhooks;

namespace Seedgate.Core.Webhooks;

/// <summary>The body a delivery carries: the job in the shape of the dialect it was created through (the server knows them).</summary>
public interface IWebhookBodies
{
    string Render(DueDelivery due, DateTimeOffset now);
}

/// <summary>
/// Sends the outbox's deliveries, on every node: leases due ones (<see cref="WebhookStore.ClaimAsync"/>), POSTs each
/// with the Standard Webhooks headers (webhook-id stable across attempts, every current secret's signature), and
/// records the outcome, retrying on <see cref="WebhookOptions.Schedule"/>. At least once: a node that dies mid-send
/// leaves the lease to expire and another sends again, with the same webhook-id. Connections go through the same
/// network policy as reference fetches (no private addresses unless allowed), no redirects are followed, and only
/// <see cref="WebhookOptions.MaxResponseBytes"/> of an answer is read.
/// </summary>
public sealed partial class WebhookSender : BackgroundService
{
    /// <summary>The named client whose handler enforces the network policy.</summary>
    public const string HttpClientName = "Seedgate.Webhooks";

    private readonly WebhookStore _store;
    private readonly IWebhookBodies _bodies;
    private readonly IHttpClientFactory _clients;
    private readonly WebhookOptions _options;
    private readonly string _owner;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookSender> _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly JobSignals _signals;

    public WebhookSender(
        WebhookStore store, IWebhookBodies bodies, IHttpClientFactory clients, IOptions<WebhookOptions> options, NodeIdentity node,
        JobSignals signals, TimeProvider time, ILogger<WebhookSender> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(signals);
        (_store, _bodies, _clients, _options, _owner, _time, _logger, _signals) = (store, bodies, clients, options.Value, node.Id, time, logger, signals);

        // A transition on this node may have written deliveries: look at once instead of at the next poll.
        _signals.Changed += OnJobChanged;
    }

    /// <summary>Says that deliveries may be due (a retry requested through the API).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another wake-up got there first: one is enough.
            }
        }
    }

    public override void Dispose()
    {
        _signals.Changed -= OnJobChanged;
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(_options.Concurrency, _options.Concurrency);
        var sending = new HashSet<Task>();
        var nextSweep = _time.GetUtcNow();
        var restarted = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (restarted)
                {
                    await _store.ReleaseLeasesAsync(_owner, stoppingToken); // before this node sends anything
                    restarted = false;
                }

                if (_time.GetUtcNow() >= nextSweep)
                {
                    // Ended deliveries are kept for a while to be listed, then go (a batch a round, so a backlog never holds the loop).
                    await _store.DeleteFinishedAsync(_time.GetUtcNow() - _options.KeepFor, 1000, stoppingToken);
                    nextSweep = _time.GetUtcNow() + _options.SweepInterval;
                }

                var free = slots.CurrentCount;
                var due = free == 0 ? [] : await _store.ClaimAsync(_owner, _time.GetUtcNow(), _options.Lease, free, stoppingToken);
                foreach (var delivery in due)
                {
                    await slots.WaitAsync(stoppingToken);
                    var send = Task.Run(() => SendAsync(delivery, stoppingToken), CancellationToken.None);
                    lock (sending)
                    {
                        sending.Add(send);
                    }

                    _ = send.ContinueWith(
                        t =>
                        {
                            slots.Release();
                            lock (sending)
                            {
                                sending.Remove(t);
                            }

                            Wake(); // a job's next delivery to that URL may be claimable now
                        },
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }

                if (due.Count < free || free == 0)
                {
                    await _wake.WaitAsync(_options.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.LoopFailed(_logger, ex);
                await Task.Delay(_options.PollInterval, _time, CancellationToken.None);
            }
        }

        Task[] left;
        lock (sending)
        {
            left = [.. sending];
        }

        await Task.WhenAll(left).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task SendAsync(DueDelivery due, CancellationToken stoppingToken)
    {
        var delivery = due.Delivery;
        var attempt = await AttemptAsync(due, stoppingToken);
        var now = _time.GetUtcNow();
        var schedule = _options.Schedule;
        DateTimeOffset? retryAt = attempt.Succeeded || delivery.Attempts >= schedule.Count ? null : now + schedule[delivery.Attempts];
        if (stoppingToken.IsCancellationRequested && !attempt.Succeeded)
        {
            return; // shutting down mid-send: the lease runs out and a node sends it again, the attempt not counted
        }

        await _store.RecordAttemptAsync(delivery, _owner, attempt, retryAt, now, CancellationToken.None);
        if (attempt.Succeeded)
        {
            Log.Delivered(_logger, delivery.Id, delivery.EventType, delivery.JobId, attempt.StatusCode!.Value, (long)attempt.Latency.TotalMilliseconds);
        }
        else if (retryAt is { } next)
        {
            Log.AttemptFailed(_logger, delivery.Id, delivery.EventType, delivery.JobId, delivery.Attempts + 1, attempt.Error, next);
        }
        else
        {
            Log.GaveUp(_logger, delivery.Id, delivery.EventType, delivery.JobId, delivery.Attempts + 1, attempt.Error);
        }
    }

    /// <summary>One POST of the delivery, timed; never throws for what the receiver or the network did.</summary>
    internal async Task<DeliveryAttempt> AttemptAsync(DueDelivery due, CancellationToken stoppingToken)
    {
        var delivery = due.Delivery;
        var sentAt = _time.GetUtcNow();
        var body = _bodies.Render(due, sentAt);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", delivery.MessageId);
        request.Headers.Add("webhook-timestamp", sentAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        if (due.Secrets.Count > 0)
        {
            // During a rotation both secrets sign: receivers holding either one verify.
            request.Headers.Add("webhook-signature", string.Join(' ', due.Secrets.Select(s => new StandardWebhook(s).Sign(delivery.MessageId, sentAt, body))));
        }

        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Seedgate-Webhooks", "1"));
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            using var response = await _clients.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var answer = await ReadCappedAsync(response.Content, timeout.Token);
            var code = (int)response.StatusCode;
            var latency = Stopwatch.GetElapsedTime(started);
            return response.IsSuccessStatusCode
                ? new DeliveryAttempt(true, code, null, latency)
                : new DeliveryAttempt(false, code, Describe(code, answer), latency);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return new DeliveryAttempt(false, null, $"no answer within {_options.Timeout.TotalSeconds:0.#} s", Stopwatch.GetElapsedTime(started));
        }
        catch (HttpRequestException ex)
        {
            var error = ReferenceFetcher.FindBlocked(ex) is { } blocked ? blocked.Message : ex.Message;
            return new DeliveryAttempt(false, null, error, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException)
        {
            return new DeliveryAttempt(false, null, "the node stopped", Stopwatch.GetElapsedTime(started));
        }
    }

    private static string Describe(int code, string answer)
    {
        var what = code is >= 300 and < 400 ? $"HTTP {code} (redirects are not followed)" : $"HTTP {code}";
        return answer.Length == 0 ? what : $"{what}: {answer}";
    }

    /// <summary>The start of the answer (for the delivery's last error), reading no more than the cap.</summary>
    private async Task<string> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[_options.MaxResponseBytes];
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), cancellationToken) is var n and > 0)
        {
            read += n;
        }

        var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(read, 200)).Trim();
        return text;
    }

    private void OnJobChanged(string jobId) => Wake();

    private static partial class Log
    {
        [LoggerMessage(LogEvents.WebhookDelivered, LogLevel.Debug, "Webhook {DeliveryId} ({EventType} of job {JobId}) delivered: HTTP {StatusCode} in {LatencyMs} ms")]
        public static partial void Delivered(ILogger logger, string deliveryId, string eventType, string jobId, int statusCode, long latencyMs);

        [LoggerMessage(LogEvents.WebhookAttemptFailed, LogLevel.Information, "Webhook {DeliveryId} ({EventType} of job {JobId}): attempt {Attempt} failed ({Error}); next at {RetryAt:o}")]
        public static partial void AttemptFailed(ILogger logger, string deliveryId, string eventType, string jobId, int attempt, string? error, DateTimeOffset retryAt);

        [LoggerMessage(LogEvents.WebhookGaveUp, LogLevel.Warning, "Webhook {DeliveryId} ({EventType} of job {JobId}) failed after {Attempts} attempts ({Error})")]
        public static partial void GaveUp(ILogger logger, string deliveryId, string eventType, string jobId, int attempts, string? error);

        [LoggerMessage(LogEvents.WebhookLoopFailed, LogLevel.Error, "The webhook sender's loop failed; it goes on")]
        public static partial void LoopFailed(ILogger logger, Exception exception);
    }
}
