using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Seedgate.Core.Accounts;
using Seedgate.Core.Catalog;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Upstream;
using Seedgate.Server.Admin;
using Seedgate.Server.Auth;
using Seedgate.Server.Dialects;
using Seedgate.Server.Hosting;
using Seedgate.Server.Usage;
using Seedgate.Server.Outputs;

namespace Seedgate.Server.WebConsole;

/// <summary>
/// The web console (ADR 0018): a static page served from the assembly under <c>/console</c>, its session (a sealed
/// cookie, <see cref="ConsoleSessions"/>), and the few reads the public API has no route for (the job list with its
/// prompts, one job in full, the catalog, the operator's summary). Everything else the page does goes through the public
/// routes, authenticated by the session: the edge turns a session into the bearer key it holds. Signed in with the admin
/// key, the page reads the account it looks at through <see cref="AccountFilter.AccountHeader"/>.
/// </summary>
internal static class ConsoleEndpoints
{
    public const string Root = "/console";

    private const int MaxPageSize = 100;

    /// <summary>The page's files (embedded at build), by name under /console/.</summary>
    private static readonly FrozenDictionary<string, (byte[] Bytes, string ContentType)> Assets = LoadAssets();

    public static IServiceCollection AddConsole(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ConsoleSessions(sp.GetRequiredService<StorageInitializer>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Before the endpoints: a request without an Authorization header that carries the console cookie and echoes its
    /// anti-forgery token is authenticated by the session's key, as if it sent it as a bearer key — so every route
    /// checks it as it checks any key (a revoked key stops working in the console too).
    /// </summary>
    public static IApplicationBuilder UseConsoleSessions(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (!request.Headers.ContainsKey("Authorization") && request.Headers.ContainsKey(ConsoleSessions.CsrfHeader)
            && context.RequestServices.GetRequiredService<ConsoleSessions>().Read(request) is { } session
            && ConsoleSessions.Echoes(request, session))
        {
            request.Headers.Authorization = "Bearer " + session.Key;
        }

        await next();
    });

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        app.MapGet(Root, Page).ExcludeFromDescription();
        app.MapGet(Root + "/assets/{name}", AssetFile).ExcludeFromDescription();

        var session = app.MapGroup(Root + "/session").AddEndpointFilter(new DialectErrorFilter(NeutralErrors.Instance)).ExcludeFromDescription();
        session.MapPost("", SignInAsync);
        session.MapGet("", async (HttpContext context, ConsoleSessions sessions, AdminKey admin, ApiKeyAuthenticator authenticator) =>
            sessions.Read(context.Request) is { } found && await ViewAsync(found, context, admin, authenticator) is { } view
                ? Results.Json(view, DialectJson.Options)
                : NotSignedIn());
        session.MapDelete("", (HttpContext context, ConsoleSessions sessions) =>
        {
            // Signing out is a change like any other: only the page itself (which knows the token) may do it.
            if (sessions.Read(context.Request) is { } found && !ConsoleSessions.Echoes(context.Request, found))
            {
                return NeutralErrors.Instance.Result(new SeedgateError(
                    ErrorCodes.AccessDenied, $"Signing out needs the session's {ConsoleSessions.CsrfHeader} header.", ConsoleSessions.CsrfHeader));
            }

            ConsoleSessions.SignOut(context);
            return Results.NoContent();
        });

        // The caller's account, as on /v1/…: the admin key reads an account it names in X-Seedgate-Account.
        var api = app.MapGroup(Root + "/api").ForCallersAccount().ExcludeFromDescription();
        api.MapGet("/catalog", (ModelCatalog catalog) => Results.Json(
            new
            {
                models = catalog.Models,
                ratios = ModelCatalog.Ratios,
                styles = WireNames.Styles,
                camera_motions = WireNames.CameraMotions,
                roles = Enum.GetValues<ReferenceRole>().Select(WireNames.Of),
            },
            DialectJson.Options));
        api.MapGet("/jobs", ListJobsAsync);
        api.MapGet("/jobs/{id}", GetJobAsync);
        app.MapGet(Root + "/api/operator", OperatorAsync)
            .AddEndpointFilter(new DialectErrorFilter(NeutralErrors.Instance))
            .AddEndpointFilter(new AdminFilter())
            .ExcludeFromDescription();
        return app;
    }

    private static IResult Page(HttpContext context, IOptions<SeedgateOptions> options) =>
        Asset(context, "index.html", options.Value);

    private static IResult AssetFile(string name, HttpContext context, IOptions<SeedgateOptions> options) =>
        Assets.ContainsKey(name) && name != "index.html"
            ? Asset(context, name, options.Value)
            : NeutralErrors.Instance.Result(new SeedgateError(ErrorCodes.NotFound, $"The console has no file {name}.", "name"));

    private static IResult Asset(HttpContext context, string name, SeedgateOptions options)
    {
        var (bytes, contentType) = Assets[name];
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy(options.PublicBaseUrl);
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return Results.Bytes(bytes, contentType);
    }

    /// <summary>
    /// Nothing but the gateway's own files and answers: no inline script or style, no plug-ins, no framing, no other
    /// origin — except the public base URL, which the signed file links name when it is set (the page shows them and
    /// reads an uploaded reference back to send it again).
    /// </summary>
    private static string ContentSecurityPolicy(string? publicBaseUrl)
    {
        var files = "'self'";
        if (publicBaseUrl is not null && Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var site))
        {
            files += " " + site.GetLeftPart(UriPartial.Authority);
        }

        return $"default-src 'none'; script-src 'self'; style-src 'self'; img-src {files} blob: data:; media-src {files} blob:; " +
            $"connect-src {files}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context, ConsoleSessions sessions, AdminKey admin, ApiKeyAuthenticator authenticator)
    {
        // JSON only: a form on another site cannot send it without a preflight, so no page can sign a visitor in as someone else.
        var body = await DialectJson.ReadAsync<SignInBody>(context.Request, context.RequestAborted);
        if (string.IsNullOrWhiteSpace(body.Key))
        {
            throw new SeedgateException(new SeedgateError(ErrorCodes.MissingParameter, "key is required: paste an API key.", "key"));
        }

        var key = body.Key.Trim();
        var isAdmin = admin.Key.Matches(key);
        if (!isAdmin && await authenticator.AuthenticateAsync(key, context.RequestAborted) is null)
        {
            throw new SeedgateException(new SeedgateError(ErrorCodes.AuthenticationError, "The API key is not valid.", "key"));
        }

        var session = sessions.SignIn(context, key, isAdmin);
        return Results.Json(await ViewAsync(session, context, admin, authenticator), DialectJson.Options);
    }

    /// <summary>The session as the page sees it; null once its key no longer works (revoked, or an admin key changed).</summary>
    private static async Task<SessionView?> ViewAsync(ConsoleSession session, HttpContext context, AdminKey admin, ApiKeyAuthenticator authenticator)
    {
        if (session.Admin)
        {
            return admin.Key.Matches(session.Key) ? new SessionView("admin", null, session.ExpiresAt, session.Csrf) : null;
        }

        return await authenticator.AuthenticateAsync(session.Key, context.RequestAborted) is { } account
            ? new SessionView("account", account, session.ExpiresAt, session.Csrf)
            : null;
    }

    private static IResult NotSignedIn() =>
        NeutralErrors.Instance.Result(new SeedgateError(ErrorCodes.AuthenticationError, "Not signed in to the console.", "session"));

    private static async Task<IResult> ListJobsAsync(HttpContext context, IJobStore store)
    {
        var query = context.Request.Query;
        var statuses = new List<JobStatus>();
        foreach (var name in query["status"].Where(s => !string.IsNullOrEmpty(s)))
        {
            statuses.Add(JobStatusRules.TryParse(name, out var status) ? status
                : throw Invalid("status", $"status must be queued, running, succeeded, failed, cancelled or expired (got '{name}')."));
        }

        var page = Number(query["page"], "page", 1, int.MaxValue / MaxPageSize, 1);
        var size = Number(query["page_size"], "page_size", 1, MaxPageSize, 20);
        var list = await store.ListAsync(
            new JobQuery(AccountFilter.AccountOf(context))
            {
                Statuses = statuses,
                Models = [.. query["model"].Where(m => !string.IsNullOrEmpty(m))!],
                PromptContains = query["q"].ToString().Trim(),
                CreatedFrom = Moment(query["from"], "from"),
                CreatedBefore = Moment(query["to"], "to"),
                PageNumber = page,
                PageSize = size,
            },
            context.RequestAborted);
        var queue = context.RequestServices.GetService<QueueEstimates>();
        var items = new List<ConsoleJob>(list.Items.Count);
        foreach (var job in list.Items)
        {
            var place = queue is not null && job.VisibleStatus == JobStatus.Queued ? await queue.PlaceAsync(job, context.RequestAborted) : null;
            items.Add(ConsoleJob.Of(job, place));
        }

        return Results.Json(new ConsoleJobList(list.Total, page, size, items), DialectJson.Options);
    }

    private static async Task<IResult> GetJobAsync(string id, HttpContext context, IJobStore store, OutputLinks links)
    {
        var job = JobIds.LooksValid(id) ? await store.GetForAccountAsync(AccountFilter.AccountOf(context), id, context.RequestAborted) : null;
        return job is null
            ? NeutralErrors.Instance.Result(new SeedgateError(ErrorCodes.NotFound, $"The task {id} was not found.", "id"))
            : Results.Json(ConsoleDetails.Of(job, links.BaseUrl(context.Request), links), DialectJson.Options);
    }

    /// <summary>The operator's page: every account with its plan and its jobs under way, each upstream account's slots in use, and /readyz's checks.</summary>
    private static async Task<IResult> OperatorAsync(
        HttpContext context, AccountAdministration accounts, IJobStore jobs, UpstreamTaskStore upstreamTasks, HealthCheckService health)
    {
        var unfinished = (await jobs.CountUnfinishedAsync(context.RequestAborted)).ToDictionary(c => c.AccountId, StringComparer.Ordinal);
        var inFlight = await upstreamTasks.InFlightAsync(context.RequestAborted);
        var lanes = context.RequestServices.GetService<UpstreamLanes>()?.All ?? [];
        var report = await health.CheckHealthAsync(context.RequestAborted);
        return Results.Json(
            new
            {
                accounts = (await accounts.ListAsync(context.RequestAborted)).Select(a => new
                {
                    account = AccountView.Of(a),
                    queued = unfinished.GetValueOrDefault(a.Account.Id)?.Queued ?? 0,
                    running = unfinished.GetValueOrDefault(a.Account.Id)?.Running ?? 0,
                }),
                upstreams = lanes.Select(l => new
                {
                    name = l.Name,
                    host = l.BaseUrl.Host,
                    tasks_in_flight = inFlight.GetValueOrDefault(l.Name),
                    capacity = l.TasksInFlight,
                    requests_per_second = l.RequestsPerSecond,
                    models = l.Models.Keys,
                }),
                health = new
                {
                    status = report.Status == HealthStatus.Healthy ? "ready" : "not_ready",
                    checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status == HealthStatus.Healthy ? "ok" : e.Value.Description ?? e.Value.Status.ToString()),
                },
            },
            DialectJson.Options);
    }

    private static int Number(Microsoft.Extensions.Primitives.StringValues text, string param, int min, int max, int fallback) =>
        text.Count == 0 || text.ToString().Length == 0 ? fallback
        : int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value
        : throw Invalid(param, $"{param} must be an integer from {min} to {max}.");

    /// <summary>A bound of the creation time, in /v1/usage's forms (<see cref="LedgerUsage.TryParseMoment"/>); null when not given.</summary>
    private static DateTimeOffset? Moment(Microsoft.Extensions.Primitives.StringValues text, string param) =>
        text.ToString() is { Length: > 0 } value
            ? LedgerUsage.TryParseMoment(value, out var at) ? at
            : throw Invalid(param, $"{param} must be an ISO 8601 date or date-time (got '{value}').")
            : null;

    private static SeedgateException Invalid(string param, string message) => new(SeedgateError.Invalid(param, message));

    private static FrozenDictionary<string, (byte[] Bytes, string ContentType)> LoadAssets()
    {
        var assembly = typeof(ConsoleEndpoints).Assembly;
        const string prefix = "console/";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .ToFrozenDictionary(
                n => n[prefix.Length..],
                n => (Read(assembly, n), Path.GetExtension(n) switch
                {
                    ".html" => "text/html; charset=utf-8",
                    ".js" => "text/javascript; charset=utf-8",
                    ".css" => "text/css; charset=utf-8",
                    ".svg" => "image/svg+xml",
                    _ => "application/octet-stream",
                }),
                StringComparer.Ordinal);

        static byte[] Read(Assembly assembly, string name)
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }

    private sealed record SignInBody(string? Key);
}
