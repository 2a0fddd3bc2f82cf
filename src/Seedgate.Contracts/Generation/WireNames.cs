namespace Seedgate.Core.Generation;

/// <summary>The snake_case names the wire formats (and the catalog) use for the canonical enums.</summary>
public static class WireNames
{
    private static readonly Dictionary<Style, string> StyleNames = new()
    {
        [Style.Cinematic] = "cinematic",
        [Style.Anime] = "anime",
        [Style.Realistic] = "realistic",
        [Style.Render3D] = "3d_render",
    };

    private static readonly Dictionary<CameraMotion, string> MotionNames = Enum.GetValues<CameraMotion>()
        .ToDictionary(m => m, m => ToSnake(m.ToString()));

    private static readonly Dictionary<ReferenceRole, string> RoleNames = Enum.GetValues<ReferenceRole>()
        .ToDictionary(r => r, r => ToSnake(r.ToString()));

    private static readonly Dictionary<GenerationTool, string> ToolNames = Enum.GetValues<GenerationTool>()
        .ToDictionary(t => t, t => ToSnake(t.ToString()));

    public static IReadOnlyCollection<string> Styles => StyleNames.Values;
    public static IReadOnlyCollection<string> CameraMotions => MotionNames.Values;
    public static IReadOnlyCollection<string> Tools => ToolNames.Values;

    public static string Of(Style style) => StyleNames[style];
    public static string Of(CameraMotion motion) => MotionNames[motion];
    public static string Of(ReferenceRole role) => RoleNames[role];
    public static string Of(GenerationTool tool) => ToolNames[tool];

    public static bool TryParse(string? text, out Style style) => TryFind(StyleNames, text, out style);
    public static bool TryParse(string? text, out CameraMotion motion) => TryFind(MotionNames, text, out motion);
    public static bool TryParse(string? text, out ReferenceRole role) => TryFind(RoleNames, text, out role);
    public static bool TryParse(string? text, out GenerationTool tool) => TryFind(ToolNames, text, out tool);

    private static bool TryFind<T>(Dictionary<T, string> names, string? text, out T value)
        where T : struct, Enum
    {
        foreach (var (key, name) in names)
        {
            if (string.Equals(name, text, StringComparison.Ordinal))
            {
                value = key;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static string ToSnake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
