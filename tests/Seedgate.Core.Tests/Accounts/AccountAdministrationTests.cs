using System.Text.Json.Nodes;
using Seedgate.Core.Accounts;
using Seedgate.Core.Generation;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Tests.Storage;

namespace Seedgate.Core.Tests.Accounts;

/// <summary>The admin operations on a real SQLite store: what they check, and the merge-patch rules of overrides.</summary>
public sealed class AccountAdministrationTests : IAsyncLifetime, IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempSqliteFile _file = new();
    private readonly Plans _plans = new(new Dictionary<string, Plan> { ["pro"] = new() { MaxInProgress = 10, Qps = 5 } });
    private AccountAdministration _admin = null!;
    private SqlAccountStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new SqlAccountStore(await _file.OpenAsync());
        _admin = new AccountAdministration(_store, _plans, TimeProvider.System);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task Create_stores_the_plan_and_overrides_and_resolves_the_effective_plan()
    {
        var created = await _admin.CreateAsync(new NewAccount("acme", " Acme ", "pro", new JsonObject { ["overflow"] = "reject", ["weight"] = null }), None);

        Assert.Equal(("acme", "Acme", "pro", """{"overflow":"reject"}"""), (created.Account.Id, created.Account.Name, created.Account.Plan, created.Account.Overrides));
        Assert.Equal((10, 5.0, Overflow.Reject), (created.Effective.MaxInProgress, created.Effective.Qps, created.Effective.Overflow));
        Assert.Equal(created.Account, await _store.GetAccountAsync("acme", None));
        Assert.Equal(created.Effective, (await _admin.GetAsync("acme", None)).Effective);
    }

    [Fact]
    public async Task Create_without_an_id_makes_one_and_a_taken_id_is_AlreadyExists()
    {
        var made = await _admin.CreateAsync(new NewAccount(null, "Anonymous"), None);
        Assert.Matches("^acct-[a-z0-9]{12}$", made.Account.Id);
        Assert.Equal(Plans.DefaultName, made.Account.Plan);

        var taken = await Refused(() => _admin.CreateAsync(new NewAccount(made.Account.Id, "Again"), None));
        Assert.Equal((ErrorCodes.AlreadyExists, "id"), (taken.Code, taken.Param));
    }

    [Theory]
    [InlineData("", "Acme", "default", "id")]
    [InlineData("Acme", "Acme", "default", "id")]
    [InlineData("a.b", "Acme", "default", "id")]
    [InlineData("a-very-long-id-a-very-long-id-a-very-long-id-a-very-long-id-12345", "Acme", "default", "id")]
    [InlineData("acme", null, "default", "name")]
    [InlineData("acme", "   ", "default", "name")]
    [InlineData("acme", "two\nlines", "default", "name")]
    [InlineData("acme", "Acme", "gold", "plan")]
    public async Task Create_names_the_field_that_is_wrong(string id, string? name, string plan, string param)
    {
        var error = await Refused(() => _admin.CreateAsync(new NewAccount(id, name, plan), None));
        Assert.Equal(param, error.Param);
        Assert.Contains(param, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await _store.ListAccountsAsync(None), a => a.Id == id);
    }

    [Theory]
    [InlineData("""{"max_inprogress":3}""", "overrides.max_inprogress")]
    [InlineData("""{"max_in_progress":"3"}""", "overrides.max_in_progress")]
    [InlineData("""{"max_in_progress":1.5}""", "overrides.max_in_progress")]
    [InlineData("""{"overflow":"drop"}""", "overrides.overflow")]
    [InlineData("""{"max_in_progress":0}""", "overrides.max_in_progress")]
    [InlineData("""{"max_priority":10}""", "overrides.max_priority")]
    [InlineData("""{"monthly_budget_usd":-1}""", "overrides.monthly_budget_usd")]
    public async Task Overrides_of_an_unknown_field_a_wrong_type_or_out_of_range_are_refused_naming_the_field(string overrides, string param)
    {
        var error = await Refused(() => _admin.CreateAsync(new NewAccount("acme", "Acme", null, JsonNode.Parse(overrides)!.AsObject()), None));
        Assert.Equal((ErrorCodes.InvalidParameter, param), (error.Code, error.Param));
        Assert.Contains(param, error.Message, StringComparison.Ordinal);
        Assert.Null(await _store.GetAccountAsync("acme", None));
    }

    [Fact]
    public async Task Update_merges_overrides_as_a_JSON_merge_patch_and_keeps_what_it_does_not_name()
    {
        await _admin.CreateAsync(new NewAccount("acme", "Acme", null, new JsonObject { ["max_in_progress"] = 7, ["weight"] = 3 }), None);

        var updated = await _admin.UpdateAsync("acme", new AccountChanges(Overrides: new JsonObject { ["weight"] = null, ["qps"] = 4.5 }), None);
        Assert.Equal("""{"qps":4.5,"max_in_progress":7}""", updated.Account.Overrides);
        Assert.Equal(("Acme", "default", 1), (updated.Account.Name, updated.Account.Plan, updated.Effective.Weight));

        var renamed = await _admin.UpdateAsync("acme", new AccountChanges(Name: "Acme Inc", Plan: "pro"), None);
        Assert.Equal(("Acme Inc", "pro", """{"qps":4.5,"max_in_progress":7}"""), (renamed.Account.Name, renamed.Account.Plan, renamed.Account.Overrides));
        Assert.True(renamed.Account.UpdatedAt >= renamed.Account.CreatedAt);

        var cleared = await _admin.UpdateAsync("acme", new AccountChanges(ClearOverrides: true), None);
        Assert.Equal(("{}", 10, 5.0), (cleared.Account.Overrides, cleared.Effective.MaxInProgress, cleared.Effective.Qps));
    }

    [Fact]
    public async Task An_update_that_makes_a_bad_plan_changes_nothing()
    {
        var before = (await _admin.CreateAsync(new NewAccount("acme", "Acme"), None)).Account;

        var error = await Refused(() => _admin.UpdateAsync("acme", new AccountChanges(Name: "New", Overrides: new JsonObject { ["weight"] = 0 }), None));
        Assert.Equal("overrides.weight", error.Param);
        Assert.Equal(before, await _store.GetAccountAsync("acme", None));
        Assert.Equal("plan", (await Refused(() => _admin.UpdateAsync("acme", new AccountChanges(Plan: "gold"), None))).Param);
    }

    [Fact]
    public async Task Unknown_accounts_and_keys_are_NotFound()
    {
        Assert.Equal(ErrorCodes.NotFound, (await Refused(() => _admin.GetAsync("ghost", None))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await Refused(() => _admin.UpdateAsync("ghost", new AccountChanges(Name: "x"), None))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await Refused(() => _admin.CreateKeyAsync("ghost", "ci", None))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await Refused(() => _admin.ListKeysAsync("ghost", None))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await Refused(() => _admin.AddCreditAsync("ghost", 1, null, None))).Code);
        Assert.Equal(ErrorCodes.NotFound, (await Refused(() => _admin.RevokeKeyAsync("key-ghost", None))).Code);
    }

    [Fact]
    public async Task A_key_is_revoked_once_and_a_second_revocation_keeps_the_first_time()
    {
        await _admin.CreateAsync(new NewAccount("acme", "Acme"), None);
        var (key, record) = await _admin.CreateKeyAsync("acme", "ci", None);
        Assert.Equal(record, await _store.FindApiKeyAsync(ApiKeys.Hash(key), None));
        Assert.Equal("name", (await Refused(() => _admin.CreateKeyAsync("acme", null, None))).Param);

        var first = await _admin.RevokeKeyAsync(record.Id, None);
        var second = await _admin.RevokeKeyAsync(record.Id, None);

        Assert.False(first.AlreadyRevoked);
        Assert.True(second.AlreadyRevoked);
        Assert.NotNull(first.Key.RevokedAt);
        Assert.Equal(first.Key, second.Key);
        Assert.Null(await _store.FindApiKeyAsync(ApiKeys.Hash(key), None));
    }

    [Fact]
    public async Task Credits_are_whole_micro_dollars_and_answer_the_new_balance()
    {
        await _admin.CreateAsync(new NewAccount("acme", "Acme"), None);

        var topUp = await _admin.AddCreditAsync("acme", 10.5m, " welcome ", None);
        var adjustment = await _admin.AddCreditAsync("acme", -0.000001m, null, None);

        Assert.Equal((10_500_000L, "welcome", 10_500_000L), (topUp.AmountMicros, topUp.Note, topUp.BalanceMicros));
        Assert.Equal((-1L, (string?)null, 10_499_999L), (adjustment.AmountMicros, adjustment.Note, adjustment.BalanceMicros));
        Assert.True(adjustment.EntryId > topUp.EntryId);
    }

    [Theory]
    [InlineData(null, ErrorCodes.MissingParameter)]
    [InlineData("0", ErrorCodes.InvalidParameter)]
    [InlineData("0.0000001", ErrorCodes.InvalidParameter)]
    [InlineData("1000000000.01", ErrorCodes.InvalidParameter)]
    [InlineData("-1000000001", ErrorCodes.InvalidParameter)]
    public async Task A_credit_of_nothing_too_fine_or_too_large_is_refused_naming_amount_usd(string? amount, string code)
    {
        await _admin.CreateAsync(new NewAccount("acme", "Acme"), None);
        var usd = amount is null ? (decimal?)null : decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);

        var error = await Refused(() => _admin.AddCreditAsync("acme", usd, null, None));

        Assert.Equal((code, "amount_usd"), (error.Code, error.Param));
        Assert.Equal(0, (await _store.GetBalanceAsync("acme", DateTimeOffset.UnixEpoch, None)).CreditMicros);
    }

    [Fact]
    public async Task A_note_over_the_limit_is_refused()
    {
        await _admin.CreateAsync(new NewAccount("acme", "Acme"), None);
        var error = await Refused(() => _admin.AddCreditAsync("acme", 1, new string('n', AccountAdministration.MaxNoteLength + 1), None));
        Assert.Equal("note", error.Param);
    }

    private static async Task<SeedgateError> Refused(Func<Task> call) => (await Assert.ThrowsAsync<SeedgateException>(call)).Error;
}
