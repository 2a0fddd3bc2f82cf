using System.CommandLine;
using System.Globalization;

namespace Seedgate.Cli;

/// <summary><c>seedgate balance [--json]</c>: the caller's money from the ledger (GET /v1/balance).</summary>
internal static class BalanceCommand
{
    public static Command Create(CliEnvironment env)
    {
        var json = CliJson.Option("the balance");
        var command = new Command("balance", "Show the account's money: charged this month, held by unfinished tasks, budget, free quota, credit.") { json };
        var api = ApiOptions.AddTo(command, env);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                using var http = env.CreateHttpClient();
                var balance = await api.CreateClient(parseResult, http).GetBalanceAsync(cancellationToken).ConfigureAwait(false);
                if (parseResult.GetValue(json))
                {
                    await CliJson.WriteAsync(env, balance).ConfigureAwait(false);
                    return ExitCodes.Ok;
                }

                var facts = new List<(string, string)>
                {
                    ("account", balance.AccountId ?? "?"),
                    ("month", balance.PeriodStart?.ToString("yyyy-MM", CultureInfo.InvariantCulture) ?? "?"),
                    ("charged", Money.Usd(balance.ChargedMicros) + " USD"),
                    ("reserved", Money.Usd(balance.ReservedMicros) + " USD"),
                    ("budget", balance.BudgetMicros is { } budget
                        ? $"{Money.Usd(budget)} USD ({Money.Usd(balance.BudgetLeftMicros)} left)"
                        : "none"),
                    ("free fast", $"{balance.FreeFastUsed.ToString(CultureInfo.InvariantCulture)} used, {balance.FreeFastLeft.ToString(CultureInfo.InvariantCulture)} left"),
                    ("credit", Money.Usd(balance.CreditMicros) + " USD"),
                    ("balance", Money.Usd(balance.BalanceMicros) + " USD"),
                };
                await TaskFacts.WriteAsync(env.Out, facts).ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken));
        return command;
    }
}
