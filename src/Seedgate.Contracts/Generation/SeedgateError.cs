namespace Seedgate.Core.Generation;

/// <summary>Whether a failure may succeed on another attempt.</summary>
public enum FailureClass
{
    /// <summary>Invalid input, content policy, account problems: fail at once, never retry.</summary>
    Permanent,
    /// <summary>Rate limits, 5xx, timeouts, network errors before acknowledgement: retry with backoff.</summary>
    Transient,
}

/// <summary>
/// A typed error of the core: a code from Ark's vocabulary (see <see cref="ErrorCodes"/>), a message,
/// the offending field (canonical or wire name) and the failure class. Dialects choose the HTTP status.
/// </summary>
public sealed record SeedgateError(string Code, string Message, string? Param = null, FailureClass Class = FailureClass.Permanent)
{
    public static SeedgateError Invalid(string param, string message) => new(ErrorCodes.InvalidParameter, message, param);
    public static SeedgateError Missing(string param, string message) => new(ErrorCodes.MissingParameter, message, param);
}

/// <summary>Thrown where a typed error must cross a call stack; carries the <see cref="SeedgateError"/>.</summary>
public sealed class SeedgateException(SeedgateError error, Exception? inner = null) : Exception(error.Message, inner)
{
    public SeedgateError Error { get; } = error;
}

/// <summary>Error codes, named as Ark names them.</summary>
public static class ErrorCodes
{
    public const string MissingParameter = "MissingParameter";
    public const string InvalidParameter = "InvalidParameter";
    public const string InputTextSensitiveContentDetected = "InputTextSensitiveContentDetected";
    public const string InputImageSensitiveContentDetected = "InputImageSensitiveContentDetected";
    public const string OutputVideoSensitiveContentDetected = "OutputVideoSensitiveContentDetected";
    public const string AuthenticationError = "AuthenticationError";
    public const string AccountOverdueError = "AccountOverdueError";

    /// <summary>A valid key that may not do this (an API key on the admin API; the admin API turned off): HTTP 403.</summary>
    public const string AccessDenied = "AccessDenied";
    public const string NotFound = "NotFound";
    public const string ModelNotOpen = "ModelNotOpen";
    public const string RateLimitExceeded = "RateLimitExceeded";
    public const string QuotaExceeded = "QuotaExceeded";
    public const string InvalidAction = "InvalidAction";

    /// <summary>Seedgate's own: an Idempotency-Key sent again with a different request (HTTP 409).</summary>
    public const string IdempotencyKeyReused = "IdempotencyKeyReused";

    /// <summary>Seedgate's own: what a create names exists already, e.g. an account id (HTTP 409).</summary>
    public const string AlreadyExists = "AlreadyExists";
    public const string InternalServiceError = "InternalServiceError";
    public const string ServiceUnavailable = "ServiceUnavailable";
    public const string Timeout = "Timeout";
}
