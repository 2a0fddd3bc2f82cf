using System.CommandLine;
using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary>
/// The options every command that calls the server shares: where the server is, and the key: the API key for the
/// task commands, the admin key (SEEDGATE_ADMIN_KEY) for the account and key commands.
/// </summary>
internal sealed class ApiOptions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";
    public const string AdminKeyVariable = "SEEDGATE_ADMIN_KEY";
    private const string ApiKeyVariable = "SEEDGATE_API_KEY";

    private readonly CliEnvironment env;
    private readonly string keyVariable;

    private ApiOptions(CliEnvironment env, bool admin)
    {
        this.env = env;
        keyVariable = admin ? AdminKeyVariable : ApiKeyVariable;
        Url = new Option<string>("--url")
        {
            Description = $"The Seedgate server [env SEEDGATE_URL, default {DefaultUrl}]",
            HelpName = "BASE",
        };
        Key = new Option<string>(admin ? "--admin-key" : "--api-key")
        {
            Description = admin ? $"The server's admin key [env {AdminKeyVariable}]" : $"The API key [env {ApiKeyVariable}]",
            HelpName = "KEY",
        };
    }

    public Option<string> Url { get; }

    /// <summary>--api-key, or --admin-key.</summary>
    public Option<string> Key { get; }

    /// <summary>Adds --url and --api-key to a command that calls the task API.</summary>
    public static ApiOptions AddTo(Command command, CliEnvironment env) => Add(command, new ApiOptions(env, admin: false));

    /// <summary>Adds --url and --admin-key to a command that calls the admin API.</summary>
    public static ApiOptions AddAdminTo(Command command, CliEnvironment env) => Add(command, new ApiOptions(env, admin: true));

    /// <summary>A client for the chosen server, or a usage error when the URL is bad or no key was given.</summary>
    public SeedgateClient CreateClient(ParseResult parseResult, HttpClient http) => new(http, ClientOptions(parseResult));

    /// <summary>An admin client for the chosen server, or a usage error when the URL is bad or no admin key was given.</summary>
    private SeedgateAdminClient CreateAdminClient(ParseResult parseResult, HttpClient http) => new(http, ClientOptions(parseResult));

    /// <summary>Runs a command body with an admin client; <see cref="CommandRunner"/> reports its failures.</summary>
    public Task<int> RunAdminAsync(ParseResult parseResult, Func<SeedgateAdminClient, Task> body, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(
            env,
            async () =>
            {
                using var http = env.CreateHttpClient();
                await body(CreateAdminClient(parseResult, http)).ConfigureAwait(false);
                return ExitCodes.Ok;
            },
            cancellationToken);

    private static ApiOptions Add(Command command, ApiOptions options)
    {
        command.Options.Add(options.Url);
        command.Options.Add(options.Key);
        return options;
    }

    private SeedgateClientOptions ClientOptions(ParseResult parseResult)
    {
        var url = parseResult.GetValue(Url) ?? env.Variable("SEEDGATE_URL", DefaultUrl);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress) || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--url must be an http(s) address such as {DefaultUrl}, not '{url}'.");
        }

        var key = parseResult.GetValue(Key) ?? env.GetVariable(keyVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new UsageException(keyVariable == AdminKeyVariable
                ? $"no admin key: pass --admin-key KEY or set {AdminKeyVariable} (the key the server was started with)."
                : $"no API key: pass --api-key KEY or set {ApiKeyVariable} (`seedgate keys create --account ID` makes one, with the admin key).");
        }

        return new SeedgateClientOptions
        {
            BaseAddress = baseAddress,
            ApiKey = key.Trim(),
            TimeProvider = env.Time,
            LongPollWait = env.PollWait,
            PollInterval = env.PollInterval,
            RetryBaseDelay = env.RetryBaseDelay,
            MaxRetries = 5,
            OnRetry = retry => env.Error.WriteLine(
                $"{Reason(retry.Reason)}; retrying in {retry.Delay.TotalSeconds:0.0}s ({retry.Attempt}/{retry.MaxRetries})"),
        };
    }

    private static string Reason(Exception e) => e switch
    {
        SeedgateApiException api => CommandRunner.Describe(api),
        HttpRequestException http => "cannot reach the server: " + http.Message,
        _ => e.Message,
    };
}
