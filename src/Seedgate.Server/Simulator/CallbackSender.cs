using System.Net.Http.Headers;

namespace Seedgate.Server.Simulator;

/// <summary>
/// Delivers <c>callback_url</c> notifications as real Ark does: the task object POSTed as JSON, unsigned, on each status
/// change; a terminal one is tried up to 3 more times when it is not answered 2xx within the callback timeout (5 s).
/// Deliveries run in the background, so a slow receiver never holds a task back.
/// </summary>
internal sealed class CallbackSender(
    IHttpClientFactory httpClients,
    SimulatorCounters counters,
    BackgroundWork background,
    TimeProvider time,
    TimeSpan timeout,
    ILogger logger,
    CancellationToken stopping)
{
    public const string HttpClientName = "simulator-callbacks";
    private const int TerminalRetries = 3;

    /// <summary>Queues one delivery after <paramref name="previous"/> (the task's last one): a receiver sees the statuses in order.</summary>
    public Task After(Task previous, string taskId, string status, string url, byte[] body, bool terminal)
    {
        var delivery = Task.Run(
            async () =>
            {
                await previous;
                await DeliverAsync(taskId, status, url, body, terminal);
            },
            CancellationToken.None);
        background.Track(delivery);
        return delivery;
    }

    /// <summary>Never throws: a delivery that fails is logged and, if terminal, retried.</summary>
    private async Task DeliverAsync(string taskId, string status, string url, byte[] body, bool terminal)
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        var attempts = terminal ? 1 + TerminalRetries : 1;
        using var http = httpClients.CreateClient(HttpClientName);
        for (var attempt = 1; attempt <= attempts && !stopping.IsCancellationRequested; attempt++)
        {
            var started = time.GetTimestamp();
            counters.Add(SimulatorCounter.CallbacksSent);
            using var deadline = new CancellationTokenSource(timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stopping);
            string problem;
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync(new Uri(url), content, linked.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                problem = $"answered {(int)response.StatusCode}";
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                problem = $"no answer within {timeout.TotalSeconds:0.#} s";
            }
            catch (HttpRequestException e)
            {
                problem = e.HttpRequestError.ToString();
            }

            logger.CallbackFailed(taskId, status, attempt, problem);
            if (attempt == attempts)
            {
                if (terminal)
                {
                    logger.CallbackAbandoned(taskId, status, attempts);
                }

                return;
            }

            // The next try comes a timeout after this one began, whether it was refused at once or timed out.
            var wait = timeout - time.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, time, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
