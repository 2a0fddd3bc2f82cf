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

    public static async Task<FileServer> StartAsync(IReadOnlyDictionary<string, byte[]> files)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
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
