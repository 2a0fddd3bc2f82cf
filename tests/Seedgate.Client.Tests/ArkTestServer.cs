using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Seedgate.Testing;

/// <summary>One request as the test server received it.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A real Kestrel server on 127.0.0.1 (a free port) that a test programs with the Ark wire format it wants to play,
/// recording every request. Not Seedgate's server: it is how the SDK and the CLI are tested on their own.
/// </summary>
public sealed class ArkTestServer : IAsyncDisposable
{
    public const string TasksPath = "/api/v3/contents/generations/tasks";

    private readonly WebApplication app;

    private ArkTestServer(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public IEnumerable<RecordedRequest> RequestsTo(string method, string pathPrefix) =>
        Requests.Where(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal));

    public static async Task<ArkTestServer> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        ArkTestServer? server = null;
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            request.EnableBuffering();
            using var reader = new StreamReader(request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            request.Body.Position = 0;
            var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            server!.Requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", headers, body));
            context.Response.Headers["X-Request-Id"] = "req-" + server.Requests.Count;
            await next(context);
        });
        map(app);
        await app.StartAsync();
        server = new ArkTestServer(app, new Uri(app.Urls.First()));
        return server;
    }

    /// <summary>Writes Ark's error body with the given status.</summary>
    public static IResult ArkError(int status, string code, string message, string? param = null) =>
        Results.Json(new { error = new { code, message, param, type = "BadRequest" } }, statusCode: status);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
