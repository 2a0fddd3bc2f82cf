using System.Text.Json.Serialization;
using Seedgate.Core.Generation;

namespace Seedgate.Core.Catalog;

/// <summary>Quality tier of a model; the free quota and prices follow it.</summary>
public enum Tier
{
    Fast,
    Standard,
    Pro,
}

/// <summary>How a request's references are used; a model offers some of these.</summary>
public enum InputMode
{
    /// <summary>Text prompt only.</summary>
    Text,
    /// <summary>One image animated from the first frame.</summary>
    FirstFrame,
    /// <summary>A first and a last frame image.</summary>
    FirstLastFrame,
    /// <summary>Multimodal references: images, videos and audio clips.</summary>
    Reference,
}

/// <summary>One entry of the model catalog: what a model accepts, what it costs and which engine serves it.</summary>
public sealed record ModelSpec
{
    public required string Id { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public required Tier Tier { get; init; }

    /// <summary>A note for people reading the catalog (sources, what is unverified); Seedgate does not use it.</summary>
    public string? Note { get; init; }

    public required IReadOnlyList<InputMode> InputModes { get; init; }

    /// <summary>A reference kind every request must carry (the i2v / v2v variants), or null.</summary>
    public ReferenceKind? RequiredReference { get; init; }

    public required IReadOnlyList<string> Resolutions { get; init; }
    public required string DefaultResolution { get; init; }
    public required DurationRange Duration { get; init; }
    public required ReferenceLimits MaxReferences { get; init; }
    public bool Audio { get; init; }

    /// <summary>Price of one output second per resolution, in micro-dollars.</summary>
    public required IReadOnlyDictionary<string, long> PricePerSecondMicros { get; init; }

    public int TypicalLatencySeconds { get; init; } = 60;
    public required ModelRoute Route { get; init; }

    /// <summary>
    /// Which request fields the model takes, and with which values (catalog <c>field_rules</c>): upstream an
    /// inapplicable field is a 400, not a no-op. Left out, the rules of Seedance 2.0 (<see cref="FieldRules.Default"/>).
    /// </summary>
    public FieldRules FieldRules { get; init; } = FieldRules.Default;

    /// <summary>
    /// The shortest side, in pixels, a reference image may have (catalog <c>min_image_side</c>). Ark documents 300 px,
    /// the default; the Seedance 2.x entries say 512, since seed 000 reports that images under 512 px cause about a
    /// quarter of failed generations. A smaller image is refused naming its field, or scaled up where the account's
    /// plan has <c>upscale_small_images</c>. The configured <c>Seedgate:Fetch:MinReferenceSide</c> still applies too.
    /// </summary>
    public int MinImageSide { get; init; } = DefaultMinImageSide;

    /// <summary>Ark's documented minimum side of a reference image.</summary>
    public const int DefaultMinImageSide = 300;
}

public sealed record DurationRange(int Min, int Max, int Default, bool AllowAuto, int AutoSeconds);

public sealed record ReferenceLimits(int Image, int Video, int Audio);

/// <summary>
/// Per-model rules for request fields, as data. Two kinds: <em>forwarding</em> rules say whether the upstream takes a
/// field Seedgate itself accepts (<see cref="ServiceTier"/>, <see cref="CameraFixed"/>, <see cref="Priority"/>): an
/// upstream engine leaves a field the model does not take out of what it sends, and Seedgate still honours it locally.
/// <em>Capability</em> rules say what the model can do at all (<see cref="Draft"/>, <see cref="Tools"/>,
/// <see cref="OutputFormats"/>, <see cref="AudioOnlyReference"/>): a request asking for more is a 400 naming the field.
/// The defaults are Seedance 2.0's (reference §1.8: TanStack/ai's probes of the live service).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)] // a misspelt rule must not pass as its default
public sealed record FieldRules
{
    /// <summary>The output containers Seedgate knows; <see cref="OutputFormats"/> lists some of them.</summary>
    public static IReadOnlyList<string> KnownOutputFormats { get; } = ["mp4", "mov"];

    /// <summary>Seedance 2.0's rules: what a catalog entry without <c>field_rules</c> gets.</summary>
    public static FieldRules Default { get; } = new();

    /// <summary>
    /// Forwarding: the upstream takes <c>service_tier</c>. Seedance 2.x answers 400 to any service_tier, even
    /// "default", so false there. Seedgate offers only the default tier either way.
    /// </summary>
    public bool ServiceTier { get; init; }

    /// <summary>
    /// Forwarding: the upstream takes <c>camera_fixed</c> (Seedance 2.x refuses it; 1.x takes it). The sandbox keeps
    /// the camera still either way.
    /// </summary>
    public bool CameraFixed { get; init; }

    /// <summary>Forwarding: the upstream takes <c>priority</c> 0–9 (Seedance 2.x does). Seedgate's own queue uses it either way.</summary>
    public bool Priority { get; init; } = true;

    /// <summary>Capability: the model makes drafts (<c>draft: true</c>; upstream only Seedance 1.5 pro). False: <c>draft: true</c> is a 400.</summary>
    public bool Draft { get; init; }

    /// <summary>Capability: the model takes <c>tools</c> (<c>[{"type":"web_search"}]</c>). False: any tool is a 400.</summary>
    public bool Tools { get; init; } = true;

    /// <summary>
    /// Capability: the <c>output_format</c> values the model offers, the first being the default (mp4 on every
    /// Seedance model; mov also on 2.5). Each one of <see cref="KnownOutputFormats"/>.
    /// </summary>
    public IReadOnlyList<string> OutputFormats { get; init; } = ["mp4"];

    /// <summary>
    /// Capability: reference audio may be the only reference (with a prompt). Seedance 2.0 refuses that ("reference_audio
    /// cannot be the only reference input"); 2.5 takes it.
    /// </summary>
    public bool AudioOnlyReference { get; init; }

    /// <summary>The first problem with these rules, or null: checked when the catalog loads.</summary>
    public string? Problem()
    {
        if (OutputFormats is null || OutputFormats.Count == 0)
        {
            return "field_rules.output_formats must list at least one format (mp4 or mov).";
        }

        if (OutputFormats.FirstOrDefault(f => !KnownOutputFormats.Contains(f, StringComparer.Ordinal)) is { } unknown)
        {
            return $"field_rules.output_formats: '{unknown}' is not a known format; use {string.Join(" or ", KnownOutputFormats)}.";
        }

        return OutputFormats.Distinct(StringComparer.Ordinal).Count() != OutputFormats.Count
            ? "field_rules.output_formats lists a format twice."
            : null;
    }
}

/// <summary>Which engine serves a model (and, for upstream engines, which provider account).</summary>
public sealed record ModelRoute(string Engine);
