using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Seedgate.Testing;

namespace Seedgate.Client.Tests;

/// <summary>The SDK's account calls: <c>GET /v1/balance</c> and <c>GET /v1/usage</c>.</summary>
public sealed class AccountTests
{
    [Fact]
    public async Task The_balance_is_read_into_typed_fields_with_the_key_even_from_an_Ark_base_url()
    {
        await using var server = await ArkTestServer.StartAsync(app => app.MapGet("/v1/balance", () => Results.Text(AccountSamples.Balance, "application/json")));
        using var http = TestClients.Http();
        var client = new SeedgateClient(http, new SeedgateClientOptions { BaseAddress = new Uri(server.BaseAddress, "api/v3"), ApiKey = "sg-test-key" });

        var balance = await client.GetBalanceAsync(TestClients.Ct);

        Assert.Equal(("team-a", new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)), (balance.AccountId, balance.PeriodStart));
        Assert.Equal((75_000L, 40_000L, (long?)null, (long?)null), (balance.ChargedMicros, balance.ReservedMicros, balance.BudgetMicros, balance.BudgetLeftMicros));
        Assert.Equal((20, 0, 1_000_000L, 925_000L), (balance.FreeFastUsed, balance.FreeFastLeft, balance.CreditMicros, balance.BalanceMicros));
        Assert.True(balance.AdditionalProperties?.ContainsKey("charged_usd"));
        Assert.Equal("Bearer sg-test-key", Assert.Single(server.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task Usage_sends_the_period_in_UTC_and_the_grouping_and_reads_every_figure()
    {
        await using var server = await ArkTestServer.StartAsync(app => app.MapGet("/v1/usage", () => Results.Text(AccountSamples.Usage, "application/json")));
        using var http = TestClients.Http();

        var usage = await TestClients.For(server, http).GetUsageAsync(
            new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.FromHours(1)), new DateTimeOffset(2026, 12, 9, 10, 0, 0, TimeSpan.Zero), UsageGroupBy.Week, TestClients.Ct);

        Assert.Equal(
            "?from=2026-12-01T00%3A00%3A00.0000000Z&to=2026-12-09T10%3A00%3A00.0000000Z&group_by=week", Assert.Single(server.Requests).Query);
        Assert.Equal(("team-a", "week"), (usage.AccountId, usage.GroupBy));
        Assert.Equal(new DateTimeOffset(2026, 12, 9, 10, 0, 0, TimeSpan.Zero), usage.To);
        Assert.Equal(new UsageJobCounts { Total = 6, Succeeded = 4, Failed = 1, Cancelled = 1 }, usage.Total.Jobs);
        Assert.Equal((17.042m, 230_000L, 1), (usage.Total.OutputSeconds, usage.Total.CostMicros, usage.Total.FreeQuotaJobs));
        Assert.Equal(new CostPerJob { Jobs = 3, P50Micros = 60_000, P95Micros = 120_000 }, usage.Total.CostPerJob);
        Assert.Null(usage.Total.Key);
        Assert.Equal("2026-W49", Assert.Single(usage.Groups).Key);
        Assert.Equal(["seedance-2.0", "seedance-2.0-fast"], usage.CostPerJobByModel.Select(m => m.Key));
        Assert.Equal(new CostPerJob(), usage.CostPerJobByModel[1].CostPerJob);
        Assert.Equal(60_000, Assert.Single(usage.CostPerJobByWeek).CostPerJob.P50Micros);
    }

    [Fact]
    public async Task Usage_without_arguments_sends_no_query_and_a_neutral_error_body_becomes_an_exception_not_retried()
    {
        await using var server = await ArkTestServer.StartAsync(app => app.MapGet("/v1/usage", () => Results.Json(
            new { error = new { code = "InvalidParameter", message = "from and to may be at most 400 days apart (got 699)." } }, statusCode: 400)));
        using var http = TestClients.Http();

        var error = await Assert.ThrowsAnyAsync<SeedgateApiException>(() => TestClients.For(server, http).GetUsageAsync(cancellationToken: TestClients.Ct));

        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameter"), (error.StatusCode, error.Code));
        Assert.StartsWith("from and to may be", error.Message, StringComparison.Ordinal);
        Assert.Equal("", Assert.Single(server.Requests).Query);
    }

    [Fact]
    public async Task A_period_that_ends_before_it_starts_is_refused_before_anything_is_sent()
    {
        await using var server = await ArkTestServer.StartAsync(_ => { });
        using var http = TestClients.Http();
        var day = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

        await Assert.ThrowsAsync<ArgumentException>(() => TestClients.For(server, http).GetUsageAsync(day, day, cancellationToken: TestClients.Ct));
        Assert.Empty(server.Requests);
    }
}
