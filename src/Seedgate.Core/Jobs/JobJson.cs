using System.Text.Json;
using System.Text.Json.Serialization;

namespace Seedgate.Core.Jobs;

/// <summary>
/// The one JSON shape in which stores keep a job's request and outputs (request_json, outputs_json). Every
/// provider uses these options, so a row written by one node or provider reads back identically on another.
/// Changing them changes stored data: add fields, never rename them.
/// </summary>
internal static class JobJson
{
    /// <summary>snake_case names, enums as snake_case strings, nulls written (so defaults never replace them).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Reads a stored document; a null document (the JSON literal) is a data error.</summary>
    public static T Deserialize<T>(string json)
        where T : class =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Stored {typeof(T).Name} is null.");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
