using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Seedgate.Core.Jobs;
using Seedgate.Core.Media;
using Seedgate.Core.Storage;
using Seedgate.Core.Telemetry;
using Seedgate.Core.Upstream;
using Seedgate.Server.Admin;
using Seedgate.Server.Auth;
using Seedgate.Server.Dialects;

namespace Seedgate.Server.Hosting;

/// <summary>
/// What an operator watches: OpenTelemetry traces and metrics, <c>/metrics</c> for Prometheus, and <c>/readyz</c>
/// (the job store, the blob store and ffmpeg answer). Traces are recorded only when they can go somewhere (an OTLP
/// endpoint, <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); metrics always, for the scrape.
/// </summary>
internal static class Observability
{
    public const string MetricsPath = "/metrics";
    public const string ReadyPath = "/readyz";

    /// <summary>The standard OpenTelemetry variable: where OTLP goes (the exporters read it themselves).</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <param name="upstream">Whether upstream accounts are configured: then /readyz asks them too.</param>
    public static IServiceCollection AddObservability(this IServiceCollection services, IConfiguration configuration, string nodeId, bool upstream)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("seedgate", serviceInstanceId: nodeId))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SeedgateTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(SeedgateTelemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != MetricsPath && context.Request.Path != ReadyPath)
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter());
        }

        var sampleEvery = configuration.GetValue("Seedgate:Metrics:SampleInterval", TimeSpan.FromSeconds(15));
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<ClusterGauges>(sp, sampleEvery));
        services.AddSingleton<FfmpegCheck>(); // one instance, so its cached answer lasts
        var checks = services.AddHealthChecks()
            .AddCheck<JobStoreCheck>("store")
            .AddCheck<BlobStoreCheck>("blobs")
            .AddCheck<FfmpegCheck>("ffmpeg");
        if (upstream)
        {
            services.AddSingleton<UpstreamCheck>();
            checks.AddCheck<UpstreamCheck>("upstream");
        }

        return services;
    }

    public static WebApplication MapObservability(this WebApplication app)
    {
        // With an admin key configured, the scrape needs it (the series name accounts); without one (a trusted,
        // single-tenant install) it is open like /healthz.
        app.UseWhen(context => context.Request.Path == MetricsPath, branch => branch.Use(RequireAdminKeyAsync));
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { ResponseWriter = WriteReadinessAsync }).ExcludeFromDescription();
        return app;
    }

    private static async Task RequireAdminKeyAsync(HttpContext context, Func<Task> next)
    {
        var admin = context.RequestServices.GetRequiredService<AdminKey>().Key;
        if (admin.IsSet && (BearerKey.Read(context.Request, out var key) is not null || !admin.Matches(key)))
        {
            await NeutralErrors.Instance.Result(new Core.Generation.SeedgateError(
                Core.Generation.ErrorCodes.AuthenticationError, $"{MetricsPath} needs the admin key ({SeedgateServer.AdminKeyVariable}).", "Authorization"))
                .ExecuteAsync(context);
            return;
        }

        await next();
    }

    /// <summary>
    /// <c>{"status":"ready"|"not_ready","checks":{"store":"ok",…}}</c>; each failing check says why. A degraded check
    /// (some upstream accounts not answering, others fine) says why too, and leaves the node ready.
    /// </summary>
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new Dictionary<string, object>
        {
            ["status"] = report.Status == HealthStatus.Unhealthy ? "not_ready" : "ready",
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status == HealthStatus.Healthy ? "ok" : e.Value.Description ?? "failing"),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    /// <summary>The job store answers a read.</summary>
    private sealed class JobStoreCheck(IJobStore store) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            AnswersAsync("the job store", () => store.GetAsync("cgt-readiness-probe", cancellationToken));
    }

    /// <summary>The blob store answers a read (of a key that is never written).</summary>
    private sealed class BlobStoreCheck(IBlobStore blobs) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            AnswersAsync("the blob store", async () =>
            {
                await using var stream = await blobs.OpenReadAsync("readiness/probe", cancellationToken);
            });
    }

    /// <summary>Healthy when <paramref name="read"/> completes; any failure is the answer: not ready, and why.</summary>
    private static async Task<HealthCheckResult> AnswersAsync(string what, Func<Task> read)
    {
        try
        {
            await read();
            return HealthCheckResult.Healthy();
        }
#pragma warning disable CA1031 // Any failure is the answer: not ready, and why.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy($"{what} does not answer: {ex.Message}");
        }
    }

    /// <summary>
    /// Each upstream account answers, and accepts its key: a read of a task that does not exist must come back 404 (a
    /// 401/403 means the key is refused, anything else that the account is unwell). Asked once a minute at most (each
    /// ask is an upstream request); healthy when every account answers, degraded when some do, unhealthy when none does.
    /// </summary>
    internal sealed class UpstreamCheck(UpstreamLanes lanes, ArkClients clients, TimeProvider time) : IHealthCheck
    {
        private static readonly TimeSpan Fresh = TimeSpan.FromMinutes(1);
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
        private (DateTimeOffset At, HealthCheckResult Result)? _last;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (_last is not { } last || time.GetUtcNow() - last.At > Fresh)
            {
                var problems = new List<string>();
                foreach (var lane in lanes.All)
                {
                    if (await ProblemAsync(lane, cancellationToken) is { } problem)
                    {
                        problems.Add($"{lane.Name} {problem}");
                    }
                }

                var why = string.Join("; ", problems);
                last = (time.GetUtcNow(), problems.Count == 0 ? HealthCheckResult.Healthy()
                    : problems.Count == lanes.All.Count ? HealthCheckResult.Unhealthy(why)
                    : HealthCheckResult.Degraded(why));
                _last = last;
            }

            return last.Result;
        }

        private async Task<string?> ProblemAsync(UpstreamLane lane, CancellationToken cancellationToken)
        {
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            patience.CancelAfter(Patience);
            try
            {
                var answer = await clients.For(lane).GetAsync("cgt-seedgate-readiness-probe", patience.Token);
                return answer.Failure switch
                {
                    null or { Status: 404 } => null,
                    { Status: 401 or 403 } failure => $"refuses the API key ({failure.Status} {failure.Code})",
                    var failure => $"answers {failure.Status} {failure.Code}",
                };
            }
            catch (Exception ex) when (ArkClient.IsTransportFailure(ex, cancellationToken))
            {
                return $"does not answer ({ex.Message})";
            }
        }
    }

    /// <summary>ffmpeg and ffprobe run (checked once a minute at most: each check starts both).</summary>
    internal sealed class FfmpegCheck(IOptions<FfmpegOptions> options, TimeProvider time) : IHealthCheck
    {
        private static readonly TimeSpan Fresh = TimeSpan.FromMinutes(1);
        private (DateTimeOffset At, string? Problem)? _last;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (_last is not { } last || time.GetUtcNow() - last.At > Fresh)
            {
                last = (time.GetUtcNow(), await Ffmpeg.CheckToolsAsync(options.Value, cancellationToken));
                _last = last;
            }

            return last.Problem is null ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(last.Problem);
        }
    }
}
