using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Seedgate.Cli;

/// <summary>
/// <c>--json</c>, which every command that calls the server offers for scripts: the answer in the wire's own shape
/// (snake_case, Unix seconds, unknown fields kept), indented, on stdout; messages stay on stderr.
/// </summary>
internal static class CliJson
{
    private static readonly JsonSerializerOptions IndentedSnakeCase = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public static Option<bool> Option(string what) => new("--json") { Description = $"Print {what} as JSON (for scripts)" };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, IndentedSnakeCase);

    /// <summary>The value as a JSON object, to add fields the command knows (e.g. the file it wrote).</summary>
    public static JsonObject ToObject<T>(T value) => JsonSerializer.SerializeToNode(value, IndentedSnakeCase)!.AsObject();

    public static Task WriteAsync<T>(CliEnvironment env, T value) => env.Out.WriteLineAsync(Serialize(value));

    public static Task WriteAsync(CliEnvironment env, JsonNode value) => env.Out.WriteLineAsync(value.ToJsonString(IndentedSnakeCase));
}
