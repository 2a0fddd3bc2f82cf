using System.Text.Json;
using System.Text.Json.Serialization;

namespace Seedgate.Client;

/// <summary>Unix seconds on the wire, <see cref="DateTimeOffset"/> in the SDK. Tolerates fractions and numeric strings.</summary>
internal sealed class UnixSecondsConverter : JsonConverter<DateTimeOffset?>
{
    public override bool HandleNull => true;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        double seconds;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetDouble(out seconds):
                break;
            case JsonTokenType.String when double.TryParse(reader.GetString(), System.Globalization.CultureInfo.InvariantCulture, out seconds):
                break;
            default:
                reader.Skip();
                return null;
        }

        const double max = 253402300799; // 9999-12-31
        return seconds is >= 0 and <= max ? DateTimeOffset.UnixEpoch.AddSeconds(seconds) : null;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } time)
        {
            writer.WriteNumberValue(time.ToUnixTimeSeconds());
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
