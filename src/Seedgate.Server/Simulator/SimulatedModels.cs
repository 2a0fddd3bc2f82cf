namespace Seedgate.Server.Simulator;

/// <summary>The model families the simulator serves; each has the field rules of reference §1.8.</summary>
internal enum ModelFamily
{
    /// <summary>Seedance 2.0 standard: 480p–1080p and 4k, 4–15 s.</summary>
    Standard20,

    /// <summary>Seedance 2.0 fast: 480p/720p, 4–15 s.</summary>
    Fast20,

    /// <summary>Seedance 2.0 mini: 480p/720p, 4–15 s.</summary>
    Mini20,

    /// <summary>Seedance 2.5: 480p–1080p, 4–30 s, audio-only references allowed, mov output.</summary>
    Seedance25,

    /// <summary>Seedance 1.5 pro: 480p–1080p, 4–12 s, service_tier and camera_fixed accepted, priority refused.</summary>
    Pro15,
}

/// <summary>One model id and what it accepts.</summary>
internal sealed record SimulatedModel(string Id, ModelFamily Family)
{
    /// <summary>The 2.x generation (2.0, fast, mini, 2.5) refuses service_tier and camera_fixed and takes priority.</summary>
    public bool IsSeedance2 => Family != ModelFamily.Pro15;

    /// <summary>The 2.0 family refuses an audio reference without an image or video beside it.</summary>
    public bool IsSeedance20 => Family is ModelFamily.Standard20 or ModelFamily.Fast20 or ModelFamily.Mini20;

    public IReadOnlyList<string> Resolutions => Family switch
    {
        ModelFamily.Standard20 => ["480p", "720p", "1080p", "4k"],
        ModelFamily.Fast20 or ModelFamily.Mini20 => ["480p", "720p"],
        ModelFamily.Seedance25 or ModelFamily.Pro15 => ["480p", "720p", "1080p"],
    };

    public int MaxDuration => Family switch
    {
        ModelFamily.Seedance25 => 30,
        ModelFamily.Pro15 => 12,
        ModelFamily.Standard20 or ModelFamily.Fast20 or ModelFamily.Mini20 => 15,
    };

    public const int MinDuration = 4;
}

/// <summary>
/// The model ids the simulator accepts: the full <c>{name}-{version}</c> id, or the name without its <c>-yymmdd</c>
/// version (which Ark resolves to the current version and echoes in full).
/// </summary>
internal static class SimulatedModels
{
    private static readonly SimulatedModel[] Models =
    [
        new("dreamina-seedance-2-0-260128", ModelFamily.Standard20),
        new("doubao-seedance-2-0-260128", ModelFamily.Standard20),
        new("dreamina-seedance-2-0-fast-260128", ModelFamily.Fast20),
        new("doubao-seedance-2-0-fast-260128", ModelFamily.Fast20),
        new("dreamina-seedance-2-0-mini-260615", ModelFamily.Mini20),
        new("doubao-seedance-2-0-mini-260615", ModelFamily.Mini20),
        new("dreamina-seedance-2-5-260628", ModelFamily.Seedance25),
        new("seedance-1-5-pro-251215", ModelFamily.Pro15),
        new("doubao-seedance-1-5-pro-251215", ModelFamily.Pro15),
    ];

    private static readonly Dictionary<string, SimulatedModel> ByName = Models
        .SelectMany(m => new[] { (Name: m.Id, Model: m), (Name: m.Id[..m.Id.LastIndexOf('-')], Model: m) })
        .ToDictionary(p => p.Name, p => p.Model, StringComparer.Ordinal);

    /// <summary>Every full model id served.</summary>
    public static IEnumerable<string> Ids => Models.Select(m => m.Id);

    /// <summary>The model a request names, or null when the simulator does not serve it.</summary>
    public static SimulatedModel? Find(string name) => ByName.GetValueOrDefault(name);
}
