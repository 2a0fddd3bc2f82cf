using System.Net;
using System.Text.Json.Nodes;
using Seedgate.Client;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>The SDK's <see cref="SeedgateAdminClient"/> against a real gateway: typed answers, typed errors.</summary>
public sealed class AdminClientTests : IClassFixture<ApiOnlyGatewayFixture>, IDisposable
{
    private readonly Gateway _gateway;
    private readonly HttpClient _http = new(new SocketsHttpHandler());

    public AdminClientTests(ApiOnlyGatewayFixture fixture) => _gateway = fixture.Gateway;

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Accounts_keys_and_credits_round_trip_as_typed_records()
    {
        var admin = Client(Gateway.AdminKey);
        var id = "sdk-" + Guid.NewGuid().ToString("n")[..10];

        var created = await admin.CreateAccountAsync(new CreateAccountRequest { Id = id, Name = "SDK", Overrides = new JsonObject { ["max_in_progress"] = 4 } });
        Assert.Equal((id, "SDK", "default", 4), (created.Id, created.Name, created.Plan, created.EffectivePlan.MaxInProgress));
        Assert.Equal("queue", created.EffectivePlan.Overflow);

        var updated = await admin.UpdateAccountAsync(id, new UpdateAccountRequest { Name = "SDK 2", Overrides = new JsonObject { ["max_in_progress"] = null, ["overflow"] = "reject" } });
        Assert.Equal(("SDK 2", """{"overflow":"reject"}"""), (updated.Name, updated.Overrides.ToJsonString()));
        var cleared = await admin.UpdateAccountAsync(id, new UpdateAccountRequest { ClearOverrides = true });
        Assert.Empty(cleared.Overrides);
        Assert.Contains(await admin.ListAccountsAsync(), a => a.Id == id);

        var key = await admin.CreateKeyAsync(id, "laptop");
        Assert.StartsWith(key.Prefix, key.Key, StringComparison.Ordinal);
        var tenant = new SeedgateClient(_http, new SeedgateClientOptions { BaseAddress = _gateway.BaseAddress, ApiKey = key.Key });
        Assert.Equal(0, (await tenant.ListTasksAsync()).Total);

        var credit = await admin.AddCreditAsync(id, 2.5m, "trial");
        Assert.Equal((2_500_000L, 2_500_000L, "trial"), (credit.AmountMicros, credit.BalanceMicros, credit.Note));
        var read = await admin.GetAccountAsync(id);
        Assert.Equal(2_500_000L, read.Balance!.CreditMicros);

        var revoked = await admin.RevokeKeyAsync(key.Id);
        Assert.Equal((false, key.Id), (revoked.AlreadyRevoked, revoked.Id));
        Assert.True((await admin.RevokeKeyAsync(key.Id)).AlreadyRevoked);
        Assert.NotNull(Assert.Single(await admin.ListKeysAsync(id)).RevokedAt);
        var refused = await Assert.ThrowsAnyAsync<SeedgateApiException>(() => tenant.ListTasksAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Refusals_are_SeedgateApiExceptions_with_the_code_and_the_request_id()
    {
        var missing = await Assert.ThrowsAnyAsync<SeedgateApiException>(() => Client(Gateway.AdminKey).GetAccountAsync("nobody-here"));
        Assert.Equal((HttpStatusCode.NotFound, "NotFound"), (missing.StatusCode, missing.Code));
        Assert.NotNull(missing.RequestId);

        var bad = await Assert.ThrowsAnyAsync<SeedgateApiException>(
            () => Client(Gateway.AdminKey).CreateAccountAsync(new CreateAccountRequest { Name = "x", Overrides = new JsonObject { ["speed"] = 1 } }));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameter"), (bad.StatusCode, bad.Code));
        Assert.Contains("overrides.speed", bad.Message, StringComparison.Ordinal);

        var tenant = await Assert.ThrowsAnyAsync<SeedgateApiException>(() => Client(Gateway.Key).ListAccountsAsync());
        Assert.Equal((HttpStatusCode.Forbidden, "AccessDenied"), (tenant.StatusCode, tenant.Code));
    }

    private SeedgateAdminClient Client(string key) =>
        new(_http, new SeedgateClientOptions { BaseAddress = _gateway.BaseAddress, ApiKey = key, RetryBaseDelay = TimeSpan.FromMilliseconds(5) });
}
