using Seedgate.Server;
using Seedgate.Server.Simulator;

namespace Seedgate.Cli.Tests;

internal sealed record CliRun(int ExitCode, string Out, string Error);

/// <summary>Runs the real `seedgate` command tree in-process with captured stdout/stderr and a private environment.</summary>
internal static class CliHarness
{
    /// <summary>
    /// The default plan of the gateways these tests start: limits no test meets (the shipped ones, 2 creates/s and 3
    /// in progress, are tested in Seedgate.Server.Tests.PlanLimitsTests).
    /// </summary>
    public static readonly string[] GenerousPlan =
    [
        "--Seedgate:Plans:default:Qps=100000", "--Seedgate:Plans:default:PollQps=100000", "--Seedgate:Plans:default:MaxInProgress=1000",
        "--Seedgate:Plans:default:MaxQueued=100000", "--Seedgate:Plans:default:MaxPriority=9",
    ];

    public static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    public static async Task<CliRun> RunAsync(
        string[] args,
        IReadOnlyDictionary<string, string>? variables = null,
        Func<ServeOptions, CancellationToken, Task<int>>? runServer = null,
        bool terminal = false,
        Func<SimulatorOptions, TextWriter, TextWriter, CancellationToken, Task<int>>? runSimulator = null,
        CancellationToken cancellationToken = default)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var env = new CliEnvironment
        {
            Out = output,
            Error = error,
            ErrorIsTerminal = terminal,
            GetVariable = name => variables is not null && variables.TryGetValue(name, out var value) ? value : null,
            PollWait = TimeSpan.Zero,
            PollInterval = TimeSpan.FromMilliseconds(5),
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            RunServer = runServer ?? ((_, _) => throw new InvalidOperationException("no server in this test")),
            RunSimulator = runSimulator ?? ((_, _, _, _) => throw new InvalidOperationException("no simulator in this test")),
        };

        var code = await SeedgateCli.RunAsync(args, env, terminationTimeout: null, cancellationToken.CanBeCanceled ? cancellationToken : Ct);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Waits (bounded: 30 s) until a gateway answers /healthz; fails at once when its process exits first, with what
    /// <paramref name="describe"/> says of it (its log).
    /// </summary>
    public static async Task WaitHealthyAsync(HttpClient http, System.Diagnostics.Process? process = null, Func<string>? describe = null)
    {
        for (var i = 0; i < 300; i++)
        {
            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"The gateway exited ({process.ExitCode}):\n{describe?.Invoke()}");
            }

            try
            {
                using var response = await http.GetAsync("/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The gateway did not start:\n{describe?.Invoke()}");
    }

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "seedgate-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
