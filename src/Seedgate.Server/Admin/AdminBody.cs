using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Seedgate.Core.Generation;
using Seedgate.Server.Dialects;

namespace Seedgate.Server.Admin;

/// <summary>
/// A JSON object body of the admin API, read strictly, unlike the dialects' bodies: a field the route does not know is
/// a 400 naming it (a typo in an admin call must not be ignored and answered 200), and each value must be of its type.
/// </summary>
internal sealed class AdminBody
{
    private readonly JsonObject _fields;

    private AdminBody(JsonObject fields) => _fields = fields;

    /// <summary>Reads the body (JSON, an object); <paramref name="known"/> are the fields the route takes.</summary>
    public static async Task<AdminBody> ReadAsync(HttpRequest request, IReadOnlyList<string> known, CancellationToken cancellationToken)
    {
        var fields = await DialectJson.ReadAsync<JsonObject>(request, cancellationToken);
        foreach (var (name, _) in fields)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                throw Invalid(name, $"{name} is not a field of this request; the fields are {string.Join(", ", known)}.");
            }
        }

        return new AdminBody(fields);
    }

    /// <summary>True when the field was sent as JSON null (in a PATCH: remove it).</summary>
    public bool IsNull(string name) => _fields.TryGetPropertyValue(name, out var value) && value is null;

    /// <summary>A text field; null when it was not sent or sent as null.</summary>
    public string? Text(string name) => Value(name, JsonValueKind.String, "a string")?.GetValue<string>();

    /// <summary>An object field; null when it was not sent or sent as null.</summary>
    public JsonObject? Object(string name) => _fields[name] switch
    {
        null => null,
        JsonObject value => value,
        _ => throw Invalid(name, $"{name} must be a JSON object."),
    };

    /// <summary>A number field, exactly (decimal); null when it was not sent or sent as null.</summary>
    public decimal? Decimal(string name)
    {
        var value = Value(name, JsonValueKind.Number, "a JSON number (not a string)");
        return value is null ? null
            : value.TryGetValue<JsonElement>(out var element) && element.TryGetDecimal(out var number) ? number
            : throw Invalid(name, $"{name} is out of range.");
    }

    private JsonValue? Value(string name, JsonValueKind kind, string what) => _fields[name] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == kind => value,
        _ => throw Invalid(name, $"{name} must be {what}."),
    };

    private static SeedgateException Invalid(string name, string message) => new(SeedgateError.Invalid(name, message));
}
