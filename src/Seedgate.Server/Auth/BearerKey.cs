using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Seedgate.Core.Generation;

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

    /// <summary>The request's key, or the 401 error (AuthenticationError) of a header that is missing or malformed.</summary>
    public static SeedgateError? Read(HttpRequest request, out string key)
    {
        ArgumentNullException.ThrowIfNull(request);
        key = "";
        var header = request.Headers.Authorization;
        if (StringValues.IsNullOrEmpty(header))
        {
            return new SeedgateError(ErrorCodes.AuthenticationError, "The API key is missing: send Authorization: Bearer <key>.", "Authorization");
        }

        if (!TryRead(header.ToString(), out var found))
        {
            return new SeedgateError(
                ErrorCodes.AuthenticationError, "The Authorization header is malformed: send Authorization: Bearer <key>.", "Authorization");
        }

        key = found;
        return null;
    }

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
