using Seedgate.Core.Accounts;
using Seedgate.Server;

namespace Seedgate.Cli.Tests;

/// <summary>`serve` hands its options to the server host; `keys create` writes through the account store seam.</summary>
public sealed class ServeAndKeysTests
{
    [Fact]
    public async Task Serve_passes_urls_data_and_unmatched_configuration_args_to_the_server()
    {
        ServeOptions? received = null;
        var run = await CliHarness.RunAsync(
            ["serve", "--urls", "http://127.0.0.1:9001;http://127.0.0.1:9002", "--data", "/srv/sg", "--Engines:Sandbox:Fps=12", "--Limits:Qps", "5"],
            runServer: (options, _) =>
            {
                received = options;
                return Task.FromResult(0);
            });

        Assert.Equal(0, run.ExitCode);
        Assert.NotNull(received);
        Assert.Equal(["http://127.0.0.1:9001", "http://127.0.0.1:9002"], received.Urls);
        Assert.Equal("/srv/sg", received.DataDirectory);
        Assert.Equal(["--Engines:Sandbox:Fps=12", "--Limits:Qps", "5"], received.ConfigurationArgs);
    }

    [Fact]
    public async Task Serve_postgres_becomes_the_storage_setting()
    {
        ServeOptions? received = null;
        var run = await CliHarness.RunAsync(
            ["serve", "--postgres", "Host=127.0.0.1;Database=sg", "--Seedgate:NodeId=a"],
            runServer: (options, _) =>
            {
                received = options;
                return Task.FromResult(0);
            });

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["--Seedgate:NodeId=a", "--Seedgate:Storage:Postgres=Host=127.0.0.1;Database=sg"], received!.ConfigurationArgs);
    }

    [Fact]
    public async Task Serve_defaults_come_from_the_environment_then_from_built_in_values()
    {
        var seen = new List<ServeOptions>();
        Task<int> Capture(ServeOptions options, CancellationToken token)
        {
            seen.Add(options);
            return Task.FromResult(3);
        }

        var fromEnv = await CliHarness.RunAsync(
            ["serve"], new Dictionary<string, string> { ["SEEDGATE_URLS"] = "http://0.0.0.0:80", ["SEEDGATE_DATA"] = "/var/lib/seedgate" }, Capture);
        var builtIn = await CliHarness.RunAsync(["serve"], runServer: Capture);

        Assert.Equal(3, fromEnv.ExitCode);
        Assert.Equal(["http://0.0.0.0:80"], seen[0].Urls);
        Assert.Equal("/var/lib/seedgate", seen[0].DataDirectory);
        Assert.Equal(["http://127.0.0.1:8080"], seen[1].Urls);
        Assert.Equal("./data", seen[1].DataDirectory);
        Assert.Empty(seen[1].ConfigurationArgs);
        Assert.Equal(3, builtIn.ExitCode);
    }

    [Fact]
    public async Task Serve_stops_with_exit_code_0_when_its_token_is_cancelled_as_Ctrl_C_does()
    {
        using var ctrlC = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var run = await CliHarness.RunAsync(
            ["serve"],
            runServer: async (_, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return 5;
            },
            cancellationToken: ctrlC.Token);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task Keys_create_prints_the_key_alone_on_stdout_and_stores_only_its_hash()
    {
        var store = new RecordingAccountStore();
        var data = CliHarness.TempDirectory();
        string? openedPath = null;

        var run = await CliHarness.RunAsync(
            ["keys", "create", "--data", data, "--name", "ci", "--account", "team-a"],
            openAccountStore: (path, _) =>
            {
                openedPath = path;
                return Task.FromResult(new OpenedAccountStore(store, store));
            });

        Assert.Equal(0, run.ExitCode);
        var key = run.Out.TrimEnd('\n', '\r');
        Assert.DoesNotContain('\n', key);
        Assert.StartsWith("sg-", key, StringComparison.Ordinal);
        Assert.Contains("shown only once", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(key, run.Error, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(data, "seedgate.db"), openedPath);
        Assert.Equal(["team-a"], store.Accounts);
        var record = Assert.Single(store.Keys);
        Assert.Equal(("team-a", "ci", ApiKeys.Hash(key)), (record.AccountId, record.Name, record.Hash));
        Assert.True(store.Disposed);
    }

    private sealed class RecordingAccountStore : IAccountStore, IAsyncDisposable
    {
        public List<string> Accounts { get; } = [];

        public List<ApiKeyRecord> Keys { get; } = [];

        public bool Disposed { get; private set; }

        public Task EnsureAccountAsync(string accountId, string name, DateTimeOffset now, CancellationToken cancellationToken)
        {
            Accounts.Add(accountId);
            return Task.CompletedTask;
        }

        public Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken)
        {
            Keys.Add(key);
            return Task.CompletedTask;
        }

        public Task<ApiKeyRecord?> FindApiKeyAsync(string hash, CancellationToken cancellationToken) =>
            Task.FromResult(Keys.FirstOrDefault(k => k.Hash == hash));

        public Task<byte[]> GetOrAddSecretAsync(string name, byte[] candidate, CancellationToken cancellationToken) => Task.FromResult(candidate);

        public Task<LedgerBalance> GetBalanceAsync(string accountId, DateTimeOffset since, CancellationToken cancellationToken) =>
            Task.FromResult(new LedgerBalance(0, 0));

        public Task<bool> CreateAccountAsync(Account account, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> UpdateAccountAsync(Account account, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(string accountId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ApiKeyRecord?> GetApiKeyAsync(string keyId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> RevokeApiKeyAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> AddCreditAsync(string accountId, long amountMicros, string? note, DateTimeOffset now, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
