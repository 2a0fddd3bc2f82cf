using Seedgate.Server;

namespace Seedgate.Cli.Tests;

/// <summary>`serve` hands its options to the server host.</summary>
public sealed class ServeTests
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
}
