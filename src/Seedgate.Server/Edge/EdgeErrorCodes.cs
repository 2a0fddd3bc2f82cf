namespace Seedgate.Server.Edge;

/// <summary>
/// Codes of errors only the HTTP edge finds (the core never speaks HTTP), named in the style of Ark's codes; the
/// SeeDance v1 dialect spells them in snake_case.
/// </summary>
internal static class EdgeErrorCodes
{
    public const string MethodNotAllowed = "MethodNotAllowed";
    public const string RequestTimeout = "RequestTimeout";
    public const string RequestTooLarge = "RequestTooLarge";
    public const string UriTooLong = "UriTooLong";
    public const string UnsupportedMediaType = "UnsupportedMediaType";
    public const string HeadersTooLarge = "HeadersTooLarge";
}
