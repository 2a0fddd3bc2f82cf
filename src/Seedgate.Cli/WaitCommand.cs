using System.CommandLine;
using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary>
/// <c>seedgate wait &lt;id&gt; [--timeout SECONDS] [--out FILE] [--json]</c>: follows a task to its end with the live status
/// line, then prints its facts (and downloads the video with --out). Exit 0 when it succeeded, the task's failure code
/// otherwise, 7 when the timeout passed first (the task may still finish).
/// </summary>
internal static class WaitCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "The task id (cgt-…)" };
        var timeout = new Option<int?>("--timeout") { Description = "Give up after this many seconds (exit 7); default: wait as long as it takes", HelpName = "SECONDS" };
        timeout.Validators.Add(result =>
        {
            if (result.GetValue(timeout) is <= 0)
            {
                result.AddError("--timeout must be a positive number of seconds.");
            }
        });
        var output = new Option<string>("--out", "-o") { Description = "Also download the video here when the task succeeds", HelpName = "FILE" };
        var json = CliJson.Option("the finished task");

        var command = new Command("wait", "Wait for a task to finish, showing its progress.") { id, timeout, output, json };
        var api = ApiOptions.AddTo(command, env);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                using var http = env.CreateHttpClient();
                var client = api.CreateClient(parseResult, http);
                var seconds = parseResult.GetValue(timeout);
                GenerationTask task;
                var display = new TaskProgressDisplay(env.Error, env.ErrorIsTerminal, env.Time);
                await using (display.ConfigureAwait(false))
                {
                    task = await client.WaitAsync(
                        parseResult.GetRequiredValue(id), display, seconds is { } s ? TimeSpan.FromSeconds(s) : null, cancellationToken).ConfigureAwait(false);
                }

                string? file = null;
                if (parseResult.GetValue(output) is { } path && task is { Status: TaskStatuses.Succeeded, Content.VideoUrl: { } video })
                {
                    await OutputFile.DownloadAsync(client, video, path, "downloading", env, cancellationToken).ConfigureAwait(false);
                    file = path;
                }

                await WriteOutcomeAsync(env, task, file, parseResult.GetValue(json)).ConfigureAwait(false);
                return task.Status == TaskStatuses.Succeeded ? ExitCodes.Ok : ExitCodes.ForTask(task);
            },
            cancellationToken));
        return command;
    }

    /// <summary>A finished task's facts (or its JSON, with <c>file</c> when one was written); the reason on stderr when it did not succeed.</summary>
    public static async Task WriteOutcomeAsync(CliEnvironment env, GenerationTask task, string? file, bool json)
    {
        if (task.Status != TaskStatuses.Succeeded)
        {
            await env.Error.WriteLineAsync(
                $"task {task.Id} {task.Status}: {task.Error?.Code ?? task.Status} {task.Error?.Message}".TrimEnd()).ConfigureAwait(false);
        }

        if (json)
        {
            var body = CliJson.ToObject(task);
            if (file is not null)
            {
                body["file"] = file;
            }

            await CliJson.WriteAsync(env, body).ConfigureAwait(false);
        }
        else if (task.Status == TaskStatuses.Succeeded)
        {
            await TaskFacts.WriteAsync(env.Out, [("task", task.Id), .. file is null ? [] : new[] { ("file", file) }, .. TaskFacts.Outcome(task)]).ConfigureAwait(false);
        }
    }
}
