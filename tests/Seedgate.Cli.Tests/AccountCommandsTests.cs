using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Seedgate.Client;
using Seedgate.Testing;

namespace Seedgate.Cli.Tests;

/// <summary>`balance` and `usage` against a local server that answers as the gateway does.</summary>
public sealed class AccountCommandsTests
{
    private static Task<ArkTestServer> StartAsync() => ArkTestServer.StartAsync(app =>
    {
        app.MapGet("/v1/balance", () => Results.Text(AccountSamples.Balance, "application/json"));
        app.MapGet("/v1/usage", (HttpRequest request) => request.Query["from"].ToString().StartsWith("2025", StringComparison.Ordinal)
            ? Results.Json(new { error = new { code = "InvalidParameter", message = "from and to may be at most 400 days apart (got 699)." } }, statusCode: 400)
            : Results.Text(AccountSamples.Usage, "application/json"));
    });

    private static Dictionary<string, string> Env(ArkTestServer server) =>
        new() { ["SEEDGATE_URL"] = server.BaseAddress.ToString(), ["SEEDGATE_API_KEY"] = "sg-env-key" };

    [Fact]
    public async Task Balance_prints_the_accounts_money_as_aligned_facts()
    {
        await using var server = await StartAsync();

        var run = await CliHarness.RunAsync(["balance"], Env(server));

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(
            """
            account     team-a
            month       2026-12
            charged     0.075 USD
            reserved    0.04 USD
            budget      none
            free fast   20 used, 0 left
            credit      1.00 USD
            balance     0.925 USD

            """.ReplaceLineEndings(),
            run.Out);
        Assert.Equal("Bearer sg-env-key", Assert.Single(server.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task Usage_sends_the_period_and_grouping_and_prints_the_groups_the_total_and_the_cost_per_task()
    {
        await using var server = await StartAsync();

        var run = await CliHarness.RunAsync(["usage", "--from", "2026-12-01", "--to", "2026-12-09T11:00:00+01:00", "--group-by", "week"], Env(server));

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(
            "?from=2026-12-01T00%3A00%3A00.0000000Z&to=2026-12-09T10%3A00%3A00.0000000Z&group_by=week", Assert.Single(server.Requests).Query);
        Assert.Equal(
            """
            usage of team-a from 2026-12-01 00:00:00Z to 2026-12-09 10:00:00Z by week

            week      jobs  succeeded  failed  cancelled  expired  open  output s  cost USD  free  p50 USD  p95 USD
            2026-W49     6          4       1          1        0     0    17.042      0.23     1     0.06     0.12
            total        6          4       1          1        0     0    17.042      0.23     1     0.06     0.12

            cost per task by model
            model              paid  p50 USD  p95 USD
            seedance-2.0          1     0.12     0.12
            seedance-2.0-fast     0        -        -

            Percentiles are of paid successes (free-quota ones left out), by nearest rank.

            """.ReplaceLineEndings(),
            run.Out);
    }

    [Theory]
    [InlineData("--from", "12/01/2026")]
    [InlineData("--to", "tomorrow")]
    [InlineData("--group-by", "month")]
    public async Task A_bad_period_or_grouping_exits_2_before_anything_is_sent(string option, string value)
    {
        await using var server = await StartAsync();

        var run = await CliHarness.RunAsync(["usage", option, value], Env(server));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"'{value}'", run.Error, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_period_that_ends_before_it_starts_exits_2_and_an_invalid_request_exits_3_with_its_code()
    {
        await using var server = await StartAsync();

        var backwards = await CliHarness.RunAsync(["usage", "--from", "2026-12-02", "--to", "2026-12-01"], Env(server));
        Assert.Equal((2, "error: --to must be later than --from."), (backwards.ExitCode, backwards.Error.TrimEnd()));
        Assert.Empty(server.Requests);

        var refused = await CliHarness.RunAsync(["usage", "--from", "2025-01-01", "--to", "2026-12-01"], Env(server));
        Assert.Equal(3, refused.ExitCode);
        Assert.Equal("error InvalidParameter: from and to may be at most 400 days apart (got 699). [request req-1]", refused.Error.TrimEnd());
        Assert.Equal("", refused.Out);
    }

    [Fact]
    public void A_task_summary_says_when_the_free_quota_covered_it_and_what_was_reserved()
    {
        var task = new GenerationTask
        {
            Id = "cgt-1",
            Status = TaskStatuses.Succeeded,
            Cost = new TaskCost { AmountMicros = 0, PriceMicros = 40_000, FreeQuota = true },
            ReservedCost = new TaskCost { AmountMicros = 40_000 },
        };

        var facts = TaskFacts.Summary(task).ToDictionary(f => f.Name, f => f.Value);

        Assert.Equal(("0.00 USD (free quota)", "0.04 USD"), (facts["cost"], facts["reserved"]));
    }
}
