using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Seedgate.Cli.Tests;

/// <summary>
/// A request the proxy forwarded: its kind (create, get, list, file, other), method and path, the upstream's status,
/// and, but for files, the request's and the answer's bodies (JSON).
/// </summary>
internal sealed record ProxiedRequest(string Kind, string Method, string Path, int Status, string? Body = null, string? Answer = null);

/// <summary>
/// A reverse proxy in the test process between a gateway and an upstream (simulator): it forwards each request as it
/// came (method, path, query, headers with Authorization and Host, body), records it, and lets a test act (kill the
/// gateway) once the upstream has answered, before the answer goes back — so the upstream has done what was asked (a
/// task exists) and the gateway never learns of it. The Host header is the proxy's own, so the simulator, which writes
/// its output links on the host the creating client reached it by, links its files through the proxy too: downloads
/// are proxied, and can be cut, like every other request.
/// </summary>
internal sealed class RecordingProxy : IAsyncDisposable
{
    private const string Tasks = "/api/v3/contents/generations/tasks";

    // Hop-by-hop headers are the connection's, not the request's; Content-Length is recomputed from the body.
    private static readonly HashSet<string> NotForwarded = new(
        ["Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Content-Length"],
        StringComparer.OrdinalIgnoreCase);

    private readonly WebApplication _app;
    private readonly Uri _target;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    private readonly ConcurrentQueue<ProxiedRequest> _log = new();

    private RecordingProxy(WebApplication app, Uri target)
    {
        _app = app;
        _target = target;
    }

    /// <summary>The proxy's view of the upstream's Ark API base (…/api/v3/).</summary>
    public Uri BaseUrl => new(new Uri(_app.Urls.First()), "/api/v3/");

    /// <summary>
    /// Called with each answered request before its answer is sent back; true drops the answer (the connection is cut),
    /// as for a gateway killed meanwhile.
    /// </summary>
    public Func<ProxiedRequest, Task<bool>>? OnAnswered { get; set; }

    /// <summary>
    /// Whether creates go upstream without their <c>callback_url</c> (every callback lost), so that a test can deliver
    /// the one it means, when it means (<see cref="ProxiedRequest.Body"/> keeps the URL).
    /// </summary>
    public bool DropCallbackUrls { get; set; }

    /// <summary>Every request forwarded so far, in the order of their answers.</summary>
    public IReadOnlyList<ProxiedRequest> Requests => [.. _log];

    /// <summary>Starts a proxy on a free port of 127.0.0.1 in front of <paramref name="target"/> (the upstream's root URL).</summary>
    public static async Task<RecordingProxy> StartAsync(Uri target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new RecordingProxy(app, target);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var incoming = context.Request;
        using var forward = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(_target, incoming.Path + incoming.QueryString));
        using var body = new MemoryStream();
        await incoming.Body.CopyToAsync(body, context.RequestAborted);
        if (body.Length > 0)
        {
            forward.Content = new ByteArrayContent(
                DropCallbackUrls && KindOf(incoming) == "create" ? WithoutCallbackUrl(body.ToArray()) : body.ToArray());
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (!NotForwarded.Contains(name) && !forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        // Not the gateway's token: an upstream acts on a request whether or not its client is still there to hear the answer.
        using var answer = await _http.SendAsync(forward, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
        var bytes = await answer.Content.ReadAsByteArrayAsync(CancellationToken.None);
        var kind = KindOf(incoming);
        var seen = kind == "file"
            ? new ProxiedRequest(kind, incoming.Method, incoming.Path + incoming.QueryString, (int)answer.StatusCode)
            : new ProxiedRequest(
                kind, incoming.Method, incoming.Path + incoming.QueryString, (int)answer.StatusCode,
                Encoding.UTF8.GetString(body.ToArray()), Encoding.UTF8.GetString(bytes));
        _log.Enqueue(seen);
        if (OnAnswered is { } hook && await hook(seen))
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!NotForwarded.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        if (!HttpMethods.IsHead(incoming.Method))
        {
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        }
    }

    private static byte[] WithoutCallbackUrl(byte[] body)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
        json.Remove("callback_url");
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    private static string KindOf(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        return path.StartsWith("/_sim/files/", StringComparison.Ordinal) ? "file"
            : path == Tasks && HttpMethods.IsPost(request.Method) ? "create"
            : path == Tasks && HttpMethods.IsGet(request.Method) ? "list"
            : path.StartsWith(Tasks + "/", StringComparison.Ordinal) && HttpMethods.IsGet(request.Method) ? "get"
            : "other";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }
}
