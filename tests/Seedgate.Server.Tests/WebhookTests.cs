using System.Text.Json.Nodes;
using Seedgate.Server.Tests.Infrastructure;
using Xunit;

namespace Seedgate.Server.Tests;

/// <summary>
/// Webhooks against a real gateway (instant engine) and a real receiver on 127.0.0.1; signatures are checked with the
/// npm reference implementation of Standard Webhooks, not with the library that makes them.
/// </summary>
public sealed class WebhookTests
{
    private const string Ark = "/api/v3/contents/generations/tasks";

    // Retries in fractions of a second instead of the day-long default; the sender looks often.
    private static readonly string[] Fast =
    [
        "--Seedgate:Webhooks:RetrySchedule:0=00:00:00.1", "--Seedgate:Webhooks:RetrySchedule:1=00:00:00.1",
        "--Seedgate:Webhooks:RetrySchedule:2=00:00:00.1", "--Seedgate:Webhooks:RetrySchedule:3=00:00:00.1",
        "--Seedgate:Webhooks:PollInterval=00:00:00.1",
    ];

    [Fact]
    public async Task An_endpoint_hears_each_transition_once_in_order_signed_as_the_reference_verifier_accepts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await Gateway.StartInstantAsync(Fast);
        var (endpointId, secret) = await AddEndpointAsync(gateway, receiver.Url("/hooks"));

        var id = await CreateAsync(gateway);
        var received = await receiver.UntilAsync(m => (string?)m.Json["type"] == "job.succeeded");

        Assert.Equal(["job.queued", "job.running", "job.succeeded"], received.Select(m => (string?)m.Json["type"]));
        Assert.All(received, m => Assert.Equal(id, (string?)m.Json["data"]!["id"]));
        Assert.Equal(3, received.Select(m => m.Id).Distinct().Count());
        var done = received[^1].Json["data"]!;
        Assert.Equal("succeeded", (string?)done["status"]);
        Assert.StartsWith("http://127.0.0.1:", (string?)done["content"]!["video_url"]);
        Assert.All(await WebhookReceiver.VerifyAsync(secret, received), v => Assert.Equal("true", v?.ToJsonString()));

        // The verifier is not a yes-man: another secret, or a body changed on the way, is refused.
        var other = (await WebhookReceiver.VerifyAsync("whsec_" + Convert.ToBase64String(new byte[32]), received[..1]))[0];
        Assert.NotEqual("true", other?.ToJsonString());
        var tampered = (await WebhookReceiver.VerifyAsync(secret, [received[0] with { Body = received[0].Body.Replace(id, "cgt-x", StringComparison.Ordinal) }]))[0];
        Assert.NotEqual("true", tampered?.ToJsonString());

        Assert.True(await receiver.StaysQuietAsync(TimeSpan.FromMilliseconds(500)), "nothing is delivered twice");
        var (status, deliveries) = await gateway.GetAsync($"/v1/webhooks/{endpointId}/deliveries");
        Assert.Equal(200, status);
        Assert.Equal(
            [("job.succeeded", "delivered", 1, 200), ("job.running", "delivered", 1, 200), ("job.queued", "delivered", 1, 200)],
            deliveries["data"]!.AsArray().Select(d => ((string?)d!["event_type"], (string?)d["status"], (int)d["attempts"]!, (int?)d["last_status_code"])));
    }

    [Fact]
    public async Task A_callback_url_receives_arks_task_body_on_each_status_change()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await Gateway.StartInstantAsync(Fast);

        var id = await CreateAsync(gateway, callbackUrl: receiver.Url("/ark-callback"));
        var received = await receiver.UntilAsync(m => (string?)m.Json["status"] == "succeeded");

        Assert.Equal(["queued", "running", "succeeded"], received.Select(m => (string?)m.Json["status"]));
        Assert.All(received, m => Assert.Equal((id, "/ark-callback"), ((string?)m.Json["id"], m.Path)));
        Assert.All(received, m => Assert.StartsWith("msg_", m.Id));
        Assert.NotNull(received[^1].Json["content"]!["video_url"]);
        Assert.Equal("seedance-2.0-fast", (string?)received[^1].Json["model"]);
    }

    [Fact]
    public async Task The_accounts_callback_secret_signs_its_callbacks_once_set_and_both_sign_during_a_rotation()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await Gateway.StartInstantAsync(Fast);
        var (_, none) = await gateway.GetAsync("/v1/webhooks/callback-secret");
        Assert.False((bool)none["configured"]!);

        await CreateAsync(gateway, callbackUrl: receiver.Url("/unsigned"));
        var unsigned = await receiver.UntilAsync(m => (string?)m.Json["status"] == "succeeded");
        Assert.All(unsigned, m => Assert.Null(m.Signature)); // as Ark's: nothing to sign with yet

        var (status, set) = await gateway.PostAsync("/v1/webhooks/callback-secret", new { });
        Assert.Equal(200, status);
        var secret = (string)set["secret"]!;
        Assert.StartsWith("whsec_", secret);
        await CreateAsync(gateway, callbackUrl: receiver.Url("/signed"));
        var signed = await receiver.UntilAsync(m => (string?)m.Json["status"] == "succeeded");
        Assert.Equal(["queued", "running", "succeeded"], signed.Select(m => (string?)m.Json["status"]));
        Assert.All(await WebhookReceiver.VerifyAsync(secret, signed), v => Assert.Equal("true", v?.ToJsonString()));

        // Rotated with an overlap: both sign; each verifies alone. The secret is never shown again.
        var (_, rotated) = await gateway.PostAsync("/v1/webhooks/callback-secret", new { overlap_seconds = 600 });
        var newSecret = (string)rotated["secret"]!;
        Assert.NotNull(rotated["previous_secret_until"]);
        await CreateAsync(gateway, callbackUrl: receiver.Url("/rotating"));
        var message = await receiver.NextAsync();
        Assert.Equal(2, message.Signature!.Split(' ').Length);
        Assert.Equal("true", (await WebhookReceiver.VerifyAsync(secret, [message]))[0]?.ToJsonString());
        Assert.Equal("true", (await WebhookReceiver.VerifyAsync(newSecret, [message]))[0]?.ToJsonString());
        await receiver.UntilAsync(m => (string?)m.Json["status"] == "succeeded");
        var (_, shown) = await gateway.GetAsync("/v1/webhooks/callback-secret");
        Assert.Equal((true, null), ((bool)shown["configured"]!, (string?)shown["secret"]));

        // Another account has none of it; removed, callbacks go unsigned again.
        using var other = await gateway.AddTenantAsync("acct-other");
        Assert.False((bool)(await gateway.GetAsync("/v1/webhooks/callback-secret", other)).Body["configured"]!);
        Assert.Equal(404, (await gateway.SendAsync(HttpMethod.Delete, "/v1/webhooks/callback-secret", client: other)).Status);
        Assert.Equal(204, (await gateway.SendAsync(HttpMethod.Delete, "/v1/webhooks/callback-secret")).Status);
        await CreateAsync(gateway, callbackUrl: receiver.Url("/unsigned-again"));
        Assert.Null((await receiver.NextAsync()).Signature);
        var (bad, error) = await gateway.PostAsync("/v1/webhooks/callback-secret", new { overlap_seconds = -1 });
        Assert.Equal(400, bad);
        Assert.StartsWith("overlap_seconds must be", (string?)error["error"]!["message"]);
    }

    [Fact]
    public async Task A_receiver_that_fails_three_times_gets_the_same_webhook_id_until_it_answers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await Gateway.StartInstantAsync(Fast);
        var (endpointId, secret) = await AddEndpointAsync(gateway, receiver.Url("/flaky"), ["job.succeeded"]);
        receiver.FailNext("/flaky", 3);

        await CreateAsync(gateway);
        var received = await receiver.UntilAsync(m => m.Answer == 200);

        Assert.Equal([500, 500, 500, 200], received.Select(m => m.Answer));
        Assert.Single(received.Select(m => m.Id).Distinct());
        Assert.All(await WebhookReceiver.VerifyAsync(secret, received), v => Assert.Equal("true", v?.ToJsonString()));
        var (_, deliveries) = await gateway.GetAsync($"/v1/webhooks/{endpointId}/deliveries");
        var delivery = Assert.Single(deliveries["data"]!.AsArray())!;
        Assert.Equal(("delivered", 4, 200), ((string?)delivery["status"], (int)delivery["attempts"]!, (int?)delivery["last_status_code"]));
    }

    [Fact]
    public async Task A_delivery_that_runs_out_of_retries_fails_disables_its_endpoint_and_can_be_sent_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await Gateway.StartInstantAsync(Fast);
        var (endpointId, _) = await AddEndpointAsync(gateway, receiver.Url("/down"), ["job.succeeded"]);
        receiver.FailNext("/down", 5); // the first attempt and the 4 retries of the schedule

        await CreateAsync(gateway);
        var endpoint = await PollAsync(gateway, $"/v1/webhooks/{endpointId}", e => (bool?)e["enabled"] == false);
        Assert.Contains("HTTP 500", (string?)endpoint["disabled_reason"]);
        var (_, deliveries) = await gateway.GetAsync($"/v1/webhooks/{endpointId}/deliveries");
        var delivery = Assert.Single(deliveries["data"]!.AsArray())!;
        Assert.Equal(("failed", 5), ((string?)delivery["status"], (int)delivery["attempts"]!));

        // The account re-enables it and asks for the delivery again: it arrives with its original webhook-id.
        var (patched, enabled) = await gateway.SendAsync(HttpMethod.Patch, $"/v1/webhooks/{endpointId}", new { enabled = true });
        Assert.Equal((200, true), (patched, (bool)enabled["enabled"]!));
        Assert.Null(enabled["disabled_reason"]);
        var (retried, _) = await gateway.PostAsync($"/v1/webhooks/{endpointId}/deliveries/{(string?)delivery["id"]}/retry", new { });
        Assert.Equal(202, retried);
        var again = await receiver.UntilAsync(m => m.Answer == 200);
        Assert.Equal((string?)delivery["message_id"], again[^1].Id);
    }

    [Fact]
    public async Task During_a_rotation_both_secrets_sign_and_each_verifies_alone()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await Gateway.StartInstantAsync(Fast);
        var (endpointId, oldSecret) = await AddEndpointAsync(gateway, receiver.Url("/rotating"), ["job.succeeded"]);
        var (status, rotated) = await gateway.PostAsync($"/v1/webhooks/{endpointId}/rotate-secret", new { overlap_seconds = 3600 });
        Assert.Equal(200, status);
        var newSecret = (string)rotated["secret"]!;
        Assert.NotEqual(oldSecret, newSecret);

        await CreateAsync(gateway);
        var message = await receiver.NextAsync();

        Assert.Equal(2, message.Signature!.Split(' ').Length);
        Assert.Equal("true", (await WebhookReceiver.VerifyAsync(oldSecret, [message]))[0]?.ToJsonString());
        Assert.Equal("true", (await WebhookReceiver.VerifyAsync(newSecret, [message]))[0]?.ToJsonString());

        // Without an overlap only the new secret signs.
        await gateway.PostAsync($"/v1/webhooks/{endpointId}/rotate-secret", new { overlap_seconds = 0 });
        await CreateAsync(gateway);
        Assert.Single((await receiver.NextAsync()).Signature!.Split(' '));
    }

    [Theory]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]:8080/hook")]
    [InlineData("ftp://example.com/hook")]
    public async Task An_endpoint_on_a_private_address_or_another_scheme_is_refused(string url)
    {
        await using var gateway = await Gateway.StartInstantAsync();
        var (status, body) = await gateway.PostAsync("/v1/webhooks", new { url });
        Assert.Equal((400, "InvalidParameter"), (status, (string?)body["error"]!["code"]));
        Assert.StartsWith("url", (string?)body["error"]!["message"]);
    }

    [Fact]
    public async Task Endpoints_validate_their_fields_and_belong_to_one_account()
    {
        await using var gateway = await Gateway.StartInstantAsync();
        var (missing, body) = await gateway.PostAsync("/v1/webhooks", new { events = new[] { "job.succeeded" } });
        Assert.Equal((400, "MissingParameter"), (missing, (string?)body["error"]!["code"]));
        Assert.StartsWith("url is required", (string?)body["error"]!["message"]);
        var (unknown, body2) = await gateway.PostAsync("/v1/webhooks", new { url = "http://127.0.0.1:9/h", events = new[] { "job.exploded" } });
        Assert.Equal(400, unknown);
        Assert.StartsWith("events: 'job.exploded' is not an event type", (string?)body2["error"]!["message"]);

        var (endpointId, secret) = await AddEndpointAsync(gateway, "http://127.0.0.1:9/h");
        Assert.StartsWith("whsec_", secret);
        var (_, listed) = await gateway.GetAsync("/v1/webhooks");
        var shown = Assert.Single(listed["data"]!.AsArray())!;
        Assert.Equal((endpointId, null), ((string?)shown["id"], (string?)shown["secret"]));

        using var other = await gateway.AddTenantAsync("acct-other");
        Assert.Equal(404, (await gateway.GetAsync($"/v1/webhooks/{endpointId}", other)).Status);
        Assert.Equal(404, (await gateway.SendAsync(HttpMethod.Delete, $"/v1/webhooks/{endpointId}", client: other)).Status);
        Assert.Empty((await gateway.GetAsync("/v1/webhooks", other)).Body["data"]!.AsArray());
        Assert.Equal(204, (await gateway.SendAsync(HttpMethod.Delete, $"/v1/webhooks/{endpointId}")).Status);
        Assert.Equal(404, (await gateway.GetAsync($"/v1/webhooks/{endpointId}")).Status);
    }

    [Fact]
    public async Task Deliveries_a_node_did_not_send_are_sent_by_the_next_node_on_the_store()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // This node writes the outbox with every transition but sends nothing: as if it died after each commit.
        await using var first = await Gateway.StartInstantAsync([.. Fast, "--Seedgate:Webhooks:Enabled=false"]);
        await AddEndpointAsync(first, receiver.Url("/late"));
        var id = await CreateAsync(first);
        Assert.Equal("succeeded", (string?)(await first.WaitArkAsync(id))["status"]);
        Assert.True(await receiver.StaysQuietAsync(TimeSpan.FromMilliseconds(500)));

        await using var next = await first.StartSiblingAsync([.. Fast]);
        var received = await receiver.UntilAsync(m => (string?)m.Json["type"] == "job.succeeded");
        Assert.Equal(["job.queued", "job.running", "job.succeeded"], received.Select(m => (string?)m.Json["type"]));
    }

    [Theory]
    [InlineData(false)] // three nodes on one SQLite file
    [InlineData(true)]  // three nodes on one PostgreSQL database, each dispatching
    public async Task Three_nodes_on_one_outbox_deliver_each_message_once(bool postgres)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var database = postgres ? await ClusterDatabase.CreateAsync() : null;
        string[] node = database is null ? Fast : [.. Fast, $"--Seedgate:Storage:Postgres={database.ConnectionString}"];
        await using var first = await Gateway.StartInstantAsync([.. node, "--Seedgate:NodeId=node-1"]);
        await using var second = database is null ? await first.StartSiblingAsync(Fast) : await Gateway.StartInstantAsync([.. node, "--Seedgate:NodeId=node-2"]);
        await using var third = database is null ? await first.StartSiblingAsync(Fast) : await Gateway.StartInstantAsync([.. node, "--Seedgate:NodeId=node-3"]);
        await AddEndpointAsync(first, receiver.Url("/shared"), ["job.succeeded"]);

        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add(await CreateAsync(i % 3 == 0 ? first : i % 3 == 1 ? second : third));
        }

        var received = new List<ReceivedWebhook>();
        while (received.Select(m => (string?)m.Json["data"]!["id"]).Distinct().Count() < ids.Count)
        {
            received.Add(await receiver.NextAsync());
        }

        Assert.True(await receiver.StaysQuietAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(ids.Count, received.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), received.Select(m => (string)m.Json["data"]!["id"]!).Order(StringComparer.Ordinal));
    }

    private static async Task<(string Id, string Secret)> AddEndpointAsync(Gateway gateway, string url, string[]? events = null)
    {
        var (status, created) = await gateway.PostAsync("/v1/webhooks", events is null ? new { url } : new { url, events });
        Assert.True(status == 201, created.ToJsonString());
        return ((string)created["id"]!, (string)created["secret"]!);
    }

    private static async Task<string> CreateAsync(Gateway gateway, string? callbackUrl = null)
    {
        var (status, created) = await gateway.PostAsync(Ark, new
        {
            model = "seedance-2.0-fast",
            content = new object[] { new { type = "text", text = "a lighthouse at dusk" } },
            resolution = "480p",
            duration = 4,
            callback_url = callbackUrl,
        });
        Assert.True(status == 200, created.ToJsonString());
        return (string)created["id"]!;
    }

    private static async Task<JsonObject> PollAsync(Gateway gateway, string path, Func<JsonObject, bool> done)
    {
        for (var i = 0; i < 300; i++)
        {
            var (_, body) = await gateway.GetAsync(path);
            if (done(body))
            {
                return body;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{path} did not change in time.");
    }
}
