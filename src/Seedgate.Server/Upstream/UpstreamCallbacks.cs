using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Seedgate.Core.Jobs;
using Seedgate.Core.Logging;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Upstream;
using Seedgate.Server.Hosting;

namespace Seedgate.Server.Upstream;

/// <summary>
/// Callback URLs for upstream tasks: <c>{Seedgate:PublicBaseUrl}/upstream/callbacks/{job id}?token=…</c>, the token an
/// HMAC of the job id under the node-shared link secret. Ark signs nothing (reference §1.5), so the token is what
/// tells a real callback from a forged one; a forged one could only make Seedgate look at the task sooner, never
/// change what it records, since the body's task id must be the job's.
/// </summary>
internal sealed class UpstreamCallbackLinks(StorageInitializer storage, IOptions<SeedgateOptions> gateway, IOptions<UpstreamOptions> upstream) : IUpstreamCallbacks
{
    public const string RoutePrefix = "/upstream/callbacks/";

    private readonly string? _base = gateway.Value.PublicBaseUrl?.TrimEnd('/');

    public bool Enabled => _base is not null && upstream.Value.Callbacks;

    public Uri? UrlFor(string jobId) => Enabled ? new Uri($"{_base}{RoutePrefix}{Uri.EscapeDataString(jobId)}?token={Token(jobId)}") : null;

    public bool Verify(string jobId, string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Token(jobId)), Encoding.ASCII.GetBytes(token));

    private string Token(string jobId) =>
        Convert.ToBase64String(HMACSHA256.HashData(storage.LinkSecret, Encoding.UTF8.GetBytes("upstream-callback\n" + jobId)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Where upstream callbacks arrive: each tells what a job's task is doing; an end frees its slot and wakes the job.</summary>
internal static partial class UpstreamCallbackEndpoints
{
    private const int MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapUpstreamCallbacks(this IEndpointRouteBuilder app)
    {
        app.MapPost(UpstreamCallbackLinks.RoutePrefix + "{jobId}", ReceiveAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ReceiveAsync(
        string jobId,
        string? token,
        HttpContext context,
        UpstreamCallbackLinks links,
        UpstreamTaskStore tasks,
        UpstreamLatencies latencies,
        JobSignals signals,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Seedgate.UpstreamCallbacks");
        if (!links.Verify(jobId, token))
        {
            Log.Refused(logger, jobId, "a wrong token");
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        ArkTaskView? view;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            view = ArkTaskView.Parse(document.RootElement);
        }
        catch (JsonException)
        {
            view = null;
        }

        if (view is null)
        {
            Log.Refused(logger, jobId, "a body that is not a task");
            return Results.BadRequest();
        }

        var row = await tasks.GetAsync(jobId, context.RequestAborted);
        if (row is null)
        {
            return Results.Ok(); // the job ended already: nothing to learn, and Ark need not retry
        }

        var now = time.GetUtcNow();
        if (await tasks.ObservedAsync(jobId, view.Id, view.Ended ? JsonSerializer.Serialize(view) : null, now, context.RequestAborted) && view.Ended)
        {
            latencies.Observe(row.Upstream, row.Model, now - row.Since);
            signals.WorkQueued(); // the slot is free and the job due: this node's dispatcher looks now
        }

        return Results.Ok();
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.UpstreamCallbackRefused, LogLevel.Warning, "An upstream callback for job {JobId} was refused: {Reason}")]
        public static partial void Refused(ILogger logger, string jobId, string reason);
    }
}
