using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary><c>/v1/keys</c>: a tenant creates, lists and revokes its own keys, and cannot touch another account's.</summary>
public sealed class SelfServiceKeyTests
{
    [Fact]
    public async Task A_tenant_manages_its_own_keys_and_never_anothers()
    {
        await using var gateway = await Gateway.StartInstantAsync();
        using var alice = await gateway.AddTenantAsync("alice-" + Guid.NewGuid().ToString("n")[..6]);
        using var bob = await gateway.AddTenantAsync("bob-" + Guid.NewGuid().ToString("n")[..6]);

        var (status, created) = await gateway.PostAsync("/v1/keys", new { name = "ci" }, alice);
        Assert.Equal(201, status);
        var key = (string)created["key"]!;
        var id = (string)created["id"]!;
        Assert.StartsWith((string)created["prefix"]!, key, StringComparison.Ordinal);

        var (_, list) = await gateway.GetAsync("/v1/keys", alice);
        var listed = list["items"]!.AsArray().Single(k => (string?)k!["id"] == id)!;
        Assert.Equal("ci", (string?)listed["name"]);
        Assert.DoesNotContain(key, list.ToJsonString(), StringComparison.Ordinal); // by prefix, never the key
        Assert.DoesNotContain(id, (await gateway.GetAsync("/v1/keys", bob)).Body.ToJsonString(), StringComparison.Ordinal);

        var (bobRevokes, refused) = await gateway.SendAsync(HttpMethod.Delete, "/v1/keys/" + id, client: bob);
        Assert.Equal((404, "NotFound"), (bobRevokes, (string?)refused["error"]!["code"]));
        using var withNewKey = gateway.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await withNewKey.GetAsync("/v1/balance")).StatusCode);

        var (revoked, body) = await gateway.SendAsync(HttpMethod.Delete, "/v1/keys/" + id, client: alice);
        Assert.Equal(200, revoked);
        Assert.NotNull((string?)body["revoked_at"]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await withNewKey.GetAsync("/v1/balance")).StatusCode);

        var (badName, error) = await gateway.PostAsync("/v1/keys", new { name = new string('x', 300) }, alice);
        Assert.Equal((400, "name"), (badName, (string?)error["error"]!["param"]));
    }
}
