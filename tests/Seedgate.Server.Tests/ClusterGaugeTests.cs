using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests;

/// <summary>
/// The cluster gauges run alone: OpenTelemetry stops every meter of a name when one of that name is disposed
/// (open-telemetry/opentelemetry-dotnet#6412), so another test's gateway ending while this one reads its gauges would
/// silence them. One gateway per process, as in production, is what this collection gives them.
/// </summary>
[Collection(Alone)]
public sealed class ClusterGaugeTests
{
    private const string Alone = "cluster gauges, alone";

    [CollectionDefinition(Alone, DisableParallelization = true)]
    public sealed class RunsAlone;

    [Fact]
    public async Task Gauges_show_each_accounts_queue_and_each_upstreams_tasks_in_flight()
    {
        await using var rig = await Upstream.UpstreamRig.StartAsync(
            [new Seedgate.Server.Simulator.SimulatorOptions { LatencyMs = 4000 }], tasksInFlight: 1, configuration: "--Seedgate:Metrics:SampleInterval=00:00:00.100");
        var account = "gauge-" + Guid.NewGuid().ToString("n")[..8];
        using var tenant = await rig.Gateway.AddTenantAsync(account);
        await rig.SubmitAsync("one", tenant);
        await rig.SubmitAsync("two", tenant);
        await rig.SubmitAsync("three", tenant);

        // The only slot taken by one job (running, in flight upstream), the other two queued behind it.
        string? metrics = null;
        for (var i = 0; i < 100; i++)
        {
            metrics = await rig.Gateway.Admin.GetStringAsync("/metrics");
            if (Value(metrics, "seedgate_jobs_queued", account) == "2" && Value(metrics, "seedgate_jobs_running", account) == "1"
                && Value(metrics, "seedgate_upstream_in_flight", "sim0", "seedgate_upstream") == "1")
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the gauges did not show 2 queued, 1 running and 1 in flight:\n" + metrics);
    }

    /// <summary>The value of <paramref name="name"/>'s series whose label <paramref name="label"/> is <paramref name="value"/>.</summary>
    private static string? Value(string metrics, string name, string value, string label = "seedgate_account") =>
        metrics.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains($"{label}=\"{value}\"", StringComparison.Ordinal))
            .Select(l => l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0])
            .FirstOrDefault();
}
