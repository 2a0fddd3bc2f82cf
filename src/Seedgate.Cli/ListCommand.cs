using System.CommandLine;
using System.Globalization;
using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary><c>seedgate list [--status S] [--model M] [--limit N] [--json]</c>: the caller's tasks, newest first.</summary>
internal static class ListCommand
{
    public static Command Create(CliEnvironment env)
    {
        var status = new Option<string>("--status") { Description = "Only tasks with this status" };
        status.AcceptOnlyFromAmong(TaskStatuses.Queued, TaskStatuses.Running, TaskStatuses.Succeeded, TaskStatuses.Failed, TaskStatuses.Cancelled, TaskStatuses.Expired);
        var model = new Option<string>("--model") { Description = "Only tasks of this model" };
        var limit = new Option<int>("--limit") { Description = "At most this many tasks (1–10000)", DefaultValueFactory = _ => 20, HelpName = "N" };
        limit.Validators.Add(result =>
        {
            if (result.GetValue(limit) is < 1 or > 10_000)
            {
                result.AddError("--limit must be from 1 to 10000.");
            }
        });
        var json = CliJson.Option("the tasks (an array)");

        var command = new Command("list", "List the account's tasks, newest first.") { status, model, limit, json };
        var api = ApiOptions.AddTo(command, env);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                using var http = env.CreateHttpClient();
                var client = api.CreateClient(parseResult, http);
                var max = parseResult.GetValue(limit);
                var tasks = new List<GenerationTask>();
                await foreach (var task in client.ListAllTasksAsync(
                    parseResult.GetValue(status), parseResult.GetValue(model), Math.Min(max, 500), cancellationToken).ConfigureAwait(false))
                {
                    tasks.Add(task);
                    if (tasks.Count == max)
                    {
                        break;
                    }
                }

                if (parseResult.GetValue(json))
                {
                    await CliJson.WriteAsync(env, tasks).ConfigureAwait(false);
                }
                else
                {
                    await TextTable.WriteAsync(
                        env.Out,
                        ["id", "status", "model", "resolution", "seconds", "cost", "created"],
                        tasks.Select(t => (IReadOnlyList<string>)
                        [
                            t.Id, t.Status, t.Model ?? "-", t.Resolution ?? "-",
                            t.Duration?.ToString(CultureInfo.InvariantCulture) ?? "-", t.Cost?.ToString() ?? "-", TextTable.Time(t.CreatedAt),
                        ])).ConfigureAwait(false);
                }

                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }
}
