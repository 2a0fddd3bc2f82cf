using System.CommandLine;
using System.Globalization;
using Seedgate.Client;
using Seedgate.Core.Accounts;

namespace Seedgate.Cli;

/// <summary>
/// <c>seedgate usage [--from DATE] [--to DATE] [--group-by model|day|week] [--json]</c>: the caller's usage from the ledger
/// (GET /v1/usage) as tables: per group and in total, then the cost per task by model and by week.
/// </summary>
internal static class UsageCommand
{
    private static readonly string[] Headers =
        ["jobs", "succeeded", "failed", "cancelled", "expired", "open", "output s", "cost USD", "free", "p50 USD", "p95 USD"];

    public static Command Create(CliEnvironment env)
    {
        var from = Moment("--from", "Start of the period, included: 2026-12-01 (midnight UTC) or 2026-12-01T09:30:00Z [default: the start of the month]");
        var to = Moment("--to", "End of the period, excluded [default: now]; at most 400 days after --from");
        var groupBy = new Option<string>("--group-by") { Description = "Rows per model, UTC day or ISO week [default: model]", HelpName = "model|day|week" };
        groupBy.AcceptOnlyFromAmong("model", "day", "week");
        var json = CliJson.Option("the report");

        var command = new Command("usage", "Show the account's usage: tasks by outcome, output, cost and P50/P95 cost per task.") { from, to, groupBy, json };
        var api = ApiOptions.AddTo(command, env);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                var (start, end) = (parseResult.GetValue(from), parseResult.GetValue(to));
                if (start is { } s && end is { } e && e <= s)
                {
                    throw new UsageException("--to must be later than --from.");
                }

                using var http = env.CreateHttpClient();
                var by = parseResult.GetValue(groupBy) is { } name ? Enum.Parse<UsageGroupBy>(name, ignoreCase: true) : (UsageGroupBy?)null;
                var usage = await api.CreateClient(parseResult, http).GetUsageAsync(start, end, by, cancellationToken).ConfigureAwait(false);
                await (parseResult.GetValue(json) ? CliJson.WriteAsync(env, usage) : WriteAsync(env.Out, usage)).ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }

    /// <summary>The report: the period, the groups and their total, and the cost per task the groups do not show already.</summary>
    public static async Task WriteAsync(TextWriter writer, AccountUsage usage)
    {
        var groupBy = usage.GroupBy ?? "model";
        await writer.WriteLineAsync(
            $"usage of {usage.AccountId} from {Time(usage.From)} to {Time(usage.To)} by {groupBy}").ConfigureAwait(false);
        await writer.WriteLineAsync().ConfigureAwait(false);
        await TextTable.WriteAsync(
            writer,
            [groupBy, .. Headers],
            [.. usage.Groups.Select(g => Row(g.Key ?? "?", g)), Row("total", usage.Total)]).ConfigureAwait(false);

        if (groupBy != "model")
        {
            await SlopeAsync(writer, "model", usage.CostPerJobByModel).ConfigureAwait(false);
        }

        if (groupBy != "week")
        {
            await SlopeAsync(writer, "week", usage.CostPerJobByWeek).ConfigureAwait(false);
        }

        await writer.WriteLineAsync().ConfigureAwait(false);
        await writer.WriteLineAsync("Percentiles are of paid successes (free-quota ones left out), by nearest rank.").ConfigureAwait(false);
    }

    private static async Task SlopeAsync(TextWriter writer, string by, IReadOnlyList<CostPerJobGroup> groups)
    {
        await writer.WriteLineAsync().ConfigureAwait(false);
        if (groups.Count == 0)
        {
            await writer.WriteLineAsync($"cost per task by {by}: no successes").ConfigureAwait(false);
            return;
        }

        await writer.WriteLineAsync($"cost per task by {by}").ConfigureAwait(false);
        await TextTable.WriteAsync(
            writer,
            [by, "paid", "p50 USD", "p95 USD"],
            groups.Select(g => (IReadOnlyList<string>)[g.Key ?? "?", Count(g.CostPerJob.Jobs), Money.Usd(g.CostPerJob.P50Micros), Money.Usd(g.CostPerJob.P95Micros)]))
            .ConfigureAwait(false);
    }

    private static string[] Row(string key, UsageGroup g) =>
    [
        key, Count(g.Jobs.Total), Count(g.Jobs.Succeeded), Count(g.Jobs.Failed), Count(g.Jobs.Cancelled), Count(g.Jobs.Expired),
        Count(g.Jobs.Open), g.OutputSeconds.ToString("0.0##", CultureInfo.InvariantCulture), Money.Usd(g.CostMicros), Count(g.FreeQuotaJobs),
        Money.Usd(g.CostPerJob.P50Micros), Money.Usd(g.CostPerJob.P95Micros),
    ];

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.ToString("u", CultureInfo.InvariantCulture);

    /// <summary>A date (its midnight UTC) or an ISO 8601 date-time (UTC unless it gives an offset); anything else is a usage error.</summary>
    private static Option<DateTimeOffset?> Moment(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "DATE",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (LedgerUsage.TryParseMoment(text, out var at))
            {
                return at;
            }

            result.AddError($"{name} must be a date (2026-12-01) or an ISO 8601 date-time (2026-12-01T09:30:00Z), not '{text}'.");
            return null;
        },
    };
}
