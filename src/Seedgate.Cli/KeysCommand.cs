using System.CommandLine;

namespace Seedgate.Cli;

/// <summary>
/// <c>seedgate keys create --account ID [--name NAME] | list --account ID | revoke KEY_ID</c>: manages API keys
/// through the server's admin API, with the admin key (--admin-key or SEEDGATE_ADMIN_KEY).
/// </summary>
internal static class KeysCommand
{
    public static Command Create(CliEnvironment env) =>
        new("keys", "Manage API keys through the admin API; needs the admin key.") { CreateCommand(env), ListCommand(env), RevokeCommand(env) };

    private static Option<string> AccountOption() => new("--account") { Description = "The account (tenant) id", Required = true, HelpName = "ID" };

    private static Command CreateCommand(CliEnvironment env)
    {
        var account = AccountOption();
        var name = new Option<string>("--name")
        {
            Description = "A label for the key, to recognise it later",
            DefaultValueFactory = _ => "cli",
        };
        var command = new Command("create", "Create an API key. It is printed once, on stdout; the server keeps only its hash.") { account, name };
        var api = ApiOptions.AddAdminTo(command, env);
        command.SetAction((parseResult, cancellationToken) => api.RunAdminAsync(parseResult, async admin =>
        {
            var key = await admin.CreateKeyAsync(parseResult.GetRequiredValue(account), parseResult.GetRequiredValue(name), cancellationToken)
                .ConfigureAwait(false);
            await env.Out.WriteLineAsync(key.Key).ConfigureAwait(false);
            await env.Error.WriteLineAsync(
                $"Created key {key.Id} ('{key.Name}', account '{key.AccountId}'). It is shown only once: store it now, e.g. export SEEDGATE_API_KEY=…")
                .ConfigureAwait(false);
        }, cancellationToken));
        return command;
    }

    private static Command ListCommand(CliEnvironment env)
    {
        var account = AccountOption();
        var command = new Command("list", "List an account's keys, revoked ones included (never the keys themselves).") { account };
        var api = ApiOptions.AddAdminTo(command, env);
        command.SetAction((parseResult, cancellationToken) => api.RunAdminAsync(parseResult, async admin =>
        {
            var table = new TextTable("ID", "NAME", "PREFIX", "CREATED", "REVOKED");
            foreach (var key in await admin.ListKeysAsync(parseResult.GetRequiredValue(account), cancellationToken).ConfigureAwait(false))
            {
                table.Add(key.Id, key.Name, key.Prefix + "…", TextTable.Time(key.CreatedAt), TextTable.Time(key.RevokedAt));
            }

            await table.WriteAsync(env.Out).ConfigureAwait(false);
        }, cancellationToken));
        return command;
    }

    private static Command RevokeCommand(CliEnvironment env)
    {
        var id = new Argument<string>("id") { Description = "The key's id (key-…, as `keys list` shows it)" };
        var command = new Command("revoke", "Revoke a key: every node refuses it within 2 s. Revoking a revoked key changes nothing.") { id };
        var api = ApiOptions.AddAdminTo(command, env);
        command.SetAction((parseResult, cancellationToken) => api.RunAdminAsync(parseResult, async admin =>
        {
            var key = await admin.RevokeKeyAsync(parseResult.GetRequiredValue(id), cancellationToken).ConfigureAwait(false);
            await env.Out.WriteLineAsync(key.AlreadyRevoked == true
                ? $"{key.Id} ('{key.Name}', account '{key.AccountId}') was already revoked at {TextTable.Time(key.RevokedAt)}"
                : $"revoked {key.Id} ('{key.Name}', account '{key.AccountId}') at {TextTable.Time(key.RevokedAt)}").ConfigureAwait(false);
        }, cancellationToken));
        return command;
    }
}
