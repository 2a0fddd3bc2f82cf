using System.Text.Json.Nodes;
using Seedgate.Client;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>
/// What task views say about money, in both dialects and the SDK: the estimate the ledger holds from submit to end, and
/// at the end what the account is charged (which the free quota makes $0), next to the price of what was made.
/// </summary>
public sealed class TaskCostViewTests
{
    private const string Ark = "/api/v3/contents/generations/tasks";

    [Fact]
    public async Task A_success_shows_its_reserve_and_its_charge_which_is_zero_under_the_free_quota()
    {
        await using var gateway = await Gateway.StartInstantAsync("--Seedgate:Plans:default:FreeFastPerMonth=1");
        // Fast 480p ($0.010 a second). The month's first success is free; the second asks for an automatic length:
        // it reserves the longest clip (15 s) and makes the model's default (5 s).
        var free = await SucceedAsync(gateway, 6);
        var paid = await SucceedAsync(gateway, -1);

        var (_, freeTask) = await gateway.GetAsync($"{Ark}/{free}");
        AssertCost(freeTask["cost"], 0, "0.000000", price: 60_000, freeQuota: true);
        AssertCost(freeTask["reserved_cost"], 60_000, "0.060000");
        var (_, paidTask) = await gateway.GetAsync($"{Ark}/{paid}");
        AssertCost(paidTask["cost"], 50_000, "0.050000", price: 50_000, freeQuota: false);
        AssertCost(paidTask["reserved_cost"], 150_000, "0.150000");

        // The SeeDance v1 view of the same jobs.
        var (_, freeJob) = await gateway.GetAsync($"/seedance/v1/videos/{free}");
        Assert.Equal((0m, 0.06m, true), ((decimal)freeJob["usage"]!["cost_usd"]!, (decimal)freeJob["usage"]!["price_usd"]!, (bool)freeJob["usage"]!["free_quota"]!));
        Assert.Equal((6.0, 0.06m), ((double)freeJob["usage"]!["seconds"]!, (decimal)freeJob["reserved_usd"]!));
        var (_, paidJob) = await gateway.GetAsync($"/seedance/v1/videos/{paid}");
        Assert.Equal((0.05m, 0.05m, false), ((decimal)paidJob["usage"]!["cost_usd"]!, (decimal)paidJob["usage"]!["price_usd"]!, (bool)paidJob["usage"]!["free_quota"]!));
        Assert.Equal(0.15m, (decimal)paidJob["reserved_usd"]!);

        // A list says the same as a read; the balance is charged exactly what the views say.
        var (_, list) = await gateway.GetAsync(Ark);
        Assert.Equal(
            [(paid, 50_000L, 150_000L), (free, 0L, 60_000L)],
            list["items"]!.AsArray().Select(t => ((string)t!["id"]!, (long)t["cost"]!["amount_micros"]!, (long)t["reserved_cost"]!["amount_micros"]!)));
        var (_, balance) = await gateway.GetAsync("/v1/balance");
        Assert.Equal(50_000L, (long)balance["charged_micros"]!);

        // The SDK reads both.
        using var http = new HttpClient(new SocketsHttpHandler());
        var client = new SeedgateClient(http, new SeedgateClientOptions { BaseAddress = gateway.BaseAddress, ApiKey = Gateway.Key });
        var task = await client.GetTaskAsync(free);
        Assert.Equal((0L, 60_000L, true), (task.Cost!.AmountMicros, task.Cost.PriceMicros, task.Cost.FreeQuota));
        Assert.Equal(60_000L, task.ReservedCost!.AmountMicros);
        task = await client.GetTaskAsync(paid);
        Assert.Equal((50_000L, 50_000L, false, 150_000L), (task.Cost!.AmountMicros, task.Cost.PriceMicros, task.Cost.FreeQuota, task.ReservedCost!.AmountMicros));
    }

    [Fact]
    public async Task A_queued_task_shows_its_reserve_and_no_cost_and_keeps_showing_the_reserve_once_cancelled()
    {
        await using var gateway = await Gateway.StartAsync("--Seedgate:Dispatch:Enabled=false");
        var id = await CreateAsync(gateway, 4);

        var (_, queued) = await gateway.GetAsync($"{Ark}/{id}");
        Assert.Null(queued["cost"]);
        AssertCost(queued["reserved_cost"], 40_000, "0.040000");
        var (_, job) = await gateway.GetAsync($"/seedance/v1/videos/{id}");
        Assert.Null(job["usage"]);
        Assert.Equal(0.04m, (decimal)job["reserved_usd"]!);

        using (var cancel = await gateway.Http.DeleteAsync($"{Ark}/{id}"))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }

        var (_, cancelled) = await gateway.GetAsync($"{Ark}/{id}");
        Assert.Equal("cancelled", (string?)cancelled["status"]);
        Assert.Null(cancelled["cost"]);
        AssertCost(cancelled["reserved_cost"], 40_000, "0.040000");
    }

    private static async Task<string> CreateAsync(Gateway gateway, int duration)
    {
        var (status, created) = await gateway.PostAsync(Ark, new
        {
            model = "seedance-2.0-fast",
            content = new object[] { new { type = "text", text = "a lighthouse at dusk" } },
            resolution = "480p",
            duration,
        });
        Assert.True(status == 200, created.ToJsonString());
        return (string)created["id"]!;
    }

    private static async Task<string> SucceedAsync(Gateway gateway, int duration)
    {
        var id = await CreateAsync(gateway, duration);
        Assert.Equal("succeeded", (string?)(await gateway.WaitArkAsync(id))["status"]);
        return id;
    }

    private static void AssertCost(JsonNode? cost, long micros, string amount, long? price = null, bool? freeQuota = null)
    {
        Assert.NotNull(cost);
        Assert.Equal((micros, amount, "USD"), ((long)cost["amount_micros"]!, (string?)cost["amount"], (string?)cost["currency"]));
        Assert.Equal((price, freeQuota), ((long?)cost["price_micros"], (bool?)cost["free_quota"]));
    }
}
