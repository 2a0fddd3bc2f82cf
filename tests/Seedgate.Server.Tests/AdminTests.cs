using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>The admin API over real HTTP: who may call it, every route's answers and refusals, and keys that work and stop working.</summary>
public sealed class AdminTests : IClassFixture<ApiOnlyGatewayFixture>
{
    private const string Accounts = "/admin/v1/accounts";
    private const string Ark = "/api/v3/contents/generations/tasks";

    private static readonly (string Method, string Path)[] Routes =
    [
        ("POST", Accounts), ("GET", Accounts), ("GET", $"{Accounts}/default"), ("PATCH", $"{Accounts}/default"),
        ("POST", $"{Accounts}/default/keys"), ("GET", $"{Accounts}/default/keys"), ("DELETE", "/admin/v1/keys/key-x"),
        ("POST", $"{Accounts}/default/credits"),
    ];

    private readonly Gateway _gateway;

    public AdminTests(ApiOnlyGatewayFixture fixture) => _gateway = fixture.Gateway;

    public static TheoryData<string, string> EveryRoute()
    {
        var data = new TheoryData<string, string>();
        foreach (var (method, path) in Routes)
        {
            data.Add(method, path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryRoute))]
    public async Task Every_admin_route_refuses_API_keys_with_403_and_bad_or_missing_keys_with_401(string method, string path)
    {
        var (_, tenantKey) = await NewAccountWithKeyAsync();
        foreach (var (key, status) in ((string?, int)[])[(Gateway.Key, 403), (tenantKey, 403), (null, 401), ("sg-unknown-key", 401)])
        {
            using var client = _gateway.Client(key);
            var (actual, body) = await _gateway.SendAsync(new HttpMethod(method), path, method is "POST" or "PATCH" ? new { name = "x" } : null, client);
            Assert.True(status == actual, $"{method} {path} with {key ?? "no key"}: {actual} {body.ToJsonString()}");
            AssertNeutralError(body, status == 403 ? "AccessDenied" : "AuthenticationError");
        }

        using var malformed = new HttpRequestMessage(new HttpMethod(method), path);
        malformed.Headers.TryAddWithoutValidation("Authorization", $"Basic {Gateway.AdminKey}");
        using var response = await _gateway.Http.SendAsync(malformed);
        Assert.Equal(401, (int)response.StatusCode);
    }

    [Fact]
    public async Task Without_an_admin_key_configured_the_admin_API_is_off_even_for_the_would_be_admin_key()
    {
        await using var gateway = await Gateway.StartAsync("--Seedgate:Dispatch:Enabled=false", "--SEEDGATE_ADMIN_KEY=");

        foreach (var key in (string?[])[Gateway.AdminKey, Gateway.Key, null])
        {
            using var client = gateway.Client(key);
            var (status, body) = await gateway.GetAsync(Accounts, client);
            Assert.Equal(403, status);
            AssertNeutralError(body, "AccessDenied");
            Assert.Contains("SEEDGATE_ADMIN_KEY", (string?)body["error"]!["message"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_admin_key_is_not_an_API_key()
    {
        var (status, body) = await _gateway.GetAsync(Ark, _gateway.Admin);
        Assert.Equal(401, status);
        Assert.Equal("AuthenticationError", (string?)body["error"]!["code"]);
        Assert.Equal(401, (await _gateway.GetAsync("/v1/balance", _gateway.Admin)).Status);
    }

    [Fact]
    public async Task Create_answers_201_with_the_account_its_effective_plan_and_a_location_and_409_for_a_taken_id()
    {
        var id = NewId();
        using var response = await _gateway.Admin.PostAsJsonAsync(
            Accounts, new { id, name = "Acme", plan = "default", overrides = new { max_in_progress = 9, overflow = "reject" } });
        var account = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal(201, (int)response.StatusCode);
        Assert.Equal($"{Accounts}/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal((id, "Acme", "default"), ((string?)account["id"], (string?)account["name"], (string?)account["plan"]));
        Assert.Equal("""{"max_in_progress":9,"overflow":"reject"}""", account["overrides"]!.ToJsonString());
        var plan = account["effective_plan"]!;
        Assert.Equal((9, "reject", 100000.0, 100000), ((int)plan["max_in_progress"]!, (string?)plan["overflow"], (double)plan["qps"]!, (int)plan["burst"]!));
        Assert.Null(plan["monthly_budget_usd"]);
        Assert.True(plan.AsObject().ContainsKey("monthly_budget_usd"));
        Assert.NotNull((string?)account["created_at"]);

        var (again, error) = await _gateway.PostAsync(Accounts, new { id, name = "Other" }, _gateway.Admin);
        Assert.Equal(409, again);
        AssertNeutralError(error, "AlreadyExists");
    }

    [Fact]
    public async Task Create_without_an_id_makes_one()
    {
        var (status, account) = await _gateway.PostAsync(Accounts, new { name = "Anonymous" }, _gateway.Admin);
        Assert.Equal(201, status);
        Assert.Matches("^acct-[a-z0-9]{12}$", (string?)account["id"]);
    }

    [Theory]
    [InlineData("""{"id":"Upper","name":"x"}""", "id")]
    [InlineData("""{"id":"","name":"x"}""", "id")]
    [InlineData("""{"id":7,"name":"x"}""", "id")]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"plan":"default"}""", "name")]
    [InlineData("""{"name":["x"]}""", "name")]
    [InlineData("""{"name":"x","plan":"platinum"}""", "plan")]
    [InlineData("""{"name":"x","overrides":[1]}""", "overrides")]
    [InlineData("""{"name":"x","overrides":{"max_in_progres":1}}""", "overrides.max_in_progres")]
    [InlineData("""{"name":"x","overrides":{"max_in_progress":"1"}}""", "overrides.max_in_progress")]
    [InlineData("""{"name":"x","overrides":{"max_in_progress":0}}""", "overrides.max_in_progress")]
    [InlineData("""{"name":"x","overrides":{"qps":-1}}""", "overrides.qps")]
    [InlineData("""{"name":"x","overrides":{"overflow":"drop"}}""", "overrides.overflow")]
    [InlineData("""{"name":"x","colour":"red"}""", "colour")]
    public async Task Create_refuses_a_bad_field_with_400_naming_it(string json, string field)
    {
        var (status, body) = await SendJsonAsync(HttpMethod.Post, Accounts, json);
        Assert.Equal(400, status);
        Assert.Contains(field, (string?)body["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_shows_the_effective_plan_and_the_money_and_list_shows_every_account()
    {
        var id = NewId();
        await _gateway.PostAsync(Accounts, new { id, name = "Acme", overrides = new { monthly_budget_usd = 50 } }, _gateway.Admin);

        var (status, account) = await _gateway.GetAsync($"{Accounts}/{id}", _gateway.Admin);
        Assert.Equal(200, status);
        Assert.Equal(50m, (decimal)account["effective_plan"]!["monthly_budget_usd"]!);
        var balance = account["balance"]!;
        Assert.Equal((id, 50_000_000L, 0L, 0L), ((string?)balance["account_id"], (long)balance["budget_left_micros"]!, (long)balance["credit_micros"]!, (long)balance["balance_micros"]!));

        var (listed, list) = await _gateway.GetAsync(Accounts, _gateway.Admin);
        Assert.Equal(200, listed);
        var ids = list["items"]!.AsArray().Select(a => (string?)a!["id"]).ToList();
        Assert.Contains("default", ids);
        Assert.Contains(id, ids);
        Assert.Equal(ids.Count, (int)list["total"]!);
        Assert.All(list["items"]!.AsArray(), a => Assert.Null(a!["balance"]));

        var (missing, error) = await _gateway.GetAsync($"{Accounts}/nobody-here", _gateway.Admin);
        Assert.Equal(404, missing);
        AssertNeutralError(error, "NotFound");
    }

    [Fact]
    public async Task Patch_merges_overrides_null_removes_one_and_overrides_null_removes_all()
    {
        var id = NewId();
        await _gateway.PostAsync(Accounts, new { id, name = "Acme", overrides = new { max_in_progress = 9, weight = 2 } }, _gateway.Admin);

        var (status, patched) = await SendJsonAsync(HttpMethod.Patch, $"{Accounts}/{id}", """{"name":"Acme Inc","overrides":{"weight":null,"max_queued":7}}""");
        Assert.Equal(200, status);
        Assert.Equal("Acme Inc", (string?)patched["name"]);
        Assert.Equal("""{"max_in_progress":9,"max_queued":7}""", patched["overrides"]!.ToJsonString());
        Assert.Equal(1, (int)patched["effective_plan"]!["weight"]!);
        Assert.False((bool)patched["effective_plan"]!["upscale_small_images"]!);

        var (_, upscaling) = await SendJsonAsync(HttpMethod.Patch, $"{Accounts}/{id}", """{"overrides":{"upscale_small_images":true}}""");
        Assert.True((bool)upscaling["effective_plan"]!["upscale_small_images"]!);
        Assert.Equal("""{"max_in_progress":9,"max_queued":7,"upscale_small_images":true}""", upscaling["overrides"]!.ToJsonString());

        var (_, cleared) = await SendJsonAsync(HttpMethod.Patch, $"{Accounts}/{id}", """{"overrides":null}""", "application/merge-patch+json");
        Assert.Equal("{}", cleared["overrides"]!.ToJsonString());
        Assert.Equal("Acme Inc", (string?)cleared["name"]);
        var (_, read) = await _gateway.GetAsync($"{Accounts}/{id}", _gateway.Admin);
        Assert.Equal(1000, (int)read["effective_plan"]!["max_in_progress"]!); // the test gateways' default plan
    }

    [Theory]
    [InlineData("""{"name":null}""", "name", 400)]
    [InlineData("""{"plan":null}""", "plan", 400)]
    [InlineData("""{"plan":"platinum"}""", "plan", 400)]
    [InlineData("""{"overrides":{"weight":0}}""", "overrides.weight", 400)]
    [InlineData("""{"overrides":{"speed":1}}""", "overrides.speed", 400)]
    [InlineData("""{"overrides":{"upscale_small_images":"yes"}}""", "overrides.upscale_small_images", 400)]
    [InlineData("""{"id":"renamed"}""", "id", 400)]
    public async Task Patch_refuses_a_bad_change_naming_the_field_and_changes_nothing(string json, string field, int expected)
    {
        var id = NewId();
        var (_, before) = await _gateway.PostAsync(Accounts, new { id, name = "Acme" }, _gateway.Admin);

        var (status, body) = await SendJsonAsync(HttpMethod.Patch, $"{Accounts}/{id}", json);

        Assert.Equal(expected, status);
        Assert.Contains(field, (string?)body["error"]!["message"], StringComparison.Ordinal);
        var (_, after) = await _gateway.GetAsync($"{Accounts}/{id}", _gateway.Admin);
        Assert.Equal(before["updated_at"]!.ToJsonString(), after["updated_at"]!.ToJsonString());
    }

    [Fact]
    public async Task Patch_of_an_unknown_account_is_404()
    {
        var (status, body) = await SendJsonAsync(HttpMethod.Patch, $"{Accounts}/nobody-here", """{"name":"x"}""");
        Assert.Equal(404, status);
        AssertNeutralError(body, "NotFound");
    }

    [Fact]
    public async Task A_created_key_is_shown_once_works_on_the_dialects_and_stops_working_when_revoked()
    {
        var id = NewId();
        await _gateway.PostAsync(Accounts, new { id, name = "Acme" }, _gateway.Admin);
        var (created, key) = await _gateway.PostAsync($"{Accounts}/{id}/keys", new { name = "ci" }, _gateway.Admin);
        Assert.Equal(201, created);
        var secret = (string)key["key"]!;
        Assert.StartsWith("sg-", secret, StringComparison.Ordinal);
        Assert.Equal((id, "ci", secret[..7]), ((string?)key["account_id"], (string?)key["name"], (string?)key["prefix"]));

        using var tenant = _gateway.Client(secret);
        Assert.Equal(200, (await _gateway.GetAsync(Ark, tenant)).Status);
        Assert.Equal(404, (await _gateway.GetAsync("/seedance/v1/videos/cgt-20260101000000-abcdefgh", tenant)).Status); // known key: no such job, not a 401
        Assert.Equal(id, (string?)(await _gateway.GetAsync("/v1/balance", tenant)).Body["account_id"]);

        var (listed, keys) = await _gateway.GetAsync($"{Accounts}/{id}/keys", _gateway.Admin);
        Assert.Equal(200, listed);
        var item = Assert.Single(keys["items"]!.AsArray())!.AsObject();
        Assert.Equal(["account_id", "created_at", "id", "name", "prefix", "revoked_at"], item.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(secret, keys.ToJsonString(), StringComparison.Ordinal);

        var (revoked, first) = await _gateway.SendAsync(HttpMethod.Delete, $"/admin/v1/keys/{key["id"]}", client: _gateway.Admin);
        Assert.Equal(200, revoked);
        Assert.False((bool)first["already_revoked"]!);
        Assert.NotNull((string?)first["revoked_at"]);

        // Revoked through this node: refused at once, not after the cache lifetime.
        var (refused, error) = await _gateway.GetAsync(Ark, tenant);
        Assert.Equal(401, refused);
        Assert.Equal("AuthenticationError", (string?)error["error"]!["code"]);

        var (again, second) = await _gateway.SendAsync(HttpMethod.Delete, $"/admin/v1/keys/{key["id"]}", client: _gateway.Admin);
        Assert.Equal(200, again);
        Assert.True((bool)second["already_revoked"]!);
        Assert.Equal(first["revoked_at"]!.ToJsonString(), second["revoked_at"]!.ToJsonString());
        Assert.NotNull((await _gateway.GetAsync($"{Accounts}/{id}/keys", _gateway.Admin)).Body["items"]![0]!["revoked_at"]);
    }

    [Fact]
    public async Task Keys_of_unknown_accounts_and_unknown_keys_are_404_and_a_key_needs_a_name()
    {
        Assert.Equal(404, (await _gateway.PostAsync($"{Accounts}/nobody-here/keys", new { name = "ci" }, _gateway.Admin)).Status);
        Assert.Equal(404, (await _gateway.GetAsync($"{Accounts}/nobody-here/keys", _gateway.Admin)).Status);
        var (status, body) = await _gateway.SendAsync(HttpMethod.Delete, "/admin/v1/keys/key-nonexistent", client: _gateway.Admin);
        Assert.Equal(404, status);
        AssertNeutralError(body, "NotFound");

        var (unnamed, error) = await SendJsonAsync(HttpMethod.Post, $"{Accounts}/default/keys", "{}");
        Assert.Equal(400, unnamed);
        Assert.Contains("name", (string?)error["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_credit_answers_201_with_its_entry_and_the_new_balance_which_the_tenant_sees()
    {
        var (id, secret) = await NewAccountWithKeyAsync();

        var (status, entry) = await SendJsonAsync(HttpMethod.Post, $"{Accounts}/{id}/credits", """{"amount_usd":12.345678,"note":"welcome"}""");
        var (_, adjustment) = await SendJsonAsync(HttpMethod.Post, $"{Accounts}/{id}/credits", """{"amount_usd":-2.345678}""");

        Assert.Equal(201, status);
        Assert.True((long)entry["entry_id"]! > 0);
        Assert.Equal((12_345_678L, 12.345678m, "welcome", 12_345_678L), ((long)entry["amount_micros"]!, (decimal)entry["amount_usd"]!, (string?)entry["note"], (long)entry["balance_micros"]!));
        Assert.Equal((10_000_000L, 10m), ((long)adjustment["balance_micros"]!, (decimal)adjustment["balance_usd"]!));
        using var tenant = _gateway.Client(secret);
        Assert.Equal(10_000_000L, (long)(await _gateway.GetAsync("/v1/balance", tenant)).Body["balance_micros"]!);
        Assert.Equal(10_000_000L, (long)(await _gateway.GetAsync($"{Accounts}/{id}", _gateway.Admin)).Body["balance"]!["credit_micros"]!);
    }

    [Theory]
    [InlineData("""{}""", "amount_usd", 400)]
    [InlineData("""{"amount_usd":0}""", "amount_usd", 400)]
    [InlineData("""{"amount_usd":"5"}""", "amount_usd", 400)]
    [InlineData("""{"amount_usd":0.0000001}""", "amount_usd", 400)]
    [InlineData("""{"amount_usd":1e30}""", "amount_usd", 400)]
    [InlineData("""{"amount_usd":1,"note":5}""", "note", 400)]
    [InlineData("""{"amount_usd":1,"reason":"x"}""", "reason", 400)]
    public async Task A_bad_credit_is_400_naming_the_field(string json, string field, int expected)
    {
        var (status, body) = await SendJsonAsync(HttpMethod.Post, $"{Accounts}/default/credits", json);
        Assert.Equal(expected, status);
        Assert.Contains(field, (string?)body["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_credit_to_an_unknown_account_is_404()
    {
        var (status, body) = await SendJsonAsync(HttpMethod.Post, $"{Accounts}/nobody-here/credits", """{"amount_usd":1}""");
        Assert.Equal(404, status);
        AssertNeutralError(body, "NotFound");
    }

    [Fact]
    public async Task A_key_revoked_on_one_node_is_refused_by_another_within_two_seconds()
    {
        await using var first = await Gateway.StartAsync("--Seedgate:Dispatch:Enabled=false");
        await using var second = await first.StartSiblingAsync();
        var id = NewId();
        await first.PostAsync(Accounts, new { id, name = "Acme" }, first.Admin);
        var (_, key) = await first.PostAsync($"{Accounts}/{id}/keys", new { name = "ci" }, first.Admin);
        using var tenant = second.Client((string)key["key"]!);
        Assert.Equal(200, (await second.GetAsync(Ark, tenant)).Status); // now in the second node's cache

        var (revoked, _) = await first.SendAsync(HttpMethod.Delete, $"/admin/v1/keys/{key["id"]}", client: first.Admin);
        Assert.Equal(200, revoked);
        var clock = Stopwatch.StartNew();
        int status;
        while ((status = (await second.GetAsync(Ark, tenant)).Status) == 200 && clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            await Task.Delay(20);
        }

        Assert.Equal(401, status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"refused after {clock.Elapsed}");
    }

    private static string NewId() => "acct-" + Guid.NewGuid().ToString("n")[..10];

    private async Task<(string Id, string Key)> NewAccountWithKeyAsync()
    {
        var id = NewId();
        var (created, _) = await _gateway.PostAsync(Accounts, new { id, name = "Tenant" }, _gateway.Admin);
        Assert.Equal(201, created);
        var (_, key) = await _gateway.PostAsync($"{Accounts}/{id}/keys", new { name = "tenant" }, _gateway.Admin);
        return (id, (string)key["key"]!);
    }

    private async Task<(int Status, JsonObject Body)> SendJsonAsync(HttpMethod method, string path, string json, string mediaType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, mediaType) };
        using var response = await _gateway.Admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject());
    }

    private static void AssertNeutralError(JsonObject body, string code)
    {
        var error = Assert.IsType<JsonObject>(body["error"]);
        Assert.Subset(new HashSet<string>(["code", "message", "param"]), error.Select(p => p.Key).ToHashSet()); // param: the field at fault, when one is
        Assert.NotNull((string?)error["message"]);
        Assert.Equal(code, (string?)error["code"]);
    }
}
