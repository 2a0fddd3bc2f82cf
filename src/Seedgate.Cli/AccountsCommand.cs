using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary>
/// <c>seedgate accounts create|list|show|update</c>: manages accounts through the server's admin API, with the admin
/// key (--admin-key or SEEDGATE_ADMIN_KEY).
/// </summary>
internal static class AccountsCommand
{
    public static Command Create(CliEnvironment env) =>
        new("accounts", "Manage accounts (tenants) through the admin API; needs the admin key.")
        {
            CreateCommand(env), ListCommand(env), ShowCommand(env), UpdateCommand(env),
        };

    private static Command CreateCommand(CliEnvironment env)
    {
        var id = new Option<string>("--id") { Description = "The account id: 1–64 lowercase letters, digits, '-', '_' (default: one is made)" };
        var name = new Option<string>("--name") { Description = "The account's display name", Required = true };
        var plan = new Option<string>("--plan") { Description = "The plan (Seedgate:Plans:{name} on the server; default: default)" };
        var set = SetOption();
        var command = new Command("create", "Create an account.") { id, name, plan, set };
        var api = ApiOptions.AddAdminTo(command, env);
        command.SetAction((parseResult, cancellationToken) => api.RunAdminAsync(parseResult, async admin =>
        {
            var overrides = Overrides(parseResult.GetValue(set), []);
            var account = await admin.CreateAccountAsync(
                new CreateAccountRequest
                {
                    Id = parseResult.GetValue(id),
                    Name = parseResult.GetRequiredValue(name),
                    Plan = parseResult.GetValue(plan),
                    Overrides = overrides.Count == 0 ? null : overrides,
                },
                cancellationToken).ConfigureAwait(false);
            await Facts(account).WriteAsync(env.Out).ConfigureAwait(false);
        }, cancellationToken));
        return command;
    }

    private static Command ListCommand(CliEnvironment env)
    {
        var command = new Command("list", "List every account, oldest first.");
        var api = ApiOptions.AddAdminTo(command, env);
        command.SetAction((parseResult, cancellationToken) => api.RunAdminAsync(parseResult, async admin =>
        {
            var table = new TextTable("ID", "NAME", "PLAN", "OVERRIDES", "CREATED");
            foreach (var account in await admin.ListAccountsAsync(cancellationToken).ConfigureAwait(false))
            {
                table.Add(account.Id, account.Name, account.Plan, OverridesText(account.Overrides), TextTable.Time(account.CreatedAt));
            }

            await table.WriteAsync(env.Out).ConfigureAwait(false);
        }, cancellationToken));
        return command;
    }

    private static Command ShowCommand(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "The account id" };
        var command = new Command("show", "Show an account: its plan, overrides, effective limits and this month's money.") { id };
        var api = ApiOptions.AddAdminTo(command, env);
        command.SetAction((parseResult, cancellationToken) => api.RunAdminAsync(parseResult, async admin =>
        {
            var account = await admin.GetAccountAsync(parseResult.GetRequiredValue(id), cancellationToken).ConfigureAwait(false);
            await Facts(account).WriteAsync(env.Out).ConfigureAwait(false);
        }, cancellationToken));
        return command;
    }

    private static Command UpdateCommand(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "The account id" };
        var name = new Option<string>("--name") { Description = "A new display name" };
        var plan = new Option<string>("--plan") { Description = "Another plan, by name" };
        var set = SetOption();
        var unset = new Option<string[]>("--unset")
        {
            Description = "Remove an override, so the plan's value applies again (repeatable)",
            HelpName = "FIELD",
        };
        var clear = new Option<bool>("--clear-overrides") { Description = "Remove every override" };
        var command = new Command("update", "Change an account; what is not named stays as it is.") { id, name, plan, set, unset, clear };
        var api = ApiOptions.AddAdminTo(command, env);
        command.SetAction((parseResult, cancellationToken) => api.RunAdminAsync(parseResult, async admin =>
        {
            var overrides = Overrides(parseResult.GetValue(set), parseResult.GetValue(unset) ?? []);
            var clearAll = parseResult.GetValue(clear);
            if (clearAll && overrides.Count > 0)
            {
                throw new UsageException("--clear-overrides removes every override: it cannot be used with --set or --unset.");
            }

            var request = new UpdateAccountRequest
            {
                Name = parseResult.GetValue(name),
                Plan = parseResult.GetValue(plan),
                Overrides = overrides.Count == 0 ? null : overrides,
                ClearOverrides = clearAll,
            };
            if (request is { Name: null, Plan: null, Overrides: null, ClearOverrides: false })
            {
                throw new UsageException("nothing to change: give --name, --plan, --set, --unset or --clear-overrides.");
            }

            var account = await admin.UpdateAccountAsync(parseResult.GetRequiredValue(id), request, cancellationToken).ConfigureAwait(false);
            await Facts(account).WriteAsync(env.Out).ConfigureAwait(false);
        }, cancellationToken));
        return command;
    }

    private static Option<string[]> SetOption() => new("--set")
    {
        Description = "Override a plan field, e.g. --set max_in_progress=10 --set overflow=reject (repeatable; the value is read as JSON, else as text)",
        HelpName = "FIELD=VALUE",
    };

    /// <summary>The overrides patch of --set FIELD=VALUE and --unset FIELD (null removes the override).</summary>
    private static JsonObject Overrides(string[]? sets, string[] unsets)
    {
        var patch = new JsonObject();
        foreach (var set in sets ?? [])
        {
            var at = set.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                throw new UsageException($"--set needs FIELD=VALUE, e.g. --set max_in_progress=10, not '{set}'.");
            }

            var (field, text) = (set[..at].Trim(), set[(at + 1)..].Trim());
            Add(patch, field, ParseValue(text), "--set");
        }

        foreach (var field in unsets)
        {
            Add(patch, field.Trim(), null, "--unset");
        }

        return patch;

        static void Add(JsonObject patch, string field, JsonNode? value, string option)
        {
            if (!patch.TryAdd(field, value))
            {
                throw new UsageException($"{option}: {field} is named twice.");
            }
        }
    }

    /// <summary>A number, true/false or quoted JSON as JSON; anything else (reject, queue) as text.</summary>
    private static JsonNode ParseValue(string text)
    {
        try
        {
            return JsonNode.Parse(text) ?? JsonValue.Create(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static string OverridesText(JsonObject overrides) => overrides.Count == 0 ? "-" : overrides.ToJsonString();

    private static TextTable Facts(AdminAccount account)
    {
        var plan = account.EffectivePlan;
        var table = new TextTable()
            .Add("id", account.Id)
            .Add("name", account.Name)
            .Add("plan", account.Plan)
            .Add("overrides", OverridesText(account.Overrides))
            .Add("created", TextTable.Time(account.CreatedAt))
            .Add("updated", TextTable.Time(account.UpdatedAt))
            .Add("qps", Number(plan.Qps))
            .Add("burst", Number(plan.Burst))
            .Add("poll_qps", Number(plan.PollQps))
            .Add("poll_burst", Number(plan.PollBurst))
            .Add("max_in_progress", Number(plan.MaxInProgress))
            .Add("overflow", plan.Overflow)
            .Add("max_queued", Number(plan.MaxQueued))
            .Add("free_fast_per_month", Number(plan.FreeFastPerMonth))
            .Add("monthly_budget_usd", plan.MonthlyBudgetUsd is { } budget ? Number(budget) : "none")
            .Add("weight", Number(plan.Weight))
            .Add("max_priority", Number(plan.MaxPriority))
            .Add("upscale_small_images", plan.UpscaleSmallImages ? "true" : "false");
        if (account.Balance is { } money)
        {
            table.Add("charged_usd", Usd(money.ChargedMicros))
                .Add("reserved_usd", Usd(money.ReservedMicros))
                .Add("budget_left_usd", money.BudgetLeftMicros is { } left ? Usd(left) : "no budget")
                .Add("free_fast_left", Number(money.FreeFastLeft))
                .Add("credit_usd", Usd(money.CreditMicros))
                .Add("balance_usd", Usd(money.BalanceMicros));
        }

        return table;
    }

    private static string Number<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    public static string Usd(long micros) => (micros / 1_000_000m).ToString("0.00####", CultureInfo.InvariantCulture);
}
