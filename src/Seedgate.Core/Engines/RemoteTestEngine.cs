using System.Net;
using System.Net.Http.Json;
using System.Text;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;

namespace Seedgate.Core.Engines;

/// <summary>
/// A TEST engine that has its videos made by a remote service, in steps, the way an upstream engine does: record the
/// intent, submit, wait, poll, collect. It exists to prove the step machinery against a fake remote (a kill -9 at any
/// point of a job's life must not submit it twice) and is registered only when configuration names the remote
/// (<see cref="BaseUrlKey"/>), serving only models whose catalog route names it.
/// The remote's protocol: <c>POST {base}/tasks</c> with <c>{"client_task_id"}</c> → <c>{"id"}</c>;
/// <c>GET {base}/tasks?client_task_id=…</c> → <c>{"id"}</c> or 404; <c>GET {base}/tasks/{id}</c> → <c>{"status"}</c>
/// (running | succeeded | failed).
/// </summary>
internal sealed class RemoteTestEngine(HttpClient http, TimeSpan pollInterval) : IVideoEngine
{
    public const string EngineName = "remote-test";

    /// <summary>The configuration key of the remote's base URL, which enables the engine.</summary>
    public const string BaseUrlKey = "Seedgate:Engines:RemoteTest:BaseUrl";

    /// <summary>The configuration key of the time between polls (default 200 ms).</summary>
    public const string PollIntervalKey = "Seedgate:Engines:RemoteTest:PollInterval";

    private const string Submitting = "submitting";
    private const string Submitted = "submitted";
    private static readonly byte[] Placeholder = Encoding.ASCII.GetBytes("seedgate remote-test engine output\n");

    public string Name => EngineName;

    public async Task<EngineStep> StepAsync(EngineWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var job = work.Job;
        switch (job.Checkpoint)
        {
            case null or Submitting:
                // After a crash between the intent and the recorded id, ask the remote before submitting again.
                var taskId = job.Checkpoint == Submitting ? await FindAsync(job.Id, cancellationToken) : null;
                if (taskId is null)
                {
                    if (job.Checkpoint is null)
                    {
                        await work.RecordAsync(new EngineCheckpoint(Submitting), cancellationToken);
                    }

                    taskId = await SubmitAsync(job.Id, cancellationToken);
                }

                return new EngineStep.Waiting(new EngineCheckpoint(Submitted, taskId), pollInterval);

            case Submitted:
                var upstream = job.UpstreamTaskId ?? throw new InvalidOperationException($"Job {job.Id} was submitted without a task id.");
                var status = await StatusAsync(upstream, cancellationToken);
                return status switch
                {
                    "running" => new EngineStep.Waiting(new EngineCheckpoint(Submitted), pollInterval),
                    "succeeded" => await CollectAsync(work, cancellationToken),
                    _ => new EngineStep.Failed(new SeedgateError(ErrorCodes.InternalServiceError, $"The remote task {upstream} ended {status}.")),
                };

            default:
                throw new InvalidOperationException($"Job {job.Id} has an unknown checkpoint '{job.Checkpoint}'.");
        }
    }

    private async Task<string> SubmitAsync(string jobId, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("tasks", new RemoteTask(null, jobId, null), cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<RemoteTask>(cancellationToken))?.Id
            ?? throw new InvalidOperationException("The remote accepted a task but sent no id.");
    }

    private async Task<string?> FindAsync(string jobId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"tasks?client_task_id={Uri.EscapeDataString(jobId)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<RemoteTask>(cancellationToken))?.Id;
    }

    private async Task<string?> StatusAsync(string taskId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"tasks/{Uri.EscapeDataString(taskId)}", cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<RemoteTask>(cancellationToken))?.Status;
    }

    private static async Task<EngineStep> CollectAsync(EngineWork work, CancellationToken cancellationToken)
    {
        // One file needs no directory: it goes next to the scratch path (the completer moves it into storage).
        var path = work.Directory + ".mp4";
        await File.WriteAllBytesAsync(path, Placeholder, cancellationToken);
        var request = work.Job.Request;
        return new EngineStep.Completed(new EngineResult(
            path, null, 0, 0, request.FramesPerSecond!.Value, request.Duration!.Value, false, request.Ratio!, 0));
    }

    /// <summary>The remote's task, as it sends and takes it.</summary>
    private sealed record RemoteTask(
        [property: System.Text.Json.Serialization.JsonPropertyName("id")] string? Id,
        [property: System.Text.Json.Serialization.JsonPropertyName("client_task_id")] string? ClientTaskId,
        [property: System.Text.Json.Serialization.JsonPropertyName("status")] string? Status);
}
