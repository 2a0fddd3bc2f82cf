using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>GET /v1/balance over the real HTTP API: the ledger's reserves, releases and charges as a caller sees them.</summary>
public sealed class BalanceTests
{
    private const string Ark = "/api/v3/contents/generations/tasks";

    // seedance-2.0-fast at 480p: $0.010 a second.
    private static readonly object FourSeconds480p = new
    {
        model = "seedance-2.0-fast",
        content = new object[] { new { type = "text", text = "a lighthouse at dusk" } },
        resolution = "480p",
        duration = 4,
    };

    [Fact]
    public async Task Queued_jobs_hold_their_estimate_until_cancelled()
    {
        await using var gateway = await Gateway.StartAsync("--Seedgate:Dispatch:Enabled=false");
        var (_, first) = await gateway.PostAsync(Ark, FourSeconds480p);
        await gateway.PostAsync(Ark, FourSeconds480p);
        var (status, balance) = await gateway.GetAsync("/v1/balance");
        Assert.Equal(200, status);
        Assert.Equal((0L, 80_000L), ((long)balance["charged_micros"]!, (long)balance["reserved_micros"]!));
        Assert.Equal(0.08m, (decimal)balance["reserved_usd"]!);

        using var cancel = await gateway.Http.DeleteAsync($"{Ark}/{(string)first["id"]!}");
        Assert.True(cancel.IsSuccessStatusCode);
        (_, balance) = await gateway.GetAsync("/v1/balance");
        Assert.Equal((0L, 40_000L), ((long)balance["charged_micros"]!, (long)balance["reserved_micros"]!));
    }

    [Fact]
    public async Task A_success_is_charged_what_its_task_says_it_cost_and_holds_nothing_after()
    {
        await using var gateway = await Gateway.StartAsync("--Seedgate:Plans:default:FreeFastPerMonth=0");
        var (_, created) = await gateway.PostAsync(Ark, FourSeconds480p);
        var task = await gateway.WaitArkAsync((string)created["id"]!);
        Assert.Equal("succeeded", (string?)task["status"]);

        var (_, balance) = await gateway.GetAsync("/v1/balance");
        Assert.Equal(40_000L, (long)task["cost"]!["amount_micros"]!);
        Assert.Equal((40_000L, 0L), ((long)balance["charged_micros"]!, (long)balance["reserved_micros"]!));
        Assert.Equal("default", (string?)balance["account_id"]);
    }

    [Fact]
    public async Task A_fast_success_within_the_free_quota_costs_nothing_and_uses_one()
    {
        await using var gateway = await Gateway.StartAsync();
        var (_, created) = await gateway.PostAsync(Ark, FourSeconds480p);
        Assert.Equal("succeeded", (string?)(await gateway.WaitArkAsync((string)created["id"]!))["status"]);

        var (_, balance) = await gateway.GetAsync("/v1/balance");
        Assert.Equal((0L, 0L), ((long)balance["charged_micros"]!, (long)balance["reserved_micros"]!));
        Assert.Equal((1, 19), ((int)balance["free_fast_used"]!, (int)balance["free_fast_left"]!));
    }

    [Fact]
    public async Task The_balance_needs_a_key_and_answers_in_the_neutral_error_body()
    {
        await using var gateway = await Gateway.StartAsync("--Seedgate:Dispatch:Enabled=false");
        using var client = new HttpClient(new SocketsHttpHandler()) { BaseAddress = gateway.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sg-not-a-real-key");
        using var response = await client.GetAsync("/v1/balance");
        Assert.Equal(401, (int)response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
    }
}
