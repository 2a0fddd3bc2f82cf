using Seedgate.Core.Accounts;

namespace Seedgate.Core.Tests.Storage;

/// <summary>What every <see cref="IAccountStore"/> must do; providers derive and supply stores over a fresh database.</summary>
public abstract class AccountStoreCompliance
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, 89, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>
    /// A store over this test's database, which is empty at the first call in each test. Every call returns a new
    /// store instance over the same database, as another process would open it.
    /// </summary>
    protected abstract Task<IAccountStore> CreateStoreAsync();

    [Fact]
    public async Task Ensure_account_is_idempotent()
    {
        var store = await CreateStoreAsync();
        await store.EnsureAccountAsync("acct-a", "Team A", T0, None);
        await store.EnsureAccountAsync("acct-a", "Renamed", T0.AddDays(1), None);
        await (await CreateStoreAsync()).EnsureAccountAsync("acct-a", "Team A", T0, None);

        var (key, record) = ApiKeys.Create("acct-a", "ci", T0);
        await store.AddApiKeyAsync(record, None);
        Assert.Equal("acct-a", (await store.FindApiKeyAsync(ApiKeys.Hash(key), None))!.AccountId);
    }

    [Fact]
    public async Task Key_is_found_by_its_hash_only()
    {
        var store = await CreateStoreAsync();
        await store.EnsureAccountAsync("acct-a", "Team A", T0, None);
        await store.EnsureAccountAsync("acct-b", "Team B", T0, None);
        var (keyA, recordA) = ApiKeys.Create("acct-a", "laptop", T0);
        var (keyB, recordB) = ApiKeys.Create("acct-b", "server", T0.AddSeconds(1));
        await store.AddApiKeyAsync(recordA, None);
        await store.AddApiKeyAsync(recordB, None);

        Assert.Equal(recordA, await store.FindApiKeyAsync(ApiKeys.Hash(keyA), None));
        Assert.Equal(recordB, await (await CreateStoreAsync()).FindApiKeyAsync(ApiKeys.Hash(keyB), None));
        Assert.Null(await store.FindApiKeyAsync(ApiKeys.Hash("sg-unknown"), None));
        Assert.Null(await store.FindApiKeyAsync(keyA, None));
        Assert.Null(await store.FindApiKeyAsync("", None));
    }

    [Fact]
    public async Task Key_needs_an_existing_account_and_a_new_hash()
    {
        var store = await CreateStoreAsync();
        var (_, orphan) = ApiKeys.Create("acct-missing", "x", T0);
        await Assert.ThrowsAnyAsync<Exception>(() => store.AddApiKeyAsync(orphan, None));

        await store.EnsureAccountAsync("acct-a", "Team A", T0, None);
        var (key, record) = ApiKeys.Create("acct-a", "one", T0);
        await store.AddApiKeyAsync(record, None);
        await Assert.ThrowsAnyAsync<Exception>(() => store.AddApiKeyAsync(record with { Id = "key-other", Name = "two" }, None));
        Assert.Equal(record, await store.FindApiKeyAsync(ApiKeys.Hash(key), None));
    }

    [Fact]
    public async Task Accounts_are_created_once_read_listed_oldest_first_and_replaced()
    {
        var store = await CreateStoreAsync();
        var b = new Account("acct-b", "Team B", "pro", """{"max_in_progress":10}""", T0.AddSeconds(1), T0.AddSeconds(1));
        var a = new Account("acct-a", "Team A", "default", "{}", T0, T0);
        Assert.True(await store.CreateAccountAsync(b, None));
        Assert.True(await store.CreateAccountAsync(a, None));
        Assert.False(await (await CreateStoreAsync()).CreateAccountAsync(a with { Name = "Impostor" }, None));

        Assert.Equal(b, await store.GetAccountAsync("acct-b", None));
        Assert.Null(await store.GetAccountAsync("acct-missing", None));
        Assert.Equal(["acct-a", "acct-b"], (await store.ListAccountsAsync(None)).Select(x => x.Id));

        var changed = b with { Name = "Team B2", Plan = "default", Overrides = "{}", UpdatedAt = T0.AddDays(1) };
        Assert.True(await store.UpdateAccountAsync(changed, None));
        Assert.False(await store.UpdateAccountAsync(changed with { Id = "acct-missing" }, None));
        Assert.Equal(changed, await (await CreateStoreAsync()).GetAccountAsync("acct-b", None));
    }

    [Fact]
    public async Task A_key_is_read_by_id_listed_per_account_and_revoked_once()
    {
        var store = await CreateStoreAsync();
        await store.EnsureAccountAsync("acct-a", "Team A", T0, None);
        await store.EnsureAccountAsync("acct-b", "Team B", T0, None);
        var (key, first) = ApiKeys.Create("acct-a", "laptop", T0);
        var (_, second) = ApiKeys.Create("acct-a", "server", T0.AddSeconds(1));
        var (_, other) = ApiKeys.Create("acct-b", "theirs", T0);
        foreach (var record in (ApiKeyRecord[])[second, first, other])
        {
            await store.AddApiKeyAsync(record, None);
        }

        Assert.Equal(first, await store.GetApiKeyAsync(first.Id, None));
        Assert.Null(await store.GetApiKeyAsync("key-missing", None));
        Assert.Equal([first, second], await store.ListApiKeysAsync("acct-a", None));

        Assert.True(await store.RevokeApiKeyAsync(first.Id, T0.AddMinutes(1), None));
        Assert.False(await (await CreateStoreAsync()).RevokeApiKeyAsync(first.Id, T0.AddMinutes(2), None));
        Assert.False(await store.RevokeApiKeyAsync("key-missing", T0, None));
        Assert.Null(await store.FindApiKeyAsync(ApiKeys.Hash(key), None));
        Assert.Equal(first with { RevokedAt = T0.AddMinutes(1) }, await store.GetApiKeyAsync(first.Id, None));
        Assert.Equal(T0.AddMinutes(1), (await store.ListApiKeysAsync("acct-a", None))[0].RevokedAt);
    }

    [Fact]
    public async Task Secret_is_kept_by_the_first_writer()
    {
        var store = await CreateStoreAsync();
        byte[] first = [1, 2, 3, 0, 255];
        Assert.Equal(first, await store.GetOrAddSecretAsync("url-signing", first, None));
        Assert.Equal(first, await store.GetOrAddSecretAsync("url-signing", [9, 9, 9], None));
        Assert.Equal(first, await (await CreateStoreAsync()).GetOrAddSecretAsync("url-signing", [7], None));
        Assert.Equal([7, 7], await store.GetOrAddSecretAsync("webhook-signing", [7, 7], None));
    }

    [Fact]
    public async Task Concurrent_callers_all_get_the_same_secret()
    {
        const int Callers = 8;
        var stores = new IAccountStore[Callers];
        for (var i = 0; i < Callers; i++)
        {
            stores[i] = await CreateStoreAsync();
        }

        var candidates = Enumerable.Range(0, Callers).Select(i => Enumerable.Repeat((byte)(i + 1), 32).ToArray()).ToArray();
        using var start = new ManualResetEventSlim();
        var calls = Enumerable.Range(0, Callers).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await stores[i].GetOrAddSecretAsync("shared", candidates[i], None);
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(calls);

        Assert.Contains(candidates, c => c.SequenceEqual(results[0]));
        Assert.All(results, r => Assert.Equal(results[0], r));
        Assert.Equal(results[0], await stores[0].GetOrAddSecretAsync("shared", [0], None));
    }
}
