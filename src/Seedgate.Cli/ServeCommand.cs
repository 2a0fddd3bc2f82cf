using System.CommandLine;
using Seedgate.Server;

namespace Seedgate.Cli;

/// <summary><c>seedgate serve [--urls …] [--data …] [--Section:Key=value …]</c>: runs the gateway until Ctrl+C.</summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:8080";
    public const string DefaultData = "./data";

    public static Command Create(CliEnvironment env)
    {
        var urls = new Option<string>("--urls")
        {
            Description = $"Listen addresses, separated by ';' [env SEEDGATE_URLS, default {DefaultUrls}]",
            HelpName = "URLS",
        };
        var data = DataOption();
        var postgres = new Option<string>("--postgres")
        {
            Description = "Keep jobs in PostgreSQL (an Npgsql connection string) instead of the SQLite file; "
                + "every node given the same database forms one cluster [env SEEDGATE_POSTGRES]",
            HelpName = "CONNECTION",
        };
        var ark = new Option<string>("--ark-base-url")
        {
            Description = "Serve the Seedance models from this Ark upstream (e.g. " + Core.Upstream.UpstreamKinds.BytePlusBaseUrl
                + ", or a `seedgate simulate` URL), with the API key in ARK_API_KEY; more accounts and limits: Seedgate:Upstreams:{name}:* "
                + "[env SEEDGATE_ARK_BASE_URL]",
            HelpName = "URL",
        };
        var command = new Command("serve", "Run the Seedgate server. Further --Section:Key=value arguments override its configuration.")
        {
            urls,
            data,
            postgres,
            ark,
        };

        // Configuration overrides (--Engines:Sandbox:MaxConcurrency=2 …) are not options of this command: pass them through.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                var listen = (parseResult.GetValue(urls) ?? env.Variable("SEEDGATE_URLS", DefaultUrls))
                    .Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (listen.Length == 0)
                {
                    throw new UsageException("--urls needs at least one address, e.g. " + DefaultUrls);
                }

                var dataDirectory = DataDirectory(parseResult, data, env);
                var rest = parseResult.UnmatchedTokens.ToList();
                if ((parseResult.GetValue(postgres) ?? env.Variable("SEEDGATE_POSTGRES", "")) is { Length: > 0 } connection)
                {
                    rest.Add($"--Seedgate:Storage:Postgres={connection}");
                }

                if ((parseResult.GetValue(ark) ?? env.Variable("SEEDGATE_ARK_BASE_URL", "")) is { Length: > 0 } arkBaseUrl)
                {
                    rest.Add($"--Seedgate:Upstreams:ark:BaseUrl={arkBaseUrl}");
                }

                try
                {
                    return await env.RunServer(new ServeOptions(listen, dataDirectory, rest), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl+C is how a server is meant to stop.
                    return ExitCodes.Ok;
                }
            },
            cancellationToken));
        return command;
    }

    /// <summary>The <c>--data</c> option.</summary>
    private static Option<string> DataOption() => new("--data")
    {
        Description = $"The data directory (database, outputs) [env SEEDGATE_DATA, default {DefaultData}]",
        HelpName = "DIR",
    };

    private static string DataDirectory(ParseResult parseResult, Option<string> data, CliEnvironment env) =>
        parseResult.GetValue(data) ?? env.Variable("SEEDGATE_DATA", DefaultData);
}
