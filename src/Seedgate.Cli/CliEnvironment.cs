using Seedgate.Server;
using Seedgate.Server.Simulator;

namespace Seedgate.Cli;

/// <summary>
/// Everything a command touches outside itself, so that tests run the real command tree in-process with captured output,
/// their own environment variables and a fake server host.
/// </summary>
internal sealed class CliEnvironment
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>True when stderr is a terminal: progress is drawn in place; otherwise it is written as plain lines.</summary>
    public bool ErrorIsTerminal { get; init; }

    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>A fresh HTTP client per command (the CLI is short-lived; no pooling across commands is needed).</summary>
    public Func<HttpClient> CreateHttpClient { get; init; } = () => new HttpClient(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        AutomaticDecompression = System.Net.DecompressionMethods.All,
    })
    {
        Timeout = TimeSpan.FromSeconds(100),
    };

    /// <summary>How long each status long-poll of `generate` waits: short, so that the progress bar moves.</summary>
    public TimeSpan PollWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The first pause between two status checks against a server without long-polls (it grows to 30 s).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first retry delay of the client (transient HTTP failures).</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public Func<ServeOptions, CancellationToken, Task<int>> RunServer { get; init; } = SeedgateServer.RunAsync;

    /// <summary>Runs the upstream simulator (`seedgate simulate`) until cancelled: its base URL to the first writer, a summary to the second.</summary>
    public Func<SimulatorOptions, TextWriter, TextWriter, CancellationToken, Task<int>> RunSimulator { get; init; } = UpstreamSimulator.RunAsync;

    public static CliEnvironment FromConsole() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        ErrorIsTerminal = !Console.IsErrorRedirected,
    };

    /// <summary>An environment variable, or the fallback when it is unset or blank.</summary>
    public string Variable(string name, string fallback) =>
        GetVariable(name) is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value : fallback;
}
