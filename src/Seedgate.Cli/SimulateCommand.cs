using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Seedgate.Server.Simulator;

namespace Seedgate.Cli;

/// <summary>
/// <c>seedgate simulate [--urls …] [--qps N] [--max-in-flight N] … </c>: runs the upstream simulator, an Ark-protocol stand-in
/// for BytePlus ModelArk / Volcano Ark Seedance, until Ctrl+C. Prints its base URL (…/api/v3/) as the first line.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create(CliEnvironment env)
    {
        var urls = new Option<string>("--urls")
        {
            Description = $"Listen addresses, separated by ';' or ',' (port 0: a free one) [default {SimulatorOptions.DefaultUrl}]",
            HelpName = "URLS",
        };
        var data = new Option<string>("--data")
        {
            Description = "Where rendered files go [default: a temporary directory, removed at exit]",
            HelpName = "DIR",
        };
        var qps = Number(
            "--qps", "Requests per second over /api/v3 (token bucket, burst ⌈N⌉); 429 RateLimitExceeded beyond", "N", v => v > 0, "a positive number");
        var maxInFlight = Integer("--max-in-flight", "Tasks queued or running at most; 429 QuotaExceeded beyond", v => v >= 1, "an integer of at least 1");
        var queue = new Option<bool>("--queue-over-capacity")
        {
            Description = "With --max-in-flight: accept creates beyond it and keep them queued until a slot frees",
        };
        var latency = Integer("--latency-ms", "How long a task takes from start to end [default 2000]", v => v >= 0, "an integer of 0 or more");
        var jitter = Integer("--jitter-ms", "A uniform ± spread on each task's latency [default 0]", v => v >= 0, "an integer of 0 or more");
        var failRate = Rate("--fail-rate", "The share of tasks that end failed (InternalServiceError)");
        var errorRate = Rate("--error-rate", "The share of creates, gets and lists answered 500 or 503 (no task is made)");
        var hangRate = Rate("--hang-rate", "The share of creates, gets and lists never answered (a hung create still makes its task)");
        var policyWords = new Option<string>("--policy-words")
        {
            Description = "Comma-separated words: a prompt holding one ends failed with OutputVideoSensitiveContentDetected",
            HelpName = "WORDS",
        };
        var failingModels = new Option<string>("--failing-models")
        {
            Description = "Comma-separated model ids (or names without their version) whose every task ends failed (InternalServiceError): one tier's outage",
            HelpName = "MODELS",
        };
        failingModels.Validators.Add(result =>
        {
            // The options' own check (the only problem options holding just these models can have), under the flag's name.
            if (new SimulatorOptions { FailingModels = List(result.GetValue(failingModels)) }.Problem() is { } problem)
            {
                result.AddError($"--failing-models: {problem}");
            }
        });
        var failingTasks = new Option<string>("--failing-tasks")
        {
            Description = "Comma-separated task numbers in creation order (1 is the first) that end failed (InternalServiceError): one bad moment, e.g. a long take's middle segment",
            HelpName = "NUMBERS",
        };
        failingTasks.Validators.Add(result =>
        {
            if (TaskNumbers(result.GetValue(failingTasks)) is null)
            {
                result.AddError("--failing-tasks: give task numbers of at least 1, e.g. 2,5 (the first task created is 1).");
            }
        });
        var urlTtl = Integer("--url-ttl-s", "Seconds output links work after the task ends [default 86400]", v => v >= 1, "an integer of at least 1");
        var quirks = new Option<string>("--quirks")
        {
            Description = $"Comma-separated odd answers of real deployments: {string.Join(", ", SimulatorQuirks.All)}",
            HelpName = "QUIRKS",
        };
        quirks.Validators.Add(result =>
        {
            if (List(result.GetValue(quirks)).FirstOrDefault(q => !SimulatorQuirks.All.Contains(q)) is { } unknown)
            {
                result.AddError($"--quirks: unknown quirk '{unknown}' (known: {string.Join(", ", SimulatorQuirks.All)}).");
            }
        });
        var quirkRate = Rate("--quirk-rate", "The probability that each quirk applies to a task [default 1]");
        var apiKey = new Option<string>("--api-key") { Description = "The only bearer key accepted [default: any non-empty key]", HelpName = "KEY" };
        apiKey.Validators.Add(result =>
        {
            if (result.GetValue(apiKey) is { } key && string.IsNullOrWhiteSpace(key))
            {
                result.AddError("--api-key must not be empty.");
            }
        });
        var randomSeed = Integer("--random-seed", "Seeds every random choice, so a run repeats", _ => true, "an integer");
        var reuse = new Option<bool>("--reuse-renders")
        {
            Description = "Tasks of the same size, length and audio (and no image inputs) share one render, so a small machine keeps up with --latency-ms; their pictures then do not follow each prompt",
        };

        var command = new Command("simulate", "Run the upstream simulator: an Ark-protocol stand-in for BytePlus ModelArk / Volcano Ark Seedance.")
        {
            urls, data, qps, maxInFlight, queue, latency, jitter, failRate, errorRate, hangRate, failingModels, failingTasks, policyWords, urlTtl, quirks,
            quirkRate, apiKey, randomSeed, reuse,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(queue) && result.GetValue(maxInFlight) is null)
            {
                result.AddError("--queue-over-capacity needs --max-in-flight.");
            }
        });

        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(
            env,
            async () =>
            {
                var listen = List(parseResult.GetValue(urls) ?? SimulatorOptions.DefaultUrl, ';', ',');
                if (listen.Count == 0 || listen.Any(u => !Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
                {
                    throw new UsageException($"--urls needs one or more http(s) addresses, e.g. {SimulatorOptions.DefaultUrl}");
                }

                var defaults = new SimulatorOptions();
                var options = new SimulatorOptions
                {
                    Urls = listen,
                    DataDirectory = parseResult.GetValue(data),
                    Qps = parseResult.GetValue(qps),
                    MaxInFlight = parseResult.GetValue(maxInFlight),
                    QueueOverCapacity = parseResult.GetValue(queue),
                    LatencyMs = parseResult.GetValue(latency) ?? defaults.LatencyMs,
                    JitterMs = parseResult.GetValue(jitter) ?? defaults.JitterMs,
                    FailRate = parseResult.GetValue(failRate) ?? defaults.FailRate,
                    ErrorRate = parseResult.GetValue(errorRate) ?? defaults.ErrorRate,
                    HangRate = parseResult.GetValue(hangRate) ?? defaults.HangRate,
                    FailingModels = List(parseResult.GetValue(failingModels)),
                    FailingTasks = TaskNumbers(parseResult.GetValue(failingTasks)) ?? [],
                    PolicyWords = List(parseResult.GetValue(policyWords)),
                    UrlTtlSeconds = parseResult.GetValue(urlTtl) ?? defaults.UrlTtlSeconds,
                    Quirks = List(parseResult.GetValue(quirks)),
                    QuirkRate = parseResult.GetValue(quirkRate) ?? defaults.QuirkRate,
                    ApiKey = parseResult.GetValue(apiKey),
                    RandomSeed = parseResult.GetValue(randomSeed),
                    ReuseRenders = parseResult.GetValue(reuse),
                };
                if (options.Problem() is { } problem)
                {
                    throw new UsageException(problem);
                }

                try
                {
                    return await env.RunSimulator(options, env.Out, env.Error, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl+C is how the simulator is meant to stop.
                    return ExitCodes.Ok;
                }
            },
            cancellationToken));
        return command;
    }

    /// <summary>A probability option: its value must be within [0, 1], or the error names the flag.</summary>
    /// <summary>The numbers of a comma-separated list (empty for none), or null when one is not a whole number ≥ 1.</summary>
    private static List<int>? TaskNumbers(string? text)
    {
        var numbers = new List<int>();
        foreach (var item in List(text))
        {
            if (!int.TryParse(item, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                return null;
            }

            numbers.Add(n);
        }

        return numbers;
    }

    private static Option<double?> Rate(string name, string description) =>
        Number(name, description + " (0–1)", "P", v => v is >= 0 and <= 1, "a probability between 0 and 1");

    private static Option<double?> Number(string name, string description, string helpName, Func<double, bool> isValid, string expected) =>
        Parsed(name, description, helpName, (string text, out double value) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value), isValid, expected);

    private static Option<int?> Integer(string name, string description, Func<int, bool> isValid, string expected) =>
        Parsed(name, description, "N", (string text, out int value) =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value), isValid, expected);

    private delegate bool TryParse<T>(string text, out T value);

    /// <summary>An option whose value is parsed and checked here, so that every bad value is a parse error naming the flag.</summary>
    private static Option<T?> Parsed<T>(string name, string description, string helpName, TryParse<T> parse, Func<T, bool> isValid, string expected)
        where T : struct => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (parse(text, out var value) && isValid(value))
            {
                return value;
            }

            result.AddError($"{name} must be {expected} (got '{text}').");
            return null;
        },
    };

    private static List<string> List(string? text, params char[] separators) =>
        text is null
            ? []
            : [.. text.Split(separators.Length == 0 ? [','] : separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
