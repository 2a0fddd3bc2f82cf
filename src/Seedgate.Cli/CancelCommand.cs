using System.CommandLine;
using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary><c>seedgate cancel &lt;id&gt; [--json]</c>: cancels a task that has not started (a finished one is left as it is).</summary>
internal static class CancelCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "The task id (cgt-…)" };
        var json = CliJson.Option("the task after");

        var command = new Command("cancel", "Cancel a queued task (a running one cannot be stopped; a finished one is left as it is).") { id, json };
        var api = ApiOptions.AddTo(command, env);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                using var http = env.CreateHttpClient();
                var task = await api.CreateClient(parseResult, http).CancelAsync(parseResult.GetRequiredValue(id), cancellationToken).ConfigureAwait(false);
                if (parseResult.GetValue(json))
                {
                    await CliJson.WriteAsync(env, task).ConfigureAwait(false);
                }
                else
                {
                    await env.Out.WriteLineAsync(task.Status == TaskStatuses.Cancelled
                        ? $"{task.Id} cancelled"
                        : $"{task.Id} had already ended: {task.Status}").ConfigureAwait(false);
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }
}
