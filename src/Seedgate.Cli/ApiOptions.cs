using System.CommandLine;
using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary>The options every command that calls the API shares: where the server is and the key.</summary>
internal sealed class ApiOptions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    private readonly CliEnvironment env;

    private ApiOptions(CliEnvironment env)
    {
        this.env = env;
        Url = new Option<string>("--url")
        {
            Description = $"The Seedgate server [env SEEDGATE_URL, default {DefaultUrl}]",
            HelpName = "BASE",
        };
        ApiKey = new Option<string>("--api-key")
        {
            Description = "The API key [env SEEDGATE_API_KEY]",
            HelpName = "KEY",
        };
    }

    public Option<string> Url { get; }

    public Option<string> ApiKey { get; }

    public static ApiOptions AddTo(Command command, CliEnvironment env)
    {
        var options = new ApiOptions(env);
        command.Options.Add(options.Url);
        command.Options.Add(options.ApiKey);
        return options;
    }

    /// <summary>A client for the chosen server, or a usage error when the URL is bad or no key was given.</summary>
    public SeedgateClient CreateClient(ParseResult parseResult, HttpClient http)
    {
        var url = parseResult.GetValue(Url) ?? env.Variable("SEEDGATE_URL", DefaultUrl);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress) || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--url must be an http(s) address such as {DefaultUrl}, not '{url}'.");
        }

        var key = parseResult.GetValue(ApiKey) ?? env.GetVariable("SEEDGATE_API_KEY");
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new UsageException(
                "no API key: pass --api-key KEY or set SEEDGATE_API_KEY (on the server's machine, `seedgate keys create` makes one).");
        }

        return new SeedgateClient(http, new SeedgateClientOptions
        {
            BaseAddress = baseAddress,
            ApiKey = key.Trim(),
            TimeProvider = env.Time,
            LongPollWait = env.PollWait,
            MinPollInterval = env.MinPollInterval,
            RetryBaseDelay = env.RetryBaseDelay,
            MaxRetries = 5,
            OnRetry = retry => env.Error.WriteLine(
                $"{Reason(retry.Reason)}; retrying in {retry.Delay.TotalSeconds:0.0}s ({retry.Attempt}/{retry.MaxRetries})"),
        });
    }

    private static string Reason(Exception e) => e switch
    {
        SeedgateApiException api => CommandRunner.Describe(api),
        HttpRequestException http => "cannot reach the server: " + http.Message,
        _ => e.Message,
    };
}
