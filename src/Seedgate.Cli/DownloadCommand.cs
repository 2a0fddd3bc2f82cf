using System.CommandLine;
using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary><c>seedgate download &lt;id&gt; [--out FILE] [--last-frame] [--json]</c>: saves a finished task's video (or last frame).</summary>
internal static class DownloadCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "The task id (cgt-…)" };
        var output = new Option<string>("--out", "-o") { Description = "Where to save it (default <task id>.mp4, or .png)", HelpName = "FILE" };
        var lastFrame = new Option<bool>("--last-frame") { Description = "Download the last frame (PNG) instead of the video" };
        var json = CliJson.Option("the task, the file and its size");

        var command = new Command("download", "Download a finished task's video or last frame (an interrupted download resumes).") { id, output, lastFrame, json };
        var api = ApiOptions.AddTo(command, env);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                using var http = env.CreateHttpClient();
                var client = api.CreateClient(parseResult, http);
                var task = await client.GetTaskAsync(parseResult.GetRequiredValue(id), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (task.Status != TaskStatuses.Succeeded)
                {
                    var why = task.Error is { } e ? $" ({e.Code}: {e.Message})" : "";
                    await env.Error.WriteLineAsync($"error: task {task.Id} is {task.Status}{why}; there is nothing to download.").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                var wantLastFrame = parseResult.GetValue(lastFrame);
                var url = wantLastFrame ? task.Content?.LastFrameUrl : task.Content?.VideoUrl;
                if (url is null)
                {
                    await env.Error.WriteLineAsync(wantLastFrame
                        ? $"error: task {task.Id} has no last frame (it was not created with return_last_frame)."
                        : $"error: task {task.Id} has no video URL.").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                var path = parseResult.GetValue(output) ?? task.Id + (wantLastFrame ? ".png" : ".mp4");
                var bytes = await OutputFile.DownloadAsync(client, url, path, "downloading", env, cancellationToken).ConfigureAwait(false);
                await (parseResult.GetValue(json)
                    ? CliJson.WriteAsync(env, new System.Text.Json.Nodes.JsonObject { ["task"] = task.Id, ["file"] = path, ["bytes"] = bytes })
                    : env.Out.WriteLineAsync(path)).ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }
}
