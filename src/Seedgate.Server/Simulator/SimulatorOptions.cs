using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Seedgate.Server.Simulator;

/// <summary>
/// How the upstream simulator (<see cref="UpstreamSimulator"/>, <c>seedgate simulate</c>) behaves. Every rate is a
/// probability in [0, 1], rolled per request or per task; with <see cref="RandomSeed"/> set the rolls repeat.
/// </summary>
public sealed record SimulatorOptions
{
    /// <summary>The default listen address of <c>seedgate simulate</c>.</summary>
    public const string DefaultUrl = "http://127.0.0.1:9090";

    /// <summary>Listen addresses; port 0 picks a free port (<see cref="UpstreamSimulator.BaseUrl"/> reports the real one).</summary>
    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>Where rendered files are written; null: a fresh temporary directory, removed when the simulator stops.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Requests per second over every /api/v3 request (a token bucket of this rate, burst ⌈rate⌉); null: unlimited.</summary>
    public double? Qps { get; init; }

    /// <summary>Tasks in flight (queued or running) at most; a create beyond it answers 429 QuotaExceeded. Null: unlimited.</summary>
    public int? MaxInFlight { get; init; }

    /// <summary>
    /// With <see cref="MaxInFlight"/>: accept creates beyond the limit and keep them queued (their latency clock not started)
    /// until a started task finishes; only started tasks then count against the limit.
    /// </summary>
    public bool QueueOverCapacity { get; init; }

    /// <summary>How long a task takes from its start to its end (succeeded or failed), at least as long as its render.</summary>
    public int LatencyMs { get; init; } = 2000;

    /// <summary>A uniform ± spread added to each task's latency.</summary>
    public int JitterMs { get; init; }

    /// <summary>The share of tasks that end failed (InternalServiceError) after their latency.</summary>
    public double FailRate { get; init; }

    /// <summary>The share of creates, gets and lists answered 500 InternalServiceError or 503 ServiceUnavailable (a create so answered makes no task).</summary>
    public double ErrorRate { get; init; }

    /// <summary>
    /// The share of creates, gets and lists never answered (held until the client gives up, at most 10 minutes). A hung
    /// create still creates its task: the answer is what is lost.
    /// </summary>
    public double HangRate { get; init; }

    /// <summary>
    /// Models (ids, or names without their version) in trouble: every task of theirs ends failed (InternalServiceError)
    /// after its latency, while the other models serve — an outage of one tier, to rehearse a fallback.
    /// </summary>
    public IReadOnlyList<string> FailingModels { get; init; } = [];

    /// <summary>
    /// Which tasks, by the order they were created (1 is the first), end failed (InternalServiceError, which a client
    /// retries) after their latency: one bad moment, e.g. the middle segment of a long take failing once.
    /// </summary>
    public IReadOnlyList<int> FailingTasks { get; init; } = [];

    /// <summary>Words (case-insensitive, matched anywhere in the prompt) that make a task fail with OutputVideoSensitiveContentDetected after its latency.</summary>
    public IReadOnlyList<string> PolicyWords { get; init; } = [];

    /// <summary>How long output links work after the task finished; then they answer 403 AccessDenied "Request has expired".</summary>
    public int UrlTtlSeconds { get; init; } = 86400;

    /// <summary>Odd answers real clients have met, by name (<see cref="SimulatorQuirks.All"/>).</summary>
    public IReadOnlyList<string> Quirks { get; init; } = [];

    /// <summary>The probability that each quirk applies to a given task.</summary>
    public double QuirkRate { get; init; } = 1;

    /// <summary>The only bearer key accepted; null: any non-empty key.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Seeds every random choice (ids, seeds, fault and quirk rolls, jitter); null: a different run each time.</summary>
    public int? RandomSeed { get; init; }

    /// <summary>
    /// Tasks of the same frame size, length, audio and last-frame choice, without image inputs, share one render (the
    /// first one's): rendering then costs nothing after the first, so a small machine keeps up with the latency (a
    /// benchmark of scheduling, not of rendering). Their pictures do not follow each prompt.
    /// </summary>
    public bool ReuseRenders { get; init; }

    /// <summary>
    /// The smallest <c>execution_expires_after</c> accepted (real Ark: 3600). Lower it to test expiry without waiting an hour.
    /// </summary>
    public int MinExecutionExpiresAfterSeconds { get; init; } = 3600;

    /// <summary>How long a callback delivery may take before it counts as unanswered (real Ark: 5 s).</summary>
    public TimeSpan CallbackTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The least severe log level written to the console.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>The clock of latencies, expiry, link lifetimes and the rate limit; null: the system clock.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>What is wrong with these options, naming the property, or null when they can be used.</summary>
    public string? Problem()
    {
        if (Urls.Count == 0 || Urls.Any(u => !Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            return "Urls must be one or more http(s) addresses, e.g. " + DefaultUrl + ".";
        }

        return Qps is { } qps && !(qps > 0 && double.IsFinite(qps)) ? "Qps must be a positive number."
            : MaxInFlight is < 1 ? "MaxInFlight must be at least 1."
            : QueueOverCapacity && MaxInFlight is null ? "QueueOverCapacity needs MaxInFlight."
            : LatencyMs < 0 ? "LatencyMs must not be negative."
            : JitterMs < 0 ? "JitterMs must not be negative."
            : RateProblem(FailRate, nameof(FailRate)) ?? RateProblem(ErrorRate, nameof(ErrorRate)) ?? RateProblem(HangRate, nameof(HangRate))
                ?? RateProblem(QuirkRate, nameof(QuirkRate))
            ?? (PolicyWords.Any(string.IsNullOrWhiteSpace) ? "PolicyWords must not hold blank words." : null)
            ?? (FailingModels.FirstOrDefault(m => SimulatedModels.Find(m) is null) is { } model
                ? $"FailingModels: unknown model '{model}' (known: {string.Join(", ", SimulatedModels.Ids)})." : null)
            ?? (FailingTasks.Any(n => n < 1) ? "FailingTasks must be task numbers of at least 1 (the first task created is 1)." : null)
            ?? (UrlTtlSeconds < 1 ? "UrlTtlSeconds must be at least 1." : null)
            ?? (Quirks.FirstOrDefault(q => !SimulatorQuirks.All.Contains(q)) is { } unknown
                ? string.Create(CultureInfo.InvariantCulture, $"Quirks: unknown quirk '{unknown}' (known: {string.Join(", ", SimulatorQuirks.All)}).")
                : null)
            ?? (ApiKey is { Length: 0 } ? "ApiKey must not be empty." : null)
            ?? (MinExecutionExpiresAfterSeconds is < 1 or > MaxExecutionExpiresAfterSeconds
                ? $"MinExecutionExpiresAfterSeconds must be 1–{MaxExecutionExpiresAfterSeconds}." : null)
            ?? (CallbackTimeout <= TimeSpan.Zero ? "CallbackTimeout must be positive." : null);
    }

    /// <summary>The largest <c>execution_expires_after</c> accepted (as real Ark).</summary>
    internal const int MaxExecutionExpiresAfterSeconds = 259200;

    private static string? RateProblem(double rate, string name) =>
        rate is >= 0 and <= 1 ? null : $"{name} must be a probability between 0 and 1.";
}

/// <summary>
/// The odd answers of real Ark deployments and relays that the simulator can reproduce (<see cref="SimulatorOptions.Quirks"/>),
/// from the experience of real clients (reference §1.8).
/// </summary>
public static class SimulatorQuirks
{
    /// <summary>Statuses as relays report them: <c>unknown</c> for queued, <c>processing</c> for running.</summary>
    public const string RelayStatuses = "relay-statuses";

    /// <summary>A success without <c>content.video_url</c> (what a safety filter leaves).</summary>
    public const string NoVideo = "no-video";

    /// <summary>The first 2 GETs of a task within 3 s of its creation answer 404 ResourceNotFound.</summary>
    public const string Transient404 = "transient-404";

    /// <summary>The first GET or list that would show the task finished answers 500 instead.</summary>
    public const string Complete500 = "complete-500";

    /// <summary>Usage token counts sent as JSON strings.</summary>
    public const string StringCounts = "string-counts";

    /// <summary><c>duration</c> sent as a float (<c>5.0</c>).</summary>
    public const string FloatDuration = "float-duration";

    /// <summary>List items name the error <c>failure_reason</c> instead of <c>error</c>.</summary>
    public const string FailureReason = "failure-reason";

    /// <summary>Every quirk name.</summary>
    public static IReadOnlyList<string> All { get; } =
        [RelayStatuses, NoVideo, Transient404, Complete500, StringCounts, FloatDuration, FailureReason];
}
