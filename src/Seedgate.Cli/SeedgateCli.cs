using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Seedgate.Cli;

/// <summary>The `seedgate` command tree and how it is run.</summary>
internal static class SeedgateCli
{
    public static RootCommand Build(CliEnvironment env)
    {
        var root = new RootCommand("Seedgate: a self-hosted Seedance 2.0 video-generation API (Ark-compatible), its server and its client.");
        root.Subcommands.Add(ServeCommand.Create(env));
        root.Subcommands.Add(SimulateCommand.Create(env));
        root.Subcommands.Add(AccountsCommand.Create(env));
        root.Subcommands.Add(KeysCommand.Create(env));
        root.Subcommands.Add(GenerateCommand.Create(env));
        root.Subcommands.Add(GenerateCommand.Create(env, longTakeCommand: true));
        root.Subcommands.Add(StatusCommand.Create(env));
        root.Subcommands.Add(WaitCommand.Create(env));
        root.Subcommands.Add(ListCommand.Create(env));
        root.Subcommands.Add(CancelCommand.Create(env));
        root.Subcommands.Add(DownloadCommand.Create(env));
        root.Subcommands.Add(BalanceCommand.Create(env));
        root.Subcommands.Add(UsageCommand.Create(env));
        root.Subcommands.Add(WebhooksCommand.Create(env));
        return root;
    }

    /// <summary>Parses and runs; a parse error is reported on stderr with exit code 2.</summary>
    /// <param name="terminationTimeout">When set, Ctrl+C and SIGTERM cancel the command and it gets this long to finish.</param>
    public static async Task<int> RunAsync(string[] args, CliEnvironment env, TimeSpan? terminationTimeout, CancellationToken cancellationToken)
    {
        var parseResult = Build(env).Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            foreach (var error in parseResult.Errors)
            {
                await env.Error.WriteLineAsync("error: " + error.Message).ConfigureAwait(false);
            }

            await env.Error.WriteLineAsync($"Run '{CommandPath(parseResult)} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            Output = env.Out,
            Error = env.Error,
            ProcessTerminationTimeout = terminationTimeout,
            EnableDefaultExceptionHandler = true,
        };
        return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>e.g. <c>seedgate keys create</c> (the root's own name is the executable's, which differs under test).</summary>
    private static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result.Parent is CommandResult parent; result = parent)
        {
            names.Insert(0, result.Command.Name);
        }

        return string.Join(' ', ["seedgate", .. names]);
    }
}
