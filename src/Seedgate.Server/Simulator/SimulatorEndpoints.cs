using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;

namespace Seedgate.Server.Simulator;

/// <summary>
/// The simulator's HTTP surface: the Ark task API under /api/v3 (behind the request counter, the QPS limit and the key
/// check, in that order), and /_sim/* (stats, reset, output files), which is never limited or faulted.
/// </summary>
internal sealed class SimulatorEndpoints(
    SimulatedTasks tasks,
    SimulatorCounters counters,
    SimulatorOptions options,
    TokenBucket? bucket,
    TimeProvider time,
    ILogger logger,
    CancellationToken stopping)
{
    public const string ApiRoot = "/api/v3";
    public const string TasksPath = ApiRoot + "/contents/generations/tasks";
    private const int MaxPageSize = 500;
    private const int DefaultPageSize = 10;

    /// <summary>How long a hung request is held at most (then its connection is dropped, still without an answer).</summary>
    private static readonly TimeSpan MaxHang = TimeSpan.FromMinutes(10);

    private static readonly JsonSerializerOptions StatsJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly byte[]? _apiKey = options.ApiKey is { } key ? Encoding.UTF8.GetBytes(key) : null;

    public void Map(WebApplication app)
    {
        app.Use(GateAsync);
        app.MapPost(TasksPath, (Delegate)CreateAsync);
        app.MapGet(TasksPath + "/{id}", GetAsync);
        app.MapGet(TasksPath, (Delegate)ListAsync);
        app.MapDelete(TasksPath + "/{id}", Delete);
        app.MapGet("/_sim/stats", () => Results.Json(tasks.Stats(), StatsJson));
        app.MapPost("/_sim/reset", () =>
        {
            tasks.ResetStats();
            return Results.Json(tasks.Stats(), StatsJson);
        });
        app.MapMethods(TaskJson.FilesPath + "/{id}/{file}", [HttpMethods.Get, HttpMethods.Head], File);
        app.MapFallback((HttpContext context) =>
            Error(StatusCodes.Status404NotFound, "NotFound", $"No such endpoint: {context.Request.Method} {context.Request.Path}."));
    }

    /// <summary>Every /api/v3 request: counted, then rate-limited, then its key checked.</summary>
    private async Task GateAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.StartsWithSegments(ApiRoot, StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        counters.Add(SimulatorCounter.Requests);
        var requestId = context.Request.Headers["X-Client-Request-Id"].ToString();
        context.Response.Headers["X-Client-Request-Id"] = requestId.Length is > 0 and <= 128 ? requestId : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        if (bucket is not null && !bucket.TryTake(out var retryAfter))
        {
            counters.Add(SimulatorCounter.RateLimited);
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await Error(StatusCodes.Status429TooManyRequests, "RateLimitExceeded",
                    "The request rate has exceeded the limit of the endpoint; retry later.")
                .ExecuteAsync(context);
            return;
        }

        if (!Authorized(context.Request))
        {
            await Error(StatusCodes.Status401Unauthorized, "AuthenticationError", "The API key in the request is missing or invalid.")
                .ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || header.Length == Bearer.Length)
        {
            return false;
        }

        var key = header[Bearer.Length..].Trim();
        return key.Length > 0 && (_apiKey is null || CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), _apiKey));
    }

    private async Task<IResult> CreateAsync(HttpContext context)
    {
        var (errorStatus, hang) = tasks.RollFault();
        if (errorStatus is { } status)
        {
            return Fault(status);
        }

        TaskSpec spec;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            spec = SimulatedRequest.Parse(body.RootElement, options.MinExecutionExpiresAfterSeconds);
        }
        catch (JsonException)
        {
            return hang ? await HoldAsync(context) : Error(ArkApiException.Invalid("body", "The request body is not valid JSON."));
        }
        catch (BadHttpRequestException e)
        {
            // Too large (over Ark's 64 MB) or cut short.
            return Error(e.StatusCode, "InvalidParameter", e.Message, "body");
        }
        catch (ArkApiException e)
        {
            return hang ? await HoldAsync(context) : Error(e);
        }

        var (outcome, task) = tasks.Create(spec, $"{context.Request.Scheme}://{context.Request.Host}");
        if (outcome == CreateOutcome.OverQuota)
        {
            return Error(StatusCodes.Status429TooManyRequests, "QuotaExceeded",
                $"The number of tasks in flight has reached the limit of the account ({options.MaxInFlight}); retry when a task has finished.");
        }

        if (outcome == CreateOutcome.Stopping)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable", "The service is shutting down.");
        }

        // A hung create has made its task: only the answer is lost (how a client's "no double submission" is tested).
        return hang ? await HoldAsync(context) : Results.Json(new { id = task!.Id });
    }

    private async Task<IResult> GetAsync(string id, HttpContext context)
    {
        var (errorStatus, hang) = tasks.RollFault();
        if (errorStatus is { } status)
        {
            return Fault(status);
        }

        if (hang)
        {
            return await HoldAsync(context);
        }

        var (outcome, body) = tasks.Get(id);
        return outcome switch
        {
            GetOutcome.Found => Results.Bytes(body!, "application/json"),
            GetOutcome.NotFound => NotFound(id),
            GetOutcome.ServerError => Fault(StatusCodes.Status500InternalServerError),
        };
    }

    private async Task<IResult> ListAsync(HttpContext context)
    {
        var (errorStatus, hang) = tasks.RollFault();
        if (errorStatus is { } status)
        {
            return Fault(status);
        }

        ListQuery query;
        try
        {
            query = ParseList(context.Request.Query);
        }
        catch (ArkApiException e)
        {
            return hang ? await HoldAsync(context) : Error(e);
        }

        if (hang)
        {
            return await HoldAsync(context);
        }

        return tasks.List(query) is { } body ? Results.Bytes(body, "application/json") : Fault(StatusCodes.Status500InternalServerError);
    }

    private IResult Delete(string id) => tasks.Delete(id) switch
    {
        // Real Ark answers with no body, which SDKs read as {}.
        DeleteOutcome.Cancelled or DeleteOutcome.Deleted => Results.Ok(),
        DeleteOutcome.NotFound => NotFound(id),
        DeleteOutcome.NotAllowed => Error(ArkApiException.Invalid(
            "id", $"Cancelling or deleting the task {id} is not allowed in its current status (only a queued task can be cancelled, and a finished one deleted).")),
    };

    private IResult File(string id, string file)
    {
        if (file is not (TaskJson.VideoFile or TaskJson.LastFrameFile))
        {
            return StorageError(StatusCodes.Status404NotFound, "NoSuchKey", "The specified key does not exist.");
        }

        var path = tasks.OutputFile(id, file, out var expired);
        return expired ? StorageError(StatusCodes.Status403Forbidden, "AccessDenied", "Request has expired")
            : path is null ? StorageError(StatusCodes.Status404NotFound, "NoSuchKey", "The specified key does not exist.")
            : Results.File(path, file == TaskJson.VideoFile ? "video/mp4" : "image/png", enableRangeProcessing: true);
    }

    private static ListQuery ParseList(IQueryCollection query)
    {
        var statuses = new HashSet<ArkTaskStatus>();
        foreach (var name in query["filter.status"])
        {
            statuses.Add(TaskJson.TryParseStatus(name ?? "", out var status)
                ? status
                : throw ArkApiException.Invalid("filter.status", $"The parameter filter.status is not valid: {name}."));
        }

        var model = query["filter.model"].ToString() is { Length: > 0 } modelName ? SimulatedModels.Find(modelName)?.Id ?? modelName : null;
        var tier = query["filter.service_tier"].ToString() switch
        {
            "" => null,
            var t when t is "default" or "flex" => t,
            var t => throw ArkApiException.Invalid("filter.service_tier", $"The parameter filter.service_tier must be default or flex (got {t})."),
        };
        var ids = query["filter.task_ids"].Where(i => !string.IsNullOrEmpty(i)).Select(i => i!).ToHashSet(StringComparer.Ordinal);
        return new ListQuery(Page(query, "page_num", 1), Page(query, "page_size", DefaultPageSize), statuses, model, ids, tier);
    }

    private static int Page(IQueryCollection query, string name, int fallback)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= MaxPageSize
            ? value
            : throw ArkApiException.Invalid(name, $"The parameter {name} must be an integer from 1 to {MaxPageSize} (got {text}).");
    }

    /// <summary>Holds the request without answering until the client gives up, the simulator stops or 10 minutes pass.</summary>
    private async Task<IResult> HoldAsync(HttpContext context)
    {
        counters.Add(SimulatorCounter.Hangs);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.RequestHeld(context.Request.Method, context.Request.Path.Value ?? "");
        }

        using var held = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await Task.Delay(MaxHang, time, held.Token);
        }
        catch (OperationCanceledException)
        {
            // The client gave up, or the simulator is stopping.
        }

        context.Abort();
        return Results.Empty;
    }

    private IResult Fault(int status)
    {
        counters.Add(SimulatorCounter.ErrorsSent);
        return status == StatusCodes.Status503ServiceUnavailable
            ? Error(status, "ServiceUnavailable", "The service is temporarily unavailable; retry later.")
            : Error(status, "InternalServiceError", "The service encountered an unexpected internal error.");
    }

    private static IResult NotFound(string id) =>
        Error(StatusCodes.Status404NotFound, "ResourceNotFound", $"The specified task {id} is not found.", "id");

    private static IResult Error(ArkApiException e) => Error(e.Status, e.Code, e.Message, e.Param);

    /// <summary>Ark's error body; its type names the status (BadRequest, NotFound, TooManyRequests …).</summary>
    private static IResult Error(int status, string code, string message, string? param = null) => Results.Json(
        new { error = new { code, message, param, type = ReasonPhrases.GetReasonPhrase(status).Replace(" ", "", StringComparison.Ordinal) } },
        statusCode: status);

    /// <summary>The answer of object storage (TOS, S3-like XML) for a link that no longer works.</summary>
    private static IResult StorageError(int status, string code, string message) => Results.Content(
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>",
        "application/xml",
        Encoding.UTF8,
        status);
}
