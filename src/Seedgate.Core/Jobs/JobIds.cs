using System.Globalization;
using System.Security.Cryptography;

namespace Seedgate.Core.Jobs;

/// <summary>Job ids in Ark's shape: cgt-yyyyMMddHHmmss-xxxxxxxx (time-ordered, then random).</summary>
public static class JobIds
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static readonly System.Buffers.SearchValues<char> IdChars = System.Buffers.SearchValues.Create(Alphabet + "-");

    public static string New(DateTimeOffset now) =>
        "cgt-" + now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + RandomNumberGenerator.GetString(Alphabet, 8);

    /// <summary>A cheap shape check, so that junk never reaches the store.</summary>
    public static bool LooksValid(string? id) =>
        id is { Length: > 4 and <= 64 } && id.StartsWith("cgt-", StringComparison.Ordinal) &&
        id.AsSpan(4).IndexOfAnyExcept(IdChars) < 0;
}
