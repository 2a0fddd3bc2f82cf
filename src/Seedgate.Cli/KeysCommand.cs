using System.CommandLine;
using Seedgate.Core.Accounts;

namespace Seedgate.Cli;

/// <summary><c>seedgate keys create [--data DIR] [--name NAME] [--account ID]</c>: adds an API key to the local store.</summary>
internal static class KeysCommand
{
    public const string DatabaseFileName = "seedgate.db";

    public static Command Create(CliEnvironment env)
    {
        var data = ServeCommand.DataOption();
        var name = new Option<string>("--name")
        {
            Description = "A label for the key, to recognise it later",
            DefaultValueFactory = _ => "cli",
        };
        var account = new Option<string>("--account")
        {
            Description = "The account (tenant) the key belongs to; created when missing",
            DefaultValueFactory = _ => ApiKeys.DefaultAccountId,
        };

        var create = new Command("create", "Create an API key. It is printed once, on stdout; only its hash is stored.") { data, name, account };
        create.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                var dataDirectory = ServeCommand.DataDirectory(parseResult, data, env);
                var accountId = parseResult.GetRequiredValue(account).Trim();
                var keyName = parseResult.GetRequiredValue(name).Trim();
                if (accountId.Length == 0 || keyName.Length == 0)
                {
                    throw new UsageException("--account and --name must not be empty.");
                }

                Directory.CreateDirectory(dataDirectory);
                var store = await env.OpenAccountStore(Path.Combine(dataDirectory, DatabaseFileName), cancellationToken).ConfigureAwait(false);
                await using (store.ConfigureAwait(false))
                {
                    var now = env.Time.GetUtcNow();
                    await store.Accounts.EnsureAccountAsync(accountId, accountId, now, cancellationToken).ConfigureAwait(false);
                    var (key, record) = ApiKeys.Create(accountId, keyName, now);
                    await store.Accounts.AddApiKeyAsync(record, cancellationToken).ConfigureAwait(false);

                    await env.Out.WriteLineAsync(key).ConfigureAwait(false);
                    await env.Error.WriteLineAsync(
                        $"Created key {record.Id} ('{record.Name}', account '{record.AccountId}'). It is shown only once: store it now, e.g. export SEEDGATE_API_KEY=…")
                        .ConfigureAwait(false);
                }

                return ExitCodes.Ok;
            },
            cancellationToken));

        return new Command("keys", "Manage API keys in the local data directory.") { create };
    }
}
