using System.Diagnostics.CodeAnalysis;

namespace Seedgate.Server.Auth;

/// <summary>
/// Reads the API key from an Authorization header of the form <c>Bearer &lt;key&gt;</c> (RFC 6750: the scheme in any
/// case, then spaces). Only ASCII spaces and tabs count as whitespace, and a key is visible ASCII, so a key padded
/// with U+00A0 or another Unicode space is malformed instead of being trimmed into a match.
/// </summary>
internal static class BearerKey
{
    private const string Scheme = "Bearer";
    private const string Whitespace = " \t";

    public static bool TryRead(string header, [NotNullWhen(true)] out string? key)
    {
        ArgumentNullException.ThrowIfNull(header);
        key = null;
        var value = header.AsSpan().Trim(Whitespace);
        if (!value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var afterScheme = value[Scheme.Length..];
        var token = afterScheme.TrimStart(Whitespace);
        if (token.Length == afterScheme.Length || token.IsEmpty || token.ContainsAnyExceptInRange('!', '~'))
        {
            return false;
        }

        key = token.ToString();
        return true;
    }
}
