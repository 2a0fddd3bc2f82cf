using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Server.Auth;
using Seedgate.Server.Hosting;
using Seedgate.Server.Outputs;

using Seedgate.Core.Upstream;

namespace Seedgate.Server.Dialects.Ark;

/// <summary>
/// The Ark dialect (BytePlus ModelArk / Volcano Engine Ark video generation tasks), so the official Ark SDKs
/// and code written for BytePlus work by changing the base URL. Seedgate adds ?wait=N long-polling, cost and
/// correlation_id to task views, and camera_motion / style / negative_prompt to requests. Fields arrive at the top level
/// of the body, as the Volcano / BytePlus Python SDKs send them (named arguments, and extra_body merged in), where null
/// means "not given".
/// </summary>
internal static class ArkDialect
{
    public const string Root = "/api/v3";
    public const string BasePath = Root + "/contents/generations/tasks";
    private const int MaxPageSize = 500;
    private const string DefaultServiceTier = "default";

    public static IDialectErrors Errors { get; } = new ArkErrors();

    public static IEndpointRouteBuilder MapArkDialect(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapDialectGroup(BasePath, Errors, "Ark dialect");
        tasks.MapPost("", CreateAsync)
            .Accepts<ArkCreateTaskBody>("application/json")
            .Produces<ArkCreated>()
            .WithSummary("Creates a video generation task.");
        tasks.MapGet("/{id}", GetAsync)
            .Produces<ArkTask>()
            .WithSummary("Gets a task; ?wait=N (≤ 60) holds the request until the task is terminal or N seconds pass.");
        tasks.MapGet("", ListAsync)
            .Produces<ArkTaskList>()
            .WithSummary("Lists the caller's tasks: page_num, page_size (1–500), filter.status, filter.model, filter.task_ids, filter.service_tier.");
        tasks.MapDelete("/{id}", DeleteAsync)
            .WithSummary("Cancels a queued task, or deletes a finished one.");
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, JobSubmitter submitter)
    {
        var body = await DialectJson.ReadAsync<ArkCreateTaskBody>(context.Request, context.RequestAborted);
        var (request, names) = ArkCreateReader.ToCanonical(body);
        var job = await submitter.SubmitAsync(
            DialectJson.Submission(context, JobDialects.Ark), request, names, context.RequestAborted);
        return Results.Json(new ArkCreated(job.Id), DialectJson.Options);
    }

    private static async Task<IResult> GetAsync(
        string id, HttpContext context, JobWaiter waiter, OutputLinks links, IOptions<SeedgateOptions> options)
    {
        var wait = ParseInt(context.Request.Query["wait"], "wait", 0, 0, options.Value.MaxWaitSeconds);
        var job = await DialectJson.OwnJobAsync(context, waiter, id, wait, options.Value.MaxWaitSeconds);
        if (job is null)
        {
            return Errors.Result(NotFound(id));
        }

        // Tells clients (our SDK) that this server holds ?wait= long-polls, so they need no polling cadence of their own.
        context.Response.Headers["Seedgate-Max-Wait"] = options.Value.MaxWaitSeconds.ToString(CultureInfo.InvariantCulture);

        // A queued job an upstream serves says where it stands (a Seedgate extension; no reseller offers it).
        var place = context.RequestServices.GetService<QueueEstimates>() is { } queue ? await queue.PlaceAsync(job, context.RequestAborted) : null;
        return Results.Json(ArkMapping.ToTask(job, links.BaseUrl(context.Request), links, place), DialectJson.Options);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IJobStore store, OutputLinks links)
    {
        var query = context.Request.Query;
        var statuses = new List<JobStatus>();
        foreach (var name in query["filter.status"])
        {
            if (!JobStatusRules.TryParse(name, out var status))
            {
                throw new SeedgateException(SeedgateError.Invalid(
                    "filter.status", "filter.status must be queued, running, succeeded, failed, cancelled or expired."));
            }

            statuses.Add(status);
        }

        var pageNumber = ParseInt(query["page_num"], "page_num", 1, 1, MaxPageSize);
        var pageSize = ParseInt(query["page_size"], "page_size", 10, 1, MaxPageSize);

        // Every Seedgate task runs on the default tier, so a filter for flex alone finds none (as Ark's list finds no
        // default-tier task under filter.service_tier=flex).
        var tiers = query["filter.service_tier"].Where(t => !string.IsNullOrEmpty(t)).ToList();
        if (tiers.FirstOrDefault(t => t is not (DefaultServiceTier or "flex")) is { } tier)
        {
            throw new SeedgateException(SeedgateError.Invalid(
                "filter.service_tier", $"filter.service_tier must be {DefaultServiceTier} or flex (got '{tier}')."));
        }

        if (tiers.Count > 0 && !tiers.Contains(DefaultServiceTier))
        {
            return Results.Json(new ArkTaskList(0, []), DialectJson.Options);
        }

        var page = await store.ListAsync(
            new JobQuery(AccountFilter.AccountOf(context))
            {
                Statuses = statuses,
                Models = [.. query["filter.model"].Where(m => !string.IsNullOrEmpty(m))!],
                Ids = [.. query["filter.task_ids"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))],
                PageNumber = pageNumber,
                PageSize = pageSize,
            },
            context.RequestAborted);
        var site = links.BaseUrl(context.Request);
        var items = page.Items.Select(job => ArkMapping.ToTask(job, site, links)).ToList();
        return Results.Json(new ArkTaskList(page.Total, items), DialectJson.Options);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, JobRemover remover) =>
        await remover.RemoveAsync(AccountFilter.AccountOf(context), id, context.RequestAborted) switch
        {
            JobRemoval.Cancelled or JobRemoval.Deleted => Results.Json(new { }, DialectJson.Options),
            JobRemoval.NotFound => Errors.Result(NotFound(id)),
            JobRemoval.AlreadyCancelled => Errors.Result(new SeedgateError(ErrorCodes.InvalidAction, "A cancelled task cannot be deleted.", "id")),
            _ => Errors.Result(new SeedgateError(
                ErrorCodes.InvalidAction, "The task is running: it can be cancelled only while queued, and deleted once finished.", "id")),
        };

    private static SeedgateError NotFound(string id) =>
        new(ErrorCodes.NotFound, $"The task {id} was not found.", "id");

    private static int ParseInt(Microsoft.Extensions.Primitives.StringValues values, string param, int fallback, int min, int max)
    {
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return fallback;
        }

        if (!int.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new SeedgateException(SeedgateError.Invalid(param, $"{param} must be an integer from {min} to {max}."));
        }

        return value;
    }

    /// <summary>The HTTP status of a core error code (Ark's vocabulary, which the core speaks).</summary>
    public static int StatusOf(string code) => code switch
    {
        ErrorCodes.MissingParameter or ErrorCodes.InvalidParameter or ErrorCodes.InputTextSensitiveContentDetected
            or ErrorCodes.InputImageSensitiveContentDetected or ErrorCodes.OutputVideoSensitiveContentDetected
            => StatusCodes.Status400BadRequest,
        ErrorCodes.AuthenticationError => StatusCodes.Status401Unauthorized,
        ErrorCodes.AccountOverdueError or ErrorCodes.AccessDenied => StatusCodes.Status403Forbidden,
        ErrorCodes.NotFound or ErrorCodes.ModelNotOpen => StatusCodes.Status404NotFound,
        ErrorCodes.InvalidAction or ErrorCodes.IdempotencyKeyReused or ErrorCodes.AlreadyExists => StatusCodes.Status409Conflict,
        ErrorCodes.RateLimitExceeded or ErrorCodes.QuotaExceeded => StatusCodes.Status429TooManyRequests,
        ErrorCodes.ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    private sealed class ArkErrors : IDialectErrors
    {
        public IResult Result(SeedgateError error) => Result(error, StatusOf(error.Code));

        public IResult Result(SeedgateError error, int status) => Results.Json(
            new ArkErrorBody(new ArkErrorDetail(error.Code, error.Message, error.Param, TypeOf(status))), DialectJson.Options, statusCode: status);

        // Ark's type names the status: BadRequest, NotFound, TooManyRequests, InternalServerError …
        private static string TypeOf(int status) => ReasonPhrases.GetReasonPhrase(status).Replace(" ", "", StringComparison.Ordinal);
    }
}
