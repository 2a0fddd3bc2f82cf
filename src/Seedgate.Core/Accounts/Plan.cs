using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Seedgate.Core.Generation;

namespace Seedgate.Core.Accounts;

/// <summary>What a submit beyond <see cref="Plan.MaxInProgress"/> gets.</summary>
public enum Overflow
{
    /// <summary>Accepted and kept queued until one of the account's tasks ends (up to <see cref="Plan.MaxQueued"/>).</summary>
    Queue,

    /// <summary>Refused: 429 QuotaExceeded.</summary>
    Reject,
}

/// <summary>
/// The limits an account works under (SPEC §3; every number is configuration). Named plans come from configuration
/// (Seedgate:Plans:{name}:{Field}); an account names one and may override any field (<see cref="PlanOverrides"/>).
/// </summary>
public sealed record Plan
{
    /// <summary>Creates per second, cluster-wide.</summary>
    public double Qps { get; init; } = 2;

    /// <summary>How many creates may come at once after a quiet spell (the bucket's size); null means ⌈qps⌉.</summary>
    public int? Burst { get; init; }

    /// <summary>Reads (get, list, delete, balance) per second, cluster-wide: polling several tasks must not starve creates.</summary>
    public double PollQps { get; init; } = 20;

    /// <summary>The read bucket's size; null means ⌈poll_qps⌉.</summary>
    public int? PollBurst { get; init; }

    /// <summary>Tasks running at once; queued ones wait for a slot (or are refused, under <see cref="Overflow.Reject"/>).</summary>
    public int MaxInProgress { get; init; } = 3;

    public Overflow Overflow { get; init; } = Overflow.Queue;

    /// <summary>Tasks waiting for a slot, at most; a submit beyond gets 429 QuotaExceeded.</summary>
    public int MaxQueued { get; init; } = 100;

    /// <summary>Fast-tier successes free each calendar month (UTC).</summary>
    public int FreeFastPerMonth { get; init; } = 20;

    /// <summary>The most an account may spend in a calendar month (charges plus what its unfinished tasks hold); null: no cap.</summary>
    public decimal? MonthlyBudgetUsd { get; init; }

    /// <summary>The account's share when capacity is divided (fair share).</summary>
    public int Weight { get; init; } = 1;

    /// <summary>The highest <c>priority</c> the account may ask for (0–9).</summary>
    public int MaxPriority { get; init; } = 5;

    /// <summary>
    /// A reference image whose short side is under the model's <c>min_image_side</c> is scaled up to it (lanczos, the
    /// aspect ratio kept) before the job is stored, instead of refused with a 400. Off by default: a scaled-up image
    /// holds no more detail, so the caller should know it sent a small one.
    /// </summary>
    public bool UpscaleSmallImages { get; init; }

    /// <summary>The create bucket's size.</summary>
    [JsonIgnore]
    public int CreateBurst => Burst ?? BucketSize(Qps);

    /// <summary>The read bucket's size.</summary>
    [JsonIgnore]
    public int ReadBurst => PollBurst ?? BucketSize(PollQps);

    /// <summary>The budget in micro-dollars, or null.</summary>
    [JsonIgnore]
    public long? MonthlyBudgetMicros => MonthlyBudgetUsd is { } usd ? (long)decimal.Round(usd * 1_000_000m) : null;

    /// <summary>The first field that is out of range, as "field: why", or null.</summary>
    public string? Problem() => Fault()?.Message;

    /// <summary>The first field that is out of range (its snake_case name) and why, or null.</summary>
    public PlanFault? Fault() => this switch
    {
        { Qps: <= 0 or > 1_000_000 } or { Qps: double.NaN } => new("qps", "qps must be a positive number of requests per second (at most 1000000)."),
        { PollQps: <= 0 or > 1_000_000 } or { PollQps: double.NaN } => new("poll_qps", "poll_qps must be a positive number of requests per second (at most 1000000)."),
        { Burst: < 1 } => new("burst", "burst must be at least 1."),
        { PollBurst: < 1 } => new("poll_burst", "poll_burst must be at least 1."),
        { MaxInProgress: < 1 } => new("max_in_progress", "max_in_progress must be at least 1."),
        { MaxQueued: < 0 } => new("max_queued", "max_queued cannot be negative."),
        { FreeFastPerMonth: < 0 } => new("free_fast_per_month", "free_fast_per_month cannot be negative."),
        { MonthlyBudgetUsd: < 0 } => new("monthly_budget_usd", "monthly_budget_usd cannot be negative."),
        { Weight: < 1 } => new("weight", "weight must be at least 1."),
        { MaxPriority: < 0 or > 9 } => new("max_priority", "max_priority must be 0–9."),
        _ => null,
    };

    /// <summary>This plan with the fields the overrides set.</summary>
    public Plan With(PlanOverrides overrides) => PlanJson.Overlay(this, overrides);

    private static int BucketSize(double perSecond) => (int)Math.Max(1, Math.Ceiling(perSecond));
}

/// <summary>A plan field out of range: its snake_case name (as in JSON) and a message that names it.</summary>
public sealed record PlanFault(string Field, string Message);

/// <summary>The fields of a plan an account sets for itself; absent (null) fields come from the plan.</summary>
public sealed record PlanOverrides
{
    public static readonly PlanOverrides None = new();

    public double? Qps { get; init; }
    public int? Burst { get; init; }
    public double? PollQps { get; init; }
    public int? PollBurst { get; init; }
    public int? MaxInProgress { get; init; }
    public Overflow? Overflow { get; init; }
    public int? MaxQueued { get; init; }
    public int? FreeFastPerMonth { get; init; }
    public decimal? MonthlyBudgetUsd { get; init; }
    public int? Weight { get; init; }
    public int? MaxPriority { get; init; }
    public bool? UpscaleSmallImages { get; init; }

    /// <summary>Reads overrides as stored (and as the admin API takes them): {"max_in_progress": 10, "overflow": "reject"}.</summary>
    /// <exception cref="JsonException">Not an object of known fields with values of their types.</exception>
    public static PlanOverrides Parse(string json) => JsonSerializer.Deserialize<PlanOverrides>(json, PlanJson.Options) ?? None;

    /// <summary>The JSON names of the fields, in order: what an override may set.</summary>
    public static IReadOnlyList<string> FieldNames { get; } =
        [.. PlanJson.Options.GetTypeInfo(typeof(PlanOverrides)).Properties.Select(p => p.Name)];

    /// <summary>
    /// These overrides with a JSON merge patch (RFC 7396) applied, as the admin API takes them: a field with a value
    /// sets that override, a field set to null removes it (the plan's own value applies again), absent fields stay.
    /// </summary>
    /// <exception cref="SeedgateException">
    /// InvalidParameter naming <c>overrides.{field}</c>: a field that is not a plan field, or a value not of its type.
    /// </exception>
    public PlanOverrides Patch(JsonObject patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var merged = JsonSerializer.SerializeToNode(this, PlanJson.Options)!.AsObject();
        foreach (var (name, value) in patch)
        {
            if (!FieldNames.Contains(name, StringComparer.Ordinal))
            {
                throw new SeedgateException(SeedgateError.Invalid(
                    $"overrides.{name}", $"overrides.{name} is not a plan field; the fields are {string.Join(", ", FieldNames)}."));
            }

            if (value is null)
            {
                merged.Remove(name);
            }
            else
            {
                merged[name] = value.DeepClone();
            }
        }

        try
        {
            return merged.Deserialize<PlanOverrides>(PlanJson.Options)!;
        }
        catch (JsonException ex)
        {
            var param = "overrides." + (ex.Path ?? "").TrimStart('$', '.');
            throw new SeedgateException(SeedgateError.Invalid(
                param, $"{param} has a value of the wrong type or form (numbers are JSON numbers; overflow is \"queue\" or \"reject\"; upscale_small_images is true or false)."), ex);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, PlanJson.Options);
}

/// <summary>Plans and overrides in JSON (configuration files, the admin API, the accounts table): snake_case fields.</summary>
public static class PlanJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },

        // Set, so that the field names can be read from the contract (PlanOverrides.FieldNames) before any serialization.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    /// <summary>The fields <paramref name="top"/> sets, laid over <paramref name="plan"/>'s: one rule for every field.</summary>
    internal static Plan Overlay(Plan plan, PlanOverrides top)
    {
        ArgumentNullException.ThrowIfNull(top);
        var merged = JsonSerializer.SerializeToNode(plan, Options)!.AsObject();
        foreach (var (name, field) in JsonSerializer.SerializeToNode(top, Options)!.AsObject())
        {
            merged[name] = field?.DeepClone();
        }

        return merged.Deserialize<Plan>(Options)!;
    }
}
