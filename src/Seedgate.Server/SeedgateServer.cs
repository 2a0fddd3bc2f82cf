using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Seedgate.Core.Accounts;
using Seedgate.Core.Catalog;
using Seedgate.Core.Dispatch;
using Seedgate.Core.Engines;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Logging;
using Seedgate.Core.Media;
using Seedgate.Core.Sandbox;
using Seedgate.Core.Storage;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Storage.Sqlite;
using Seedgate.Core.Upstream;
using Seedgate.Core.Webhooks;
using Seedgate.Server.Admin;
using Seedgate.Server.Auth;
using Seedgate.Server.Dialects;
using Seedgate.Server.Dialects.Ark;
using Seedgate.Server.Dialects.SeedanceV1;
using Seedgate.Server.Dialects.Variants;
using Seedgate.Server.Edge;
using Seedgate.Server.Hosting;
using Seedgate.Server.Limits;
using Seedgate.Server.Outputs;
using Seedgate.Server.Upstream;
using Seedgate.Server.Usage;
using Seedgate.Server.Webhooks;
using Seedgate.Server.WebConsole;

namespace Seedgate.Server;

/// <summary>How `seedgate serve` starts the gateway.</summary>
/// <param name="Urls">Listen addresses, e.g. http://127.0.0.1:8080.</param>
/// <param name="DataDirectory">Where the SQLite file and the outputs live.</param>
/// <param name="ConfigurationArgs">Further configuration overrides as --Section:Key=value pairs.</param>
public sealed record ServeOptions(IReadOnlyList<string> Urls, string DataDirectory, IReadOnlyList<string> ConfigurationArgs);

/// <summary>Builds and runs the gateway host: SQLite + local disk + sandbox engine by default.</summary>
public static class SeedgateServer
{
    /// <summary>
    /// The environment variable (or configuration key) whose key is accepted for the default account when set at start-up.
    /// </summary>
    public const string ApiKeyVariable = "SEEDGATE_API_KEY";

    /// <summary>
    /// The environment variable (or configuration key) whose key may use the admin API (<c>/admin/v1</c>); unset, the
    /// admin API answers every call 403.
    /// </summary>
    public const string AdminKeyVariable = "SEEDGATE_ADMIN_KEY";

    /// <summary>The shortest admin key accepted: it guards every account, so it must not be guessable.</summary>
    public const int MinAdminKeyLength = 24;

    /// <summary>Runs the gateway until the token is cancelled or the process is asked to stop; returns an exit code.</summary>
    public static async Task<int> RunAsync(ServeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var app = Build(options);
        var ffmpegProblem = await Ffmpeg.CheckToolsAsync(app.Services.GetRequiredService<IOptions<FfmpegOptions>>().Value, cancellationToken);
        if (ffmpegProblem is not null)
        {
            await Console.Error.WriteLineAsync($"seedgate: cannot start: {ffmpegProblem}");
            return 1;
        }

        await app.StartAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }

    /// <summary>Composes the host without starting it; the stores are opened and migrated when it starts.</summary>
    public static WebApplication Build(ServeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Configuration comes from arguments and environment variables; no appsettings files are watched (a watcher on
        // the content root would see every output and scratch file written under ./data).
        var builder = WebApplication.CreateSlimBuilder([.. options.ConfigurationArgs, "--hostBuilder:reloadConfigOnChange=false"]);
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.Configuration.AddInMemoryCollection([new("Seedgate:DataDirectory", Path.GetFullPath(options.DataDirectory))]);
        // Framework chatter off unless asked for: at Information, hosting writes lines for every request (with signed
        // download URLs in them) and HttpClient every fetched URL. Logging:LogLevel:* arguments still override these.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
            },
        });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = true;
            o.TimestampFormat = "HH:mm:ss ";
        });

        var settings = builder.Configuration.GetSection("Seedgate").Get<SeedgateOptions>() ?? new SeedgateOptions();
        Directory.CreateDirectory(settings.DataDirectory);

        var services = builder.Services;
        services.AddOptions<SeedgateOptions>().BindConfiguration("Seedgate")
            .Validate(o => o.LinkLifetime > TimeSpan.Zero, "Seedgate:LinkLifetime must be positive.")
            .Validate(o => o.MaxWaitSeconds is >= 0 and <= 60, "Seedgate:MaxWaitSeconds must be 0–60.")
            .Validate(o => o.IdempotencyKeyLifetime > TimeSpan.Zero, "Seedgate:IdempotencyKeyLifetime must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        var catalog = settings.CatalogPath is null ? ModelCatalog.LoadDefault() : ModelCatalog.LoadFile(settings.CatalogPath);
        var lanes = UpstreamServiceCollectionExtensions.LanesFrom(builder.Configuration, catalog);
        if (lanes is not null)
        {
            // Upstream accounts configured: the models they serve go to them; the sandbox keeps the rest.
            catalog = catalog.RoutedTo(UpstreamKinds.Ark, lanes.All.SelectMany(l => l.Models.Keys));
        }

        services.TryAddSingleton(catalog);
        var plans = PlansFrom(builder.Configuration.GetSection("Seedgate:Plans"));
        services.TryAddSingleton(plans);
        var ledger = new Ledger(catalog, plans);
        services.TryAddSingleton(ledger);
        // Admission last: the account's open-jobs row it locks is then held only from its statement to the commit, and
        // the statements deferred before it (the job rows, the ledger's) go out in the round trips before it.
        IJobEffect[] effects = settings.Policies
            ? [new IdempotencyKeys(settings.IdempotencyKeyLifetime), ledger, new WebhookOutbox(), new AccountAdmission(plans, ledger)]
            : [new IdempotencyKeys(settings.IdempotencyKeyLifetime), new WebhookOutbox()];
        if (lanes is not null)
        {
            effects = [.. effects, new UpstreamTaskRows()];
        }

        services.AddSeedgateStorage(builder.Configuration, settings.DataDirectory, effects);
        if (settings.Policies)
        {
            services.TryAddSingleton<IRunningCaps>(plans);
            services.TryAddSingleton<AccountPlanCache>();
            services.TryAddSingleton<ClusterRateLimiter>();
        }

        services.TryAddSingleton(sp => new DownloadLinks(sp.GetRequiredService<StorageInitializer>().LinkSecret, sp.GetRequiredService<TimeProvider>()));
        var nodeId = settings.NodeId ?? NodeId(settings.DataDirectory);
        services.TryAddSingleton(new NodeIdentity(nodeId));
        var apiKey = builder.Configuration[ApiKeyVariable];
        services.TryAddSingleton(sp => new ApiKeyAuthenticator(sp.GetRequiredService<IAccountStore>(), sp.GetRequiredService<TimeProvider>(), apiKey));
        services.AddAdmin(AdminKeyFrom(builder.Configuration[AdminKeyVariable], apiKey));
        services.TryAddSingleton<OutputLinks>();
        services.AddJobs();
        services.AddSandboxEngine(builder.Configuration);
        services.AddTestEngines(builder.Configuration);
        if (lanes is not null)
        {
            services.TryAddSingleton<UpstreamCallbackLinks>();
            services.TryAddSingleton<IUpstreamCallbacks>(sp => sp.GetRequiredService<UpstreamCallbackLinks>());
            services.AddUpstreamEngine(lanes);
        }

        services.AddWebhooks(builder.Configuration);
        services.TryAddSingleton<IWebhookBodies, WebhookBodies>();
        services.AddDispatch(Path.Combine(settings.DataDirectory, "work"), runJobs: builder.Configuration.GetValue("Seedgate:Dispatch:Enabled", true));

        services.AddConsole();
        services.AddOpenApi();
        services.AddHttpEdge();
        services.AddObservability(builder.Configuration, nodeId, upstream: lanes is not null);

        var app = builder.Build();
        var requests = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Seedgate.Requests");
        app.Use((context, next) => RequestIdAsync(context, next, requests));
        app.UseHttpEdge();
        app.UseConsoleSessions();
        app.MapOpenApi();
        app.MapMethods("/healthz", [HttpMethods.Get, HttpMethods.Head], () => Results.Text("ok")).ExcludeFromDescription();
        app.MapObservability();
        app.MapArkDialect();
        app.MapSeedanceV1Dialect();
        app.MapVariantDialect();
        app.MapDownloads();
        app.MapBalance();
        app.MapUsage();
        app.MapAdmin();
        app.MapWebhooks();
        app.MapKeys();
        app.MapConsole();
        if (lanes is not null)
        {
            app.MapUpstreamCallbacks();
        }

        return app;
    }

    /// <summary>
    /// Every response carries X-Request-Id, so a caller can quote it, and every log line of the request carries it with
    /// the caller's correlation id (a log scope).
    /// </summary>
    private static async Task RequestIdAsync(HttpContext context, Func<Task> next, ILogger logger)
    {
        Span<byte> random = stackalloc byte[12];
        Random.Shared.NextBytes(random); // unique, not secret: no system call per request
        var requestId = Convert.ToHexStringLower(random);
        context.TraceIdentifier = requestId;
        context.Response.Headers["X-Request-Id"] = requestId;
        using var scope = logger.BeginScope(new LogScope(("RequestId", requestId), ("CorrelationId", DialectJson.CorrelationId(context.Request))));
        await next();
    }

    /// <summary>The admin key, or null when unset; a short one, or one equal to the API key, stops the start.</summary>
    private static string? AdminKeyFrom(string? adminKey, string? apiKey) => adminKey switch
    {
        null or "" => null,
        { Length: < MinAdminKeyLength } => throw new InvalidOperationException($"{AdminKeyVariable} must be at least {MinAdminKeyLength} characters long."),
        _ when adminKey.AsSpan().ContainsAnyExceptInRange('!', '~') =>
            throw new InvalidOperationException($"{AdminKeyVariable} must be visible ASCII characters only (no spaces): it is sent as a bearer token."),
        _ when adminKey == apiKey => throw new InvalidOperationException($"{AdminKeyVariable} must differ from {ApiKeyVariable}: a tenant key must not manage accounts."),
        _ => adminKey,
    };

    /// <summary>The named plans of Seedgate:Plans:{name}:{Field} (a "default" plan always exists); a field out of range stops the start.</summary>
    private static Plans PlansFrom(IConfigurationSection section)
    {
        var plans = new Plans(section.GetChildren().ToDictionary(
            child => child.Key, child => child.Get<Plan>() ?? new Plan(), StringComparer.Ordinal));
        return plans.Problem() is { } problem ? throw new InvalidOperationException(problem) : plans;
    }

    /// <summary>A name kept in the data directory, so a restarted node recognises (and takes back) its own leases.</summary>
    private static string NodeId(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "node-id");
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var id = $"{Environment.MachineName.ToLowerInvariant()}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        File.WriteAllText(path, id);
        return id;
    }
}
