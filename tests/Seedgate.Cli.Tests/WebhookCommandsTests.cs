using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Seedgate.Testing;

namespace Seedgate.Cli.Tests;

/// <summary>`webhooks create|list|deliveries` against a local server that answers as the gateway does, and `webhooks listen` for real.</summary>
public sealed class WebhookCommandsTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static Task<ArkTestServer> StartAsync() => ArkTestServer.StartAsync(app =>
    {
        app.MapPost("/v1/webhooks", () => Results.Json(
            new JsonObject
            {
                ["id"] = "ep_1", ["url"] = "https://hooks.example.com/x", ["events"] = new JsonArray("job.succeeded", "job.failed"),
                ["enabled"] = true, ["created_at"] = "2026-12-03T07:00:00Z", ["updated_at"] = "2026-12-03T07:00:00Z", ["secret"] = Secret,
            },
            statusCode: 201));
        app.MapPost("/v1/webhooks/callback-secret", () => Results.Json(new JsonObject
        {
            ["configured"] = true, ["created_at"] = "2026-12-03T07:00:00Z", ["updated_at"] = "2026-12-03T08:00:00Z",
            ["previous_secret_until"] = "2026-12-03T08:10:00Z", ["secret"] = Secret,
        }));
        app.MapGet("/v1/webhooks/ep_1/deliveries", () => Results.Json(new JsonObject
        {
            ["data"] = new JsonArray(new JsonObject
            {
                ["id"] = "dlv_1", ["message_id"] = "msg_1", ["endpoint_id"] = "ep_1", ["url"] = "https://hooks.example.com/x",
                ["event_type"] = "job.succeeded", ["job_id"] = "cgt-1", ["status"] = "failed", ["attempts"] = 7,
                ["next_attempt_at"] = "2026-12-03T07:00:00Z", ["last_status_code"] = 503, ["last_latency_ms"] = 12, ["created_at"] = "2026-12-03T07:00:00Z",
            }),
        }));
    });

    private static Dictionary<string, string> Env(ArkTestServer server) =>
        new() { ["SEEDGATE_URL"] = server.BaseAddress.ToString(), ["SEEDGATE_API_KEY"] = "sg-env-key" };

    [Fact]
    public async Task Create_sends_the_url_and_events_and_prints_the_secret_once_on_stdout()
    {
        await using var server = await StartAsync();

        var run = await CliHarness.RunAsync(
            ["webhooks", "create", "--url", "https://hooks.example.com/x", "--event", "job.succeeded", "--event", "job.failed"], Env(server));

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(Secret + Environment.NewLine, run.Out);
        Assert.Contains("ep_1", run.Error);
        var body = JsonNode.Parse(Assert.Single(server.RequestsTo("POST", "/v1/webhooks")).Body)!;
        Assert.Equal("https://hooks.example.com/x", (string?)body["url"]);
        Assert.Equal(["job.succeeded", "job.failed"], body["events"]!.AsArray().Select(e => (string?)e));
    }

    [Fact]
    public async Task Callback_secret_sends_the_overlap_and_prints_the_secret_once_on_stdout()
    {
        await using var server = await StartAsync();

        var run = await CliHarness.RunAsync(["webhooks", "callback-secret", "--overlap", "600"], Env(server));

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(Secret + Environment.NewLine, run.Out);
        Assert.Contains("2026-12-03 08:10:00Z", run.Error);
        var body = JsonNode.Parse(Assert.Single(server.RequestsTo("POST", "/v1/webhooks/callback-secret")).Body)!;
        Assert.Equal(600, (int)body["overlap_seconds"]!);
    }

    [Fact]
    public async Task Deliveries_prints_status_attempts_and_the_last_answer()
    {
        await using var server = await StartAsync();

        var run = await CliHarness.RunAsync(["webhooks", "deliveries", "ep_1"], Env(server));

        Assert.True(run.ExitCode == 0, run.Error);
        var row = run.Out.Split('\n')[1];
        Assert.Equal(["dlv_1", "job.succeeded", "cgt-1", "failed", "7", "503", "12"], row.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(7));
    }

    [Fact]
    public async Task Listen_prints_verified_deliveries_and_refuses_a_bad_signature()
    {
        var port = FreePort();
        using var stop = new CancellationTokenSource();
        var listening = CliHarness.RunAsync(["webhooks", "listen", "--port", port.ToString(CultureInfo.InvariantCulture), "--secret", Secret], cancellationToken: stop.Token);
        using var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        const string body = """{"type":"job.succeeded","timestamp":"2026-12-03T07:00:00Z","data":{"id":"cgt-42","status":"succeeded"}}""";
        Assert.Equal(HttpStatusCode.OK, await PostWhenUpAsync(http, body, Sign("msg_a", body)));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostWhenUpAsync(http, body.Replace("cgt-42", "cgt-43", StringComparison.Ordinal), Sign("msg_b", body)));
        await stop.CancelAsync();
        var run = await listening;

        Assert.Contains("job.succeeded  cgt-42  succeeded  verified", run.Out);
        Assert.Contains("REFUSED msg_b", run.Out);
        Assert.DoesNotContain("cgt-43", run.Out);
    }

    [Fact]
    public async Task Listen_without_a_secret_is_a_usage_error()
    {
        var run = await CliHarness.RunAsync(["webhooks", "listen", "--port", "0"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("SEEDGATE_WEBHOOK_SECRET", run.Error);
    }

    /// <summary>The Standard Webhooks headers, computed here by hand (HMAC-SHA256 of "id.timestamp.body"), not by the library the CLI verifies with.</summary>
    private static (string Id, string Timestamp, string Signature) Sign(string id, string body)
    {
        var timestamp = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Convert.FromBase64String(Secret["whsec_".Length..]), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        return (id, timestamp, "v1," + Convert.ToBase64String(mac));
    }

    private static async Task<HttpStatusCode> PostWhenUpAsync(HttpClient http, string body, (string Id, string Timestamp, string Signature) headers)
    {
        for (var i = 0; ; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/hook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("webhook-id", headers.Id);
            request.Headers.Add("webhook-timestamp", headers.Timestamp);
            request.Headers.Add("webhook-signature", headers.Signature);
            try
            {
                using var response = await http.SendAsync(request);
                return response.StatusCode;
            }
            catch (HttpRequestException) when (i < 200)
            {
                await Task.Delay(25); // the listener is still starting
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
