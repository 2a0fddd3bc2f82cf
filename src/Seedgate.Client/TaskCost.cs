using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Seedgate.Client;

/// <summary>
/// Seedgate's <c>cost</c> of a task. Read tolerantly: an object <c>{"amount_micros":75000,"currency":"USD"}</c>, a bare
/// number (an amount in currency units, e.g. <c>0.075</c>) or a numeric string; any other shape is kept in
/// <see cref="Raw"/> without failing the call.
/// </summary>
[JsonConverter(typeof(TaskCostConverter))]
public sealed record TaskCost
{
    /// <summary>The amount in millionths of the currency unit (integer money), when known.</summary>
    public long? AmountMicros { get; init; }

    /// <summary>The ISO 4217 currency; <c>USD</c> when the server does not say.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>
    /// Seedgate: the price of what a succeeded task made, in millionths of the currency unit, before the monthly free
    /// quota (<see cref="AmountMicros"/> is what the account is charged); <see langword="null"/> when the server does not say.
    /// </summary>
    public long? PriceMicros { get; init; }

    /// <summary>Seedgate: true when the account's monthly free quota covered the task (it is charged nothing).</summary>
    public bool FreeQuota { get; init; }

    /// <summary>The JSON the server sent, as it was.</summary>
    public JsonElement Raw { get; init; }

    /// <summary>The amount in currency units, when known.</summary>
    public decimal? Amount => AmountMicros / 1_000_000m;

    /// <summary>e.g. <c>0.075 USD</c>; the raw JSON when the amount is unknown.</summary>
    public override string ToString() =>
        Amount is { } amount
            ? amount.ToString("0.00####", CultureInfo.InvariantCulture) + " " + Currency
            : Raw.ValueKind == JsonValueKind.Undefined ? "" : Raw.GetRawText();
}

/// <summary>Reads any JSON shape into a <see cref="TaskCost"/>; writes back what was read.</summary>
internal sealed class TaskCostConverter : JsonConverter<TaskCost>
{
    public override TaskCost Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var raw = document.RootElement.Clone();
        return raw.ValueKind switch
        {
            JsonValueKind.Number => new TaskCost { Raw = raw, AmountMicros = ToMicros(raw) },
            JsonValueKind.String => new TaskCost { Raw = raw, AmountMicros = ToMicros(raw) },
            JsonValueKind.Object => FromObject(raw),
            _ => new TaskCost { Raw = raw },
        };
    }

    public override void Write(Utf8JsonWriter writer, TaskCost value, JsonSerializerOptions options)
    {
        if (value.Raw.ValueKind != JsonValueKind.Undefined)
        {
            value.Raw.WriteTo(writer);
            return;
        }

        writer.WriteStartObject();
        if (value.AmountMicros is { } micros)
        {
            writer.WriteNumber("amount_micros", micros);
        }

        writer.WriteString("currency", value.Currency);
        if (value.PriceMicros is { } price)
        {
            writer.WriteNumber("price_micros", price);
        }

        if (value.FreeQuota)
        {
            writer.WriteBoolean("free_quota", true);
        }

        writer.WriteEndObject();
    }

    private static TaskCost FromObject(JsonElement raw)
    {
        long? micros = null;
        if (TryGet(raw, "amount_micros", out var m) && m.ValueKind == JsonValueKind.Number && m.TryGetInt64(out var exact))
        {
            micros = exact;
        }
        else
        {
            foreach (var name in (string[])["amount", "amount_usd", "usd", "value"])
            {
                if (TryGet(raw, name, out var amount) && ToMicros(amount) is { } found)
                {
                    micros = found;
                    break;
                }
            }
        }

        var currency = TryGet(raw, "currency", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        return new TaskCost
        {
            Raw = raw,
            AmountMicros = micros,
            Currency = string.IsNullOrEmpty(currency) ? "USD" : currency,
            PriceMicros = TryGet(raw, "price_micros", out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var price) ? price : null,
            FreeQuota = TryGet(raw, "free_quota", out var f) && f.ValueKind == JsonValueKind.True,
        };
    }

    private static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static long? ToMicros(JsonElement value)
    {
        decimal amount;
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (!value.TryGetDecimal(out amount))
            {
                return null;
            }
        }
        else if (value.ValueKind != JsonValueKind.String
                 || !decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out amount))
        {
            return null;
        }

        var micros = decimal.Round(amount * 1_000_000m, MidpointRounding.AwayFromZero);
        return micros is >= long.MinValue and <= long.MaxValue ? (long)micros : null;
    }
}
