using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Seedgate.Server.Tests.Infrastructure;

/// <summary>One request a <see cref="WebhookReceiver"/> got: its path, Standard Webhooks headers and raw body.</summary>
public sealed record ReceivedWebhook(string Path, string? Id, string? Timestamp, string? Signature, string Body, int Answer)
{
    public JsonNode Json => JsonNode.Parse(Body)!;
}

/// <summary>
/// A webhook receiver on 127.0.0.1 (a real HTTP server) that records every request; a path can be made to answer 500
/// a number of times first, or hold its next request unanswered until the sender goes away. <see cref="VerifyAsync"/> checks signatures with the npm reference implementation.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedWebhook> _received = Channel.CreateUnbounded<ReceivedWebhook>();
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly HashSet<string> _holds = new(StringComparer.Ordinal);

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>http://127.0.0.1:port, once started.</summary>
    public string BaseUrl => _app.Urls.First();

    public string Url(string path) => BaseUrl + path;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", (Func<HttpContext, Task<IResult>>)receiver.ReceiveAsync);
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Makes <paramref name="path"/> answer 500 to its next <paramref name="times"/> requests.</summary>
    public void FailNext(string path, int times)
    {
        lock (_failures)
        {
            _failures[path] = times;
        }
    }

    /// <summary>
    /// Makes the next request to <paramref name="path"/> go unanswered until its connection closes (a sender killed
    /// mid-send); it is recorded with answer 0 when it arrives.
    /// </summary>
    public void HoldNext(string path)
    {
        lock (_failures)
        {
            _holds.Add(path);
        }
    }

    /// <summary>The next request received, waiting up to <paramref name="timeout"/> (default 30 s).</summary>
    public async Task<ReceivedWebhook> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return await _received.Reader.ReadAsync(cancel.Token);
    }

    /// <summary>Requests received (by any path) until one matches, all of them in order, the match last.</summary>
    public async Task<List<ReceivedWebhook>> UntilAsync(Func<ReceivedWebhook, bool> last, TimeSpan? timeout = null)
    {
        var all = new List<ReceivedWebhook>();
        while (true)
        {
            var next = await NextAsync(timeout);
            all.Add(next);
            if (last(next))
            {
                return all;
            }
        }
    }

    /// <summary>Whether nothing more arrives within <paramref name="quiet"/>.</summary>
    public async Task<bool> StaysQuietAsync(TimeSpan quiet)
    {
        using var cancel = new CancellationTokenSource(quiet);
        try
        {
            await _received.Reader.WaitToReadAsync(cancel.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    /// <summary>
    /// Verifies each delivery's signature with <paramref name="secret"/> using the npm <c>standardwebhooks</c> package
    /// (installed by test.sh, found through SEEDGATE_TEST_STANDARDWEBHOOKS): per message true, or the verifier's error.
    /// </summary>
    public static async Task<List<JsonNode?>> VerifyAsync(string secret, IEnumerable<ReceivedWebhook> messages)
    {
        var modules = Environment.GetEnvironmentVariable("SEEDGATE_TEST_STANDARDWEBHOOKS")
            ?? throw new InvalidOperationException("SEEDGATE_TEST_STANDARDWEBHOOKS is not set: run ./test.sh, which installs the npm standardwebhooks package.");
        var input = new JsonObject
        {
            ["secret"] = secret,
            ["messages"] = new JsonArray([.. messages.Select(m => (JsonNode)new JsonObject
            {
                ["headers"] = new JsonObject { ["webhook-id"] = m.Id, ["webhook-timestamp"] = m.Timestamp, ["webhook-signature"] = m.Signature },
                ["body"] = m.Body,
            })]),
        };
        var start = new ProcessStartInfo("node", Path.Combine(AppContext.BaseDirectory, "Infrastructure", "verify-webhooks.cjs"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NODE_PATH"] = modules;
        using var node = Process.Start(start)!;
        await node.StandardInput.WriteAsync(input.ToJsonString());
        node.StandardInput.Close();
        var output = await node.StandardOutput.ReadToEndAsync();
        var errors = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"The verifier failed ({node.ExitCode}): {errors}");
        }

        return [.. JsonNode.Parse(output)!.AsArray()];
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> ReceiveAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Path.Value!;
        int answer;
        lock (_failures)
        {
            answer = 200;
            if (_holds.Remove(path))
            {
                answer = 0;
            }
            else if (_failures.TryGetValue(path, out var left) && left > 0)
            {
                answer = 500;
                _failures[path] = left - 1;
            }
        }

        var headers = context.Request.Headers;
        await _received.Writer.WriteAsync(new ReceivedWebhook(
            path, headers["webhook-id"].FirstOrDefault(), headers["webhook-timestamp"].FirstOrDefault(), headers["webhook-signature"].FirstOrDefault(), body, answer));
        if (answer == 0)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return Results.StatusCode(answer);
    }
}
