using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Seedgate.Core.Tests.Fetch;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (free port) with the endpoints the fetcher tests need. It counts
/// accepted TCP connections, so a test can show that a refused fetch never even connected.
/// </summary>
public sealed class FetchTestServer : IAsyncLifetime
{
    public const int BodySize = 1000;

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;
    private int _connections;

    public Uri BaseUri { get; private set; } = null!;

    public int Port => BaseUri.Port;

    public int Connections => Volatile.Read(ref _connections);

    public ConcurrentQueue<string> Requests { get; } = new();

    public static byte[] Body { get; } = Enumerable.Range(0, BodySize).Select(i => (byte)(i * 7)).ToArray();

    public Uri Url(string pathAndQuery) => new(BaseUri, pathAndQuery);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => connection =>
        {
            Interlocked.Increment(ref _connections);
            return next(connection);
        })));

        var app = builder.Build();
        app.Use((context, next) =>
        {
            Requests.Enqueue(context.Request.Path + context.Request.QueryString);
            return next(context);
        });

        app.MapGet("/ok", () => Results.Bytes(Body, "image/png"));

        app.MapGet("/redirect", (string to, int? status) =>
            Results.Redirect(to, permanent: status is 301 or 308, preserveMethod: status is 307 or 308));

        // /chain/0?stop=k redirects (relative Location) to /chain/1 … until /chain/k, which answers the body.
        app.MapGet("/chain/{n:int}", (int n, int stop, HttpContext context) =>
        {
            if (n >= stop)
            {
                return Results.Bytes(Body, "image/png");
            }

            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = $"{n + 1}?stop={stop}";
            return Results.Empty;
        });

        app.MapGet("/big-length", () => Results.Bytes(new byte[2 * BodySize], "video/mp4"));

        // No Content-Length: Kestrel sends it chunked, so only the streaming limit can catch it.
        app.MapGet("/big-chunked", async (HttpContext context) =>
        {
            context.Response.ContentType = "video/mp4";
            var piece = new byte[BodySize / 2];
            for (var i = 0; i < 4; i++)
            {
                await context.Response.Body.WriteAsync(piece, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });

        app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));

        app.MapGet("/slow-headers", async (HttpContext context) =>
        {
            await WaitForReleaseAsync(context.RequestAborted);
            return Results.Bytes(Body);
        });

        app.MapGet("/slow-body", async (HttpContext context) =>
        {
            context.Response.ContentLength = BodySize;
            await context.Response.Body.WriteAsync(Body.AsMemory(0, 10), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await WaitForReleaseAsync(context.RequestAborted);
        });

        await app.StartAsync();
        _app = app;
        BaseUri = new Uri(app.Urls.Single());
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    // Holds a slow response until the client gives up (RequestAborted) or the server shuts down.
    private async Task WaitForReleaseAsync(CancellationToken aborted)
    {
        var abort = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = aborted.Register(() => abort.TrySetResult());
        await Task.WhenAny(_release.Task, abort.Task);
    }
}
