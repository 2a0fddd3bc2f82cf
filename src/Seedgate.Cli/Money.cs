using System.Globalization;

namespace Seedgate.Cli;

/// <summary>Micro-dollars as people read them: exact decimals, at least two places (0.075, 1.00).</summary>
internal static class Money
{
    public static string Usd(long micros) => (micros / 1_000_000m).ToString("0.00####", CultureInfo.InvariantCulture);

    public static string Usd(long? micros) => micros is { } value ? Usd(value) : "-";
}
