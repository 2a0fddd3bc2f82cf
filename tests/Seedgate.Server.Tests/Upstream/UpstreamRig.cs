using System.Text.Json.Nodes;
using Seedgate.Server.Simulator;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests.Upstream;

/// <summary>
/// A gateway whose Seedance models are served by upstream simulators (real HTTP on 127.0.0.1), with the timings of
/// tests: quick polls, retries and reconciles, short request timeouts.
/// </summary>
internal sealed class UpstreamRig : IAsyncDisposable
{
    public const string Tasks = "/api/v3/contents/generations/tasks";
    public const string UpstreamKey = "sim-upstream-key-0123456789";

    private readonly Func<Uri, string[]> _configure;
    private readonly List<Gateway> _nodes = [];

    private UpstreamRig(Gateway gateway, IReadOnlyList<UpstreamSimulator> simulators, Func<Uri, string[]> configure)
    {
        Gateway = gateway;
        Simulators = simulators;
        _configure = configure;
    }

    public Gateway Gateway { get; }
    public IReadOnlyList<UpstreamSimulator> Simulators { get; }
    public UpstreamSimulator Simulator => Simulators[0];

    /// <summary>One simulator per option set, each an upstream account of the gateway (named sim0, sim1, … in failover order).</summary>
    public static async Task<UpstreamRig> StartAsync(
        IReadOnlyList<SimulatorOptions> simulators, bool callbacks = false, int tasksInFlight = 3, double requestsPerSecond = 50, params string[] configuration)
    {
        var started = new List<UpstreamSimulator>();
        foreach (var options in simulators)
        {
            started.Add(await UpstreamSimulator.StartAsync(
                options with { Urls = ["http://127.0.0.1:0"], ApiKey = UpstreamKey, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning },
                CancellationToken.None));
        }

        string[] Configure(Uri self) =>
        [
            $"--SIM_UPSTREAM_KEY={UpstreamKey}",
            "--Seedgate:Upstream:MinPollInterval=00:00:00.100",
            "--Seedgate:Upstream:MaxPollInterval=00:00:00.300",
            "--Seedgate:Upstream:ReconcileMargin=00:00:00.500",
            "--Seedgate:Upstream:CallbackGrace=00:00:00.500",
            "--Seedgate:Upstream:Cooldown=00:00:02",
            "--Seedgate:Dispatch:RetryBaseDelay=00:00:00.200",
            "--Seedgate:Dispatch:RetryMaxDelay=00:00:01",
            "--Seedgate:Dispatch:MaxAttempts=8",
            "--Seedgate:Dispatch:PollInterval=00:00:00.100",
            .. callbacks ? [$"--Seedgate:PublicBaseUrl={self.AbsoluteUri.TrimEnd('/')}"] : Array.Empty<string>(),
            .. started.SelectMany((sim, i) => new[]
            {
                $"--Seedgate:Upstreams:sim{i}:BaseUrl={sim.BaseUrl}",
                $"--Seedgate:Upstreams:sim{i}:ApiKeyVariable=SIM_UPSTREAM_KEY",
                $"--Seedgate:Upstreams:sim{i}:Order={i}",
                $"--Seedgate:Upstreams:sim{i}:TasksInFlight={tasksInFlight}",
                $"--Seedgate:Upstreams:sim{i}:RequestsPerSecond={requestsPerSecond}",
                $"--Seedgate:Upstreams:sim{i}:RequestTimeout=00:00:02",
            }),
            .. configuration,
            .. (Environment.GetEnvironmentVariable("SEEDGATE_TEST_UPSTREAM_LOG") is { } level ? [$"--Logging:LogLevel:Seedgate={level}"] : Array.Empty<string>()),
        ];

        return new UpstreamRig(await Gateway.StartAsync(Configure), started, Configure);
    }

    /// <summary>Another node with the same configuration (give both a shared PostgreSQL database to make a cluster).</summary>
    public async Task<Gateway> AddNodeAsync(params string[] configuration)
    {
        var node = await Gateway.StartAsync(self => [.. _configure(self), .. configuration]);
        _nodes.Add(node);
        return node;
    }

    public static Task<UpstreamRig> StartAsync(SimulatorOptions simulator, bool callbacks = false, params string[] configuration) =>
        StartAsync([simulator], callbacks, configuration: configuration);

    /// <summary>A tiny Fast job (480p, 4 s, no audio) with a prompt of its own: a second upstream task of it shows as a duplicate prompt.</summary>
    public async Task<string> SubmitAsync(string prompt, HttpClient? client = null, object? extra = null)
    {
        var body = new JsonObject
        {
            ["model"] = "seedance-2.0-fast",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = prompt }),
            ["resolution"] = "480p",
            ["duration"] = 4,
            ["generate_audio"] = false,
        };
        if (extra is not null)
        {
            foreach (var (name, value) in System.Text.Json.JsonSerializer.SerializeToNode(extra)!.AsObject())
            {
                body[name] = value?.DeepClone();
            }
        }

        var (status, created) = await Gateway.PostAsync(Tasks, body, client);
        Assert.True(status == 200, created.ToJsonString());
        return (string)created["id"]!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await Gateway.DisposeAsync();
        foreach (var simulator in Simulators)
        {
            await simulator.DisposeAsync();
        }
    }
}
