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
}

public sealed record DurationRange(int Min, int Max, int Default, bool AllowAuto, int AutoSeconds);

public sealed record ReferenceLimits(int Image, int Video, int Audio);

/// <summary>Which engine serves a model (and, for upstream engines, which provider account).</summary>
public sealed record ModelRoute(string Engine);
