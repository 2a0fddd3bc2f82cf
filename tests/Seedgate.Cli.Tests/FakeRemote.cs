using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Seedgate.Cli.Tests;

/// <summary>
/// The remote service of the remote-test engine, in the test process (so it outlives the gateway it serves): it counts
/// every create per job, finishes a task on its <see cref="PollsToSucceed"/>th poll, and lets a test act (kill the
/// gateway) when a request arrives, before it is answered.
/// </summary>
internal sealed class FakeRemote : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, RemoteTask> _byClient = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RemoteTask> _byId = new(StringComparer.Ordinal);
    private int _requests;

    private FakeRemote(WebApplication app) => _app = app;

    public Uri BaseAddress => new(_app.Urls.First());

    public int PollsToSucceed { get; set; } = 2;

    /// <summary>Called on each request (kind "create" or "poll", the job id, the request's number) before it is answered.</summary>
    public Func<string, string, int, Task>? OnRequest { get; set; }

    /// <summary>How many creates the remote received for a job.</summary>
    public int Creates(string jobId) => _byClient.TryGetValue(jobId, out var task) ? task.Creates : 0;

    public static async Task<FakeRemote> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var remote = new FakeRemote(app);
        app.MapPost("/tasks", remote.CreateAsync);
        app.MapGet("/tasks", (string client_task_id) =>
            remote._byClient.TryGetValue(client_task_id, out var task) ? Results.Json(new { id = task.Id }) : Results.NotFound());
        app.MapGet("/tasks/{id}", remote.PollAsync);
        await app.StartAsync();
        return remote;
    }

    private async Task<IResult> CreateAsync(CreateBody body)
    {
        var task = _byClient.GetOrAdd(body.client_task_id, id => new RemoteTask("rt-" + Guid.NewGuid().ToString("N")[..8], id));
        Interlocked.Increment(ref task.Creates);
        _byId[task.Id] = task;
        await NotifyAsync("create", task.ClientTaskId);
        return Results.Json(new { id = task.Id });
    }

    private async Task<IResult> PollAsync(string id)
    {
        if (!_byId.TryGetValue(id, out var task))
        {
            return Results.NotFound();
        }

        var polls = Interlocked.Increment(ref task.Polls);
        await NotifyAsync("poll", task.ClientTaskId);
        return Results.Json(new { id, status = polls >= PollsToSucceed ? "succeeded" : "running" });
    }

    private Task NotifyAsync(string kind, string jobId) =>
        OnRequest?.Invoke(kind, jobId, Interlocked.Increment(ref _requests)) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

#pragma warning disable CA1707, SA1300, IDE1006 // The wire's field name.
    private sealed record CreateBody(string client_task_id);
#pragma warning restore CA1707, SA1300, IDE1006

    private sealed class RemoteTask(string id, string clientTaskId)
    {
        public int Creates;
        public int Polls;

        public string Id { get; } = id;

        public string ClientTaskId { get; } = clientTaskId;
    }
}
