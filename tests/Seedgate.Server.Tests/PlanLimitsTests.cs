using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Seedgate.Core.Accounts;
using Seedgate.Core.Catalog;
using Seedgate.Core.Jobs;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>
/// Plans over the real HTTP API: the request rate (429 with Retry-After and X-RateLimit-*, on one node and across three
/// sharing PostgreSQL), the tasks-in-progress cap under both overflows, max_priority, the budget, and the issue's
/// acceptance run (25 Fast successes: 5 billed). Accounts on the "shipped" plan have every default of SPEC §3.
/// </summary>
public sealed class PlanLimitsTests
{
    private const string Ark = "/api/v3/contents/generations/tasks";
    private const string V1 = "/seedance/v1/videos";

    // A plan section with one key is a plan; every other field keeps its shipped default.
    private const string ShippedPlan = "--Seedgate:Plans:shipped:Weight=1";

    // seedance-2.0-fast, 720p, 5 s: $0.075.
    private static readonly object ArkFast = new
    {
        model = "seedance-2.0-fast",
        content = new object[] { new { type = "text", text = "a lighthouse at dusk" } },
        resolution = "720p",
        duration = 5,
    };

    private static readonly object V1Fast = new { model = "seedance-2.0-fast", prompt = "a lighthouse at dusk", resolution = "720p", duration = 5 };

    public static TheoryData<string> Dialects => new() { Ark, V1 };

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Ten_creates_at_once_on_the_shipped_plan_admit_two_and_refuse_the_rest_with_429(string path)
    {
        await using var gateway = await Gateway.StartAsync("--Seedgate:Dispatch:Enabled=false", ShippedPlan);
        using var client = await AccountAsync(gateway, "acme", "shipped");

        var clock = Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.PostAsJsonAsync(path, path == Ark ? ArkFast : V1Fast)));
        var elapsed = clock.Elapsed;
        try
        {
            var admitted = responses.Count(r => r.IsSuccessStatusCode);
            Assert.InRange(admitted, 2, 2 + (int)(elapsed.TotalSeconds * 2)); // the burst, plus what 2/s refilled meanwhile
            foreach (var response in responses)
            {
                Assert.Equal("2", Header(response, "X-RateLimit-Limit"));
                Assert.NotNull(Header(response, "X-RateLimit-Remaining"));
                Assert.NotNull(Header(response, "X-RateLimit-Reset"));
            }

            foreach (var refused in responses.Where(r => !r.IsSuccessStatusCode))
            {
                Assert.Equal(429, (int)refused.StatusCode);
                Assert.InRange(int.Parse(Header(refused, "Retry-After")!, System.Globalization.CultureInfo.InvariantCulture), 1, 1);
                Assert.Equal("0", Header(refused, "X-RateLimit-Remaining"));
                var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!;
                Assert.Equal(path == Ark ? "RateLimitExceeded" : "rate_limit_exceeded", (string?)error["code"]);
            }

            // Reads have a bucket of their own: polling goes on while creates wait.
            using var list = await client.GetAsync(path == Ark ? Ark : $"{V1}/cgt-00000000000000-00000000");
            Assert.NotEqual(429, (int)list.StatusCode);
            Assert.Equal("20", Header(list, "X-RateLimit-Limit"));
        }
        finally
        {
            Array.ForEach(responses, r => r.Dispose());
        }
    }

    [Fact]
    public async Task Three_nodes_on_one_database_admit_together_what_one_node_admits()
    {
        await using var database = await ClusterDatabase.CreateAsync();
        var nodes = new List<Gateway>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                nodes.Add(await Gateway.StartAsync(
                    "--Seedgate:Dispatch:Enabled=false", ShippedPlan, $"--Seedgate:Storage:Postgres={database.ConnectionString}", $"--Seedgate:NodeId=node-{i}"));
            }

            var key = await KeyAsync(nodes[0], "acme", "shipped");
            var clients = nodes.Select(n => Client(n, key)).ToArray();
            var clock = Stopwatch.StartNew();
            var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => clients[i % 3].PostAsJsonAsync(Ark, ArkFast)));
            var elapsed = clock.Elapsed;

            var admitted = responses.Count(r => r.IsSuccessStatusCode);
            Assert.InRange(admitted, 2, 2 + (int)(elapsed.TotalSeconds * 2)); // not 2 × 3: the bucket is the cluster's
            Assert.All(responses.Where(r => !r.IsSuccessStatusCode), r => Assert.Equal(429, (int)r.StatusCode));
            Array.ForEach(responses, r => r.Dispose());
            Array.ForEach(clients, c => c.Dispose());
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Under_queue_the_fourth_task_waits_queued_and_under_reject_it_gets_429_QuotaExceeded()
    {
        await using var gateway = await Gateway.StartAsync(
            "--Seedgate:Dispatch:Enabled=false",
            "--Seedgate:Plans:queue:Qps=1000", "--Seedgate:Plans:queue:MaxQueued=1",
            "--Seedgate:Plans:reject:Qps=1000", "--Seedgate:Plans:reject:Overflow=reject");
        using var queueing = await AccountAsync(gateway, "queueing", "queue");
        using var rejecting = await AccountAsync(gateway, "rejecting", "reject");

        var queued = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            queued.Add((string)(await CreateAsync(queueing, 200))["id"]!);
            await CreateAsync(rejecting, i < 3 ? 200 : 429, i < 3 ? null : "QuotaExceeded");
        }

        var beyondQueue = await CreateAsync(queueing, 429, "QuotaExceeded");
        Assert.Contains("max_queued", (string?)beyondQueue["error"]!["message"], StringComparison.Ordinal);

        // The claim this node's dispatcher would make starts three of the four; the fourth stays queued.
        var store = (IJobStore)gateway.Services.GetService(typeof(IJobStore))!;
        var caps = (IRunningCaps)gateway.Services.GetService(typeof(IRunningCaps))!;
        var started = await store.ClaimAsync("worker", 10, TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(1), caps, CancellationToken.None);
        Assert.Equal(queued[..3].Order(), started.Where(j => j.AccountId == "queueing").Select(j => j.Id).Order());
        var (_, fourth) = await gateway.GetAsync($"{Ark}/{queued[3]}", queueing);
        Assert.Equal("queued", (string?)fourth["status"]);
    }

    [Fact]
    public async Task A_priority_above_the_plans_max_is_refused_naming_the_field()
    {
        await using var gateway = await Gateway.StartAsync("--Seedgate:Dispatch:Enabled=false", "--Seedgate:Plans:shipped:Qps=1000");
        using var client = await AccountAsync(gateway, "acme", "shipped");
        var body = new { model = "seedance-2.0-fast", content = new object[] { new { type = "text", text = "a fox" } }, priority = 9 };

        var (status, refused) = await gateway.PostAsync(Ark, body, client);
        Assert.Equal((400, "priority"), (status, (string?)refused["error"]!["param"]));
        Assert.Contains("at most 5", (string?)refused["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(200, (await gateway.PostAsync(Ark, new { model = "seedance-2.0-fast", content = new object[] { new { type = "text", text = "a fox" } }, priority = 5 }, client)).Status);
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task A_create_that_would_pass_the_monthly_budget_is_a_403(string path)
    {
        await using var gateway = await Gateway.StartAsync(
            "--Seedgate:Dispatch:Enabled=false", "--Seedgate:Plans:capped:Qps=1000", "--Seedgate:Plans:capped:MonthlyBudgetUsd=0.15");
        using var client = await AccountAsync(gateway, "acme", "capped");
        var body = path == Ark ? ArkFast : V1Fast;

        Assert.Equal(200, (await gateway.PostAsync(path, body, client)).Status);
        Assert.Equal(200, (await gateway.PostAsync(path, body, client)).Status); // 2 × $0.075 = the budget
        var (status, refused) = await gateway.PostAsync(path, body, client);
        Assert.Equal((403, path == Ark ? "AccountOverdueError" : "budget_exceeded"), (status, (string?)refused["error"]!["code"]));

        var (_, balance) = await gateway.GetAsync("/v1/balance", client);
        Assert.Equal((150_000L, 0L), ((long)balance["budget_micros"]!, (long)balance["budget_left_micros"]!));
    }

    [Fact]
    public async Task Twenty_five_fast_successes_bill_five_and_the_balance_shows_exactly_0_375_dollars()
    {
        var catalog = Path.Combine(Path.GetTempPath(), $"seedgate-catalog-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(catalog, InstantFastCatalog());
        try
        {
            await using var gateway = await Gateway.StartAsync(
                $"--Seedgate:CatalogPath={catalog}", "--Seedgate:Engines:InstantTest:Enabled=true", "--Seedgate:Dispatch:PollInterval=00:00:00.050");
            var ids = new List<string>();
            for (var i = 0; i < 25; i++)
            {
                ids.Add((string)(await gateway.PostAsync(Ark, ArkFast)).Body["id"]!);
            }

            foreach (var id in ids)
            {
                Assert.Equal("succeeded", (string?)(await gateway.WaitArkAsync(id))["status"]);
            }

            var (_, balance) = await gateway.GetAsync("/v1/balance");
            Assert.Equal((375_000L, 0.375m, 0L), ((long)balance["charged_micros"]!, (decimal)balance["charged_usd"]!, (long)balance["reserved_micros"]!));
            Assert.Equal((20, 0), ((int)balance["free_fast_used"]!, (int)balance["free_fast_left"]!));
        }
        finally
        {
            File.Delete(catalog);
        }
    }

    /// <summary>The shipped catalog with seedance-2.0-fast routed to the instant test engine: real jobs, no rendering.</summary>
    private static string InstantFastCatalog()
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("Seedgate.Core.Catalog.catalog.json")!;
        var catalog = JsonNode.Parse(stream)!;
        var fast = catalog["models"]!.AsArray().Single(m => (string?)m!["id"] == "seedance-2.0-fast")!;
        fast["route"] = new JsonObject { ["engine"] = "instant-test" };
        return catalog.ToJsonString();
    }

    private static async Task<JsonObject> CreateAsync(HttpClient client, int status, string? code = null)
    {
        using var response = await client.PostAsJsonAsync(Ark, ArkFast);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(status, (int)response.StatusCode);
        if (code is not null)
        {
            Assert.Equal(code, (string?)body["error"]!["code"]);
        }

        return body;
    }

    private static async Task<HttpClient> AccountAsync(Gateway gateway, string accountId, string plan) =>
        Client(gateway, await KeyAsync(gateway, accountId, plan));

    private static async Task<string> KeyAsync(Gateway gateway, string accountId, string plan)
    {
        var accounts = (IAccountStore)gateway.Services.GetService(typeof(IAccountStore))!;
        var now = TimeProvider.System.GetUtcNow();
        Assert.True(await accounts.CreateAccountAsync(new Account(accountId, accountId, plan, "{}", now, now), CancellationToken.None));
        var (key, record) = ApiKeys.Create(accountId, "test", now);
        await accounts.AddApiKeyAsync(record, CancellationToken.None);
        return key;
    }

    private static HttpClient Client(Gateway gateway, string key)
    {
        var client = new HttpClient(new SocketsHttpHandler()) { BaseAddress = gateway.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
}
