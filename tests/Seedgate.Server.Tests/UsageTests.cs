using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Seedgate.Client;
using Seedgate.Core.Accounts;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>GET /v1/usage over the real HTTP API: the ledger's history of the caller's jobs, grouped and totalled.</summary>
public sealed class UsageTests(ApiOnlyGatewayFixture fixture) : IClassFixture<ApiOnlyGatewayFixture>
{
    private const string Ark = "/api/v3/contents/generations/tasks";

    [Fact]
    public async Task Usage_counts_outcomes_and_costs_with_percentiles_by_model_day_and_week_for_the_callers_account_only()
    {
        // One task in progress at a time, so that a task can be kept waiting (and cancelled) behind a running one.
        await using var gateway = await Gateway.StartInstantAsync(
            "--Seedgate:Plans:default:FreeFastPerMonth=1", "--Seedgate:Plans:default:MaxInProgress=1");
        var started = TimeProvider.System.GetUtcNow();

        // Successes, in this order: Fast 480p 4 s (the month's free one), Fast 480p 5 s ($0.05), Fast 720p 4 s ($0.06),
        // Standard 480p 4 s ($0.12).
        foreach (var (model, resolution, seconds) in new[]
            { ("seedance-2.0-fast", "480p", 4), ("seedance-2.0-fast", "480p", 5), ("seedance-2.0-fast", "720p", 4), ("seedance-2.0", "480p", 4) })
        {
            var task = await gateway.WaitArkAsync(await CreateAsync(gateway, Clip(model, resolution, seconds)));
            Assert.Equal("succeeded", (string?)task["status"]);
        }

        // A failure (its image is too small) holds the one slot while the image is fetched; a task submitted meanwhile
        // waits, both are open, and the waiting one is cancelled.
        var fetching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var files = await FileServer.StartAsync(
            new Dictionary<string, byte[]> { ["/tiny.png"] = await Media.PngAsync(120, 90) },
            async _ =>
            {
                fetching.TrySetResult();
                await release.Task;
            });
        var failing = await CreateAsync(gateway, Clip("seedance-2.0-fast-i2v", "480p", 4, files.Url("/tiny.png")));
        await fetching.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var waiting = await CreateAsync(gateway, Clip("seedance-2.0-fast", "480p", 4));
        Assert.Equal(2, (int)(await UsageAsync(gateway, ""))["total"]!["jobs"]!["open"]!);
        using (var cancel = await gateway.Http.DeleteAsync($"{Ark}/{waiting}"))
        {
            Assert.True(cancel.IsSuccessStatusCode);
        }

        release.SetResult();
        Assert.Equal("failed", (string?)(await gateway.WaitArkAsync(failing))["status"]);
        var ended = TimeProvider.System.GetUtcNow();

        // A period that surely holds it all (the default one, this month so far, may not, just after midnight on the 1st).
        var period = $"from={LedgerUsage.DayOf(started)}&to={LedgerUsage.DayOf(ended.AddDays(1))}";
        var byModel = await UsageAsync(gateway, period + "&group_by=model");
        Assert.Equal("model", (string?)byModel["group_by"]);
        Assert.Equal("default", (string?)byModel["account_id"]);
        // Paid successes cost 50,000, 60,000 and 120,000 µ$: nearest rank, P50 is the 2nd, P95 the 3rd.
        AssertFigures(byModel["total"]!, (4, 1, 1, 0, 0), 17m, 230_000, 1, (3, 60_000, 120_000));
        Assert.Equal(0.23m, (decimal)byModel["total"]!["cost_usd"]!);
        Assert.Equal(0.06m, (decimal)byModel["total"]!["cost_per_job"]!["p50_usd"]!);
        Assert.Null(byModel["total"]!["key"]);
        var groups = byModel["groups"]!.AsArray();
        Assert.Equal(["seedance-2.0", "seedance-2.0-fast", "seedance-2.0-fast-i2v"], groups.Select(g => (string)g!["key"]!));
        AssertFigures(groups[0]!, (1, 0, 0, 0, 0), 4m, 120_000, 0, (1, 120_000, 120_000));
        AssertFigures(groups[1]!, (3, 0, 1, 0, 0), 13m, 110_000, 1, (2, 50_000, 60_000));
        AssertFigures(groups[2]!, (0, 1, 0, 0, 0), 0m, 0, 0, (0, null, null));

        // The SDK reads the same report (and the balance) into its types.
        using (var http = new HttpClient(new SocketsHttpHandler()))
        {
            var sdk = new SeedgateClient(http, new SeedgateClientOptions { BaseAddress = gateway.BaseAddress, ApiKey = Gateway.Key });
            var typed = await sdk.GetUsageAsync(
                new DateTimeOffset(started.UtcDateTime.Date, TimeSpan.Zero), new DateTimeOffset(ended.UtcDateTime.Date.AddDays(1), TimeSpan.Zero), UsageGroupBy.Model);
            Assert.Equal(new UsageJobCounts { Total = 6, Succeeded = 4, Failed = 1, Cancelled = 1 }, typed.Total.Jobs);
            Assert.Equal((17m, 230_000L, 1), (typed.Total.OutputSeconds, typed.Total.CostMicros, typed.Total.FreeQuotaJobs));
            Assert.Equal(new CostPerJob { Jobs = 3, P50Micros = 60_000, P95Micros = 120_000 }, typed.Total.CostPerJob);
            Assert.Equal(["seedance-2.0", "seedance-2.0-fast", "seedance-2.0-fast-i2v"], typed.Groups.Select(g => g.Key));
            Assert.Equal(["seedance-2.0", "seedance-2.0-fast"], typed.CostPerJobByModel.Select(g => g.Key));
            var balance = await sdk.GetBalanceAsync();
            Assert.Equal((0L, "default"), (balance.ReservedMicros, balance.AccountId));
        }

        // Every response carries the cost per job of each model and each ISO week, whatever it is grouped by.
        var byDay = await UsageAsync(gateway, period + "&group_by=day");
        var byWeek = await UsageAsync(gateway, period + "&group_by=week");
        foreach (var report in new[] { byModel, byDay, byWeek })
        {
            Assert.Equal(
                ["seedance-2.0", "seedance-2.0-fast"], report["cost_per_job_by_model"]!.AsArray().Select(s => (string)s!["key"]!));
            Assert.Equal(60_000L, (long)report["cost_per_job_by_model"]![1]!["cost_per_job"]!["p95_micros"]!);
            Assert.Equal(230_000L, (long)report["total"]!["cost_micros"]!);
            var weeks = report["cost_per_job_by_week"]!.AsArray();
            Assert.Equal(3, weeks.Sum(w => (int)w!["cost_per_job"]!["jobs"]!));
            Assert.All(weeks, w => Assert.Contains((string)w!["key"]!, new[] { LedgerUsage.WeekOf(started), LedgerUsage.WeekOf(ended) }));
        }

        AssertGroupsSplit(byDay, LedgerUsage.DayOf(started), LedgerUsage.DayOf(ended));
        AssertGroupsSplit(byWeek, LedgerUsage.WeekOf(started), LedgerUsage.WeekOf(ended));

        // Another account sees none of it.
        var (key, record) = ApiKeys.Create("other", "test", DateTimeOffset.UnixEpoch);
        var accounts = (IAccountStore)gateway.Services.GetService(typeof(IAccountStore))!;
        await accounts.EnsureAccountAsync("other", "Other", DateTimeOffset.UnixEpoch, CancellationToken.None);
        await accounts.AddApiKeyAsync(record, CancellationToken.None);
        using var other = new HttpClient(new SocketsHttpHandler()) { BaseAddress = gateway.BaseAddress };
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var theirs = await UsageAsync(gateway, period, other);
        Assert.Equal("other", (string?)theirs["account_id"]);
        AssertFigures(theirs["total"]!, (0, 0, 0, 0, 0), 0m, 0, 0, (0, null, null));
        Assert.Empty(theirs["groups"]!.AsArray());
        Assert.Empty(theirs["cost_per_job_by_week"]!.AsArray());
    }

    [Fact]
    public async Task By_default_the_period_is_this_calendar_month_up_to_now_and_grouped_by_model()
    {
        var before = TimeProvider.System.GetUtcNow();
        var usage = await UsageAsync(fixture.Gateway, "");
        var to = DateTimeOffset.Parse((string)usage["to"]!, CultureInfo.InvariantCulture);
        var from = DateTimeOffset.Parse((string)usage["from"]!, CultureInfo.InvariantCulture);

        Assert.InRange(to, before, TimeProvider.System.GetUtcNow());
        Assert.Equal(new DateTimeOffset(to.Year, to.Month, 1, 0, 0, 0, TimeSpan.Zero), from);
        Assert.Equal("model", (string?)usage["group_by"]);

        // Dates are their midnight UTC; date-times keep their offset, turned into UTC.
        usage = await UsageAsync(fixture.Gateway, "from=2026-11-30&to=2026-12-01T09:30:00%2B02:00&group_by=day");
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), DateTimeOffset.Parse((string)usage["from"]!, CultureInfo.InvariantCulture));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 7, 30, 0, TimeSpan.Zero), DateTimeOffset.Parse((string)usage["to"]!, CultureInfo.InvariantCulture));
        Assert.Equal("day", (string?)usage["group_by"]);
    }

    [Theory]
    [InlineData("from=2026-13-01", "from must be an ISO 8601 date")]
    [InlineData("from=12/01/2026", "from must be an ISO 8601 date")]
    [InlineData("from=2026-12-01T25:00:00Z", "from must be an ISO 8601 date")]
    [InlineData("to=tomorrow", "to must be an ISO 8601 date")]
    [InlineData("from=2026-12-02&to=2026-12-01", "to (2026-12-01T00:00:00.0000000+00:00) must be later than from")]
    [InlineData("from=2026-12-01&to=2026-12-01", "to (2026-12-01T00:00:00.0000000+00:00) must be later than from")]
    [InlineData("from=2025-01-01&to=2026-12-01", "from and to may be at most 400 days apart (got 699)")]
    [InlineData("group_by=month", "group_by must be model, day or week (got 'month')")]
    public async Task A_bad_period_or_grouping_is_a_400_naming_the_field_in_the_neutral_body(string query, string message)
    {
        using var response = await fixture.Gateway.Http.GetAsync("/v1/usage?" + query);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(StatusCodes.Status400BadRequest, (int)response.StatusCode);
        Assert.Equal(["code", "message", "param"], body["error"]!.AsObject().Select(p => p.Key));
        Assert.Contains((string)body["error"]!["param"]! + "=", query, StringComparison.Ordinal); // the field it names
        Assert.Equal("InvalidParameter", (string?)body["error"]!["code"]);
        Assert.StartsWith(message, (string?)body["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_most_400_days_are_accepted()
    {
        Assert.Equal(200, (await fixture.Gateway.GetAsync("/v1/usage?from=2025-11-01&to=2026-12-06")).Status);
        Assert.Equal(400, (await fixture.Gateway.GetAsync("/v1/usage?from=2025-11-01&to=2026-12-06T00:00:00.001Z")).Status);
    }

    private static object Clip(string model, string resolution, int duration, string? image = null) => new
    {
        model,
        content = image is null
            ? new object[] { new { type = "text", text = "a lighthouse at dusk" } }
            : [new { type = "text", text = "a lighthouse at dusk" }, new { type = "image_url", image_url = new { url = image } }],
        resolution,
        duration,
    };

    private static async Task<string> CreateAsync(Gateway gateway, object body)
    {
        var (status, created) = await gateway.PostAsync(Ark, body);
        Assert.True(status == 200, created.ToJsonString());
        return (string)created["id"]!;
    }

    private static async Task<JsonObject> UsageAsync(Gateway gateway, string query, HttpClient? client = null)
    {
        var (status, usage) = await gateway.GetAsync("/v1/usage?" + query, client);
        Assert.True(status == 200, usage.ToJsonString());
        return usage;
    }

    private static void AssertFigures(
        JsonNode figures,
        (int Succeeded, int Failed, int Cancelled, int Expired, int Open) jobs,
        decimal outputSeconds,
        long costMicros,
        int freeQuotaJobs,
        (int Jobs, long? P50, long? P95) costPerJob)
    {
        var j = figures["jobs"]!;
        Assert.Equal(
            (jobs.Succeeded + jobs.Failed + jobs.Cancelled + jobs.Expired + jobs.Open, jobs),
            ((int)j["total"]!, ((int)j["succeeded"]!, (int)j["failed"]!, (int)j["cancelled"]!, (int)j["expired"]!, (int)j["open"]!)));
        Assert.Equal((outputSeconds, costMicros, freeQuotaJobs), ((decimal)figures["output_seconds"]!, (long)figures["cost_micros"]!, (int)figures["free_quota_jobs"]!));
        var c = figures["cost_per_job"]!;
        Assert.Equal(costPerJob, ((int)c["jobs"]!, (long?)c["p50_micros"], (long?)c["p95_micros"]));
    }

    /// <summary>The groups are the day (or week) the test ran in, or the two it straddled, oldest first, and add up to the total.</summary>
    private static void AssertGroupsSplit(JsonObject report, string first, string last)
    {
        var groups = report["groups"]!.AsArray();
        var keys = groups.Select(g => (string)g!["key"]!).ToArray();
        Assert.Subset(new HashSet<string> { first, last }, keys.ToHashSet());
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        Assert.Equal((int)report["total"]!["jobs"]!["total"]!, groups.Sum(g => (int)g!["jobs"]!["total"]!));
        Assert.Equal((long)report["total"]!["cost_micros"]!, groups.Sum(g => (long)g!["cost_micros"]!));
    }
}
