using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Seedgate.Server.Tests.Infrastructure;

/// <summary>A tiny HTTP server on 127.0.0.1 that serves fixed files, standing in for a caller's CDN.</summary>
public sealed class FileServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FileServer(WebApplication app) => _app = app;

    /// <summary>Serves <paramref name="files"/>; <paramref name="beforeServing"/>, when given, runs (and may hold) each request first.</summary>
    public static async Task<FileServer> StartAsync(IReadOnlyDictionary<string, byte[]> files, Func<HttpContext, Task>? beforeServing = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        if (beforeServing is not null)
        {
            app.Use(async (context, next) =>
            {
                await beforeServing(context);
                await next(context);
            });
        }

        app.Run(context => files.TryGetValue(context.Request.Path.Value ?? "", out var bytes)
            ? context.Response.Body.WriteAsync(bytes).AsTask()
            : Task.FromResult(context.Response.StatusCode = StatusCodes.Status404NotFound));
        await app.StartAsync();
        return new FileServer(app);
    }

    public string Url(string path) => _app.Urls.First() + path;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
