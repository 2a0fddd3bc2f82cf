using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Cli.Tests;

/// <summary>`accounts` and `keys` against a real gateway, over HTTP with the admin key.</summary>
public sealed class AdminCommandsTests : IAsyncLifetime
{
    private Gateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await Gateway.StartAsync("--Seedgate:Dispatch:Enabled=false");

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private Dictionary<string, string> Env(string adminKey = Gateway.AdminKey) =>
        new() { ["SEEDGATE_URL"] = _gateway.BaseAddress.ToString(), ["SEEDGATE_ADMIN_KEY"] = adminKey };

    [Fact]
    public async Task Accounts_create_list_show_and_update_print_aligned_facts_and_tables()
    {
        var created = await CliHarness.RunAsync(
            ["accounts", "create", "--id", "acme", "--name", "Acme Corp", "--set", "max_in_progress=10", "--set", "overflow=reject"], Env());
        Assert.True(created.ExitCode == 0, created.Error);
        Assert.Contains("id                    acme", created.Out, StringComparison.Ordinal);
        Assert.Contains("""overrides             {"max_in_progress":10,"overflow":"reject"}""", created.Out, StringComparison.Ordinal);
        Assert.Contains("max_in_progress       10", created.Out, StringComparison.Ordinal);
        Assert.Contains("overflow              reject", created.Out, StringComparison.Ordinal);

        var list = await CliHarness.RunAsync(["accounts", "list"], Env());
        Assert.True(list.ExitCode == 0, list.Error);
        var lines = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID       NAME             PLAN     OVERRIDES", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("default  Default account  default  -", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("""acme     Acme Corp        default  {"max_in_progress":10,"overflow":"reject"}""", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Equal(l.TrimEnd(), l));

        var updated = await CliHarness.RunAsync(["accounts", "update", "acme", "--name", "Acme Inc", "--unset", "overflow", "--set", "weight=3"], Env());
        Assert.True(updated.ExitCode == 0, updated.Error);
        Assert.Contains("name                  Acme Inc", updated.Out, StringComparison.Ordinal);
        Assert.Contains("""overrides             {"max_in_progress":10,"weight":3}""", updated.Out, StringComparison.Ordinal);

        var shown = await CliHarness.RunAsync(["accounts", "show", "acme"], Env());
        Assert.True(shown.ExitCode == 0, shown.Error);
        Assert.Contains("weight                3", shown.Out, StringComparison.Ordinal);
        Assert.Contains("balance_usd           0.00", shown.Out, StringComparison.Ordinal);
        Assert.Contains("upscale_small_images  false", shown.Out, StringComparison.Ordinal);

        var cleared = await CliHarness.RunAsync(["accounts", "update", "acme", "--clear-overrides"], Env());
        Assert.Contains("overrides             -", cleared.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_create_prints_the_key_alone_on_stdout_it_works_and_revoke_stops_it()
    {
        Assert.Equal(0, (await CliHarness.RunAsync(["accounts", "create", "--id", "team-a", "--name", "Team A"], Env())).ExitCode);

        var created = await CliHarness.RunAsync(["keys", "create", "--account", "team-a", "--name", "ci"], Env());
        Assert.True(created.ExitCode == 0, created.Error);
        var key = created.Out.TrimEnd('\n', '\r');
        Assert.DoesNotContain('\n', key);
        Assert.StartsWith("sg-", key, StringComparison.Ordinal);
        Assert.Contains("shown only once", created.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(key, created.Error, StringComparison.Ordinal);

        using var tenant = _gateway.Client(key);
        Assert.Equal("team-a", (string?)(await _gateway.GetAsync("/v1/balance", tenant)).Body["account_id"]);

        var listed = await CliHarness.RunAsync(["keys", "list", "--account", "team-a"], Env());
        Assert.True(listed.ExitCode == 0, listed.Error);
        var lines = listed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID                NAME  PREFIX    CREATED", lines[0], StringComparison.Ordinal);
        var row = Assert.Single(lines[1..]);
        var keyId = row.Split(' ')[0];
        Assert.Contains($"ci    {key[..7]}…", row, StringComparison.Ordinal);
        Assert.EndsWith("-", row, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed.Out, StringComparison.Ordinal);

        var revoked = await CliHarness.RunAsync(["keys", "revoke", keyId], Env());
        Assert.True(revoked.ExitCode == 0, revoked.Error);
        Assert.StartsWith($"revoked {keyId} ('ci', account 'team-a') at ", revoked.Out, StringComparison.Ordinal);
        Assert.Equal(401, (await _gateway.GetAsync("/v1/balance", tenant)).Status);

        var again = await CliHarness.RunAsync(["keys", "revoke", keyId], Env());
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("was already revoked at", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_are_reported_on_stderr_with_the_code_and_exit_non_zero()
    {
        var missing = await CliHarness.RunAsync(["accounts", "show", "nobody"], Env());
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("error NotFound: The account nobody was not found.", missing.Error, StringComparison.Ordinal);

        var bad = await CliHarness.RunAsync(["accounts", "create", "--name", "x", "--set", "max_in_progress=0"], Env());
        Assert.Equal(3, bad.ExitCode); // an invalid request
        Assert.Contains("error InvalidParameter: overrides.max_in_progress must be at least 1.", bad.Error, StringComparison.Ordinal);

        var taken = await CliHarness.RunAsync(["accounts", "create", "--id", "default", "--name", "x"], Env());
        Assert.Equal(1, taken.ExitCode);
        Assert.Contains("error AlreadyExists", taken.Error, StringComparison.Ordinal);

        var notAdmin = await CliHarness.RunAsync(["keys", "list", "--account", "default"], Env(Gateway.Key));
        Assert.Equal(1, notAdmin.ExitCode);
        Assert.Contains("error AccessDenied", notAdmin.Error, StringComparison.Ordinal);

        var unknownKey = await CliHarness.RunAsync(["keys", "revoke", "key-nothing"], Env());
        Assert.Equal(1, unknownKey.ExitCode);
        Assert.Contains("error NotFound", unknownKey.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "accounts", "list" }, "no admin key")]
    [InlineData(new[] { "accounts", "update", "acme" }, "nothing to change")]
    [InlineData(new[] { "accounts", "update", "acme", "--set", "weight" }, "--set needs FIELD=VALUE")]
    [InlineData(new[] { "accounts", "update", "acme", "--set", "weight=2", "--unset", "weight" }, "weight is named twice")]
    [InlineData(new[] { "accounts", "update", "acme", "--clear-overrides", "--unset", "weight" }, "--clear-overrides")]
    [InlineData(new[] { "keys", "create" }, "--account")]
    public async Task Usage_mistakes_exit_2_and_say_what_to_do(string[] args, string message)
    {
        var env = message == "no admin key" ? new Dictionary<string, string> { ["SEEDGATE_URL"] = _gateway.BaseAddress.ToString() } : Env();
        var run = await CliHarness.RunAsync(args, env);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_key_and_url_options_win_over_the_environment()
    {
        var run = await CliHarness.RunAsync(
            ["accounts", "list", "--url", _gateway.BaseAddress.ToString(), "--admin-key", Gateway.AdminKey],
            new Dictionary<string, string> { ["SEEDGATE_URL"] = "http://127.0.0.1:1", ["SEEDGATE_ADMIN_KEY"] = "wrong" });
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("default", run.Out, StringComparison.Ordinal);
    }
}
