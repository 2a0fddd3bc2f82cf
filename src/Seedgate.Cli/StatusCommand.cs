using System.CommandLine;
using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary><c>seedgate status &lt;id&gt; [--wait SECONDS] [--json]</c>: shows a task.</summary>
internal static class StatusCommand
{
    public static Command Create(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "The task id (cgt-…)" };
        var wait = new Option<int?>("--wait")
        {
            Description = "Hold up to this many seconds (≤ 60) for the task to finish before answering",
            HelpName = "SECONDS",
        };
        wait.Validators.Add(result =>
        {
            if (result.GetValue(wait) is < 0 or > 60)
            {
                result.AddError("--wait must be between 0 and 60 seconds.");
            }
        });
        var json = CliJson.Option("the task");

        var command = new Command("status", "Show a task: status, outputs, facts.") { id, wait, json };
        var api = ApiOptions.AddTo(command, env);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                using var http = env.CreateHttpClient();
                var client = api.CreateClient(parseResult, http);
                var seconds = parseResult.GetValue(wait);
                var task = await client.GetTaskAsync(
                    parseResult.GetRequiredValue(id), seconds is { } s ? TimeSpan.FromSeconds(s) : null, cancellationToken).ConfigureAwait(false);

                if (parseResult.GetValue(json))
                {
                    await CliJson.WriteAsync(env, task).ConfigureAwait(false);
                }
                else
                {
                    await TaskFacts.WriteAsync(env.Out, TaskFacts.Summary(task)).ConfigureAwait(false);
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }
}
