using System.Net;

namespace Seedgate.Client;

/// <summary>
/// The server answered with a non-success status. <see cref="Code"/>, <see cref="Exception.Message"/> and
/// <see cref="Param"/> come from Ark's error body <c>{"error":{"code","message","param","type"}}</c> when there is one.
/// Answers the SDK knows are raised as a subclass (<see cref="Create"/>): <see cref="InvalidRequestException"/>,
/// <see cref="ContentPolicyException"/>, <see cref="RateLimitedException"/>, <see cref="QuotaExceededException"/>,
/// <see cref="BudgetExceededException"/>, <see cref="AuthenticationFailedException"/>,
/// <see cref="PermissionDeniedException"/>, <see cref="TaskNotFoundException"/>, <see cref="ConflictException"/>,
/// <see cref="ServerErrorException"/>.
/// </summary>
public class SeedgateApiException : Exception
{
    /// <summary>Creates an exception for an HTTP error answer.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="code">The Ark error code, e.g. <c>InvalidParameter</c>; <see langword="null"/> when the body had none.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="param">The request field at fault, if any.</param>
    /// <param name="type">Ark's error type, if any.</param>
    /// <param name="requestId">The server's <c>X-Request-Id</c>, if any.</param>
    public SeedgateApiException(HttpStatusCode statusCode, string? code, string message, string? param = null, string? type = null, string? requestId = null)
        : base(message)
    {
        StatusCode = statusCode;
        Code = code;
        Param = param;
        Type = type;
        RequestId = requestId;
    }

    /// <summary>Creates an exception without an HTTP answer (status 0).</summary>
    public SeedgateApiException()
        : this(0, null, "The Seedgate API call failed.")
    {
    }

    /// <summary>Creates an exception without an HTTP answer (status 0).</summary>
    /// <param name="message">What went wrong.</param>
    public SeedgateApiException(string message)
        : this(0, null, message)
    {
    }

    /// <summary>Creates an exception without an HTTP answer (status 0).</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SeedgateApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The Ark error code (e.g. <c>InvalidParameter</c>, <c>RateLimitExceeded</c>), or <see langword="null"/> when the body had none.</summary>
    public string? Code { get; }

    /// <summary>The request field at fault, when the server names one.</summary>
    public string? Param { get; }

    /// <summary>Ark's error <c>type</c>, when present.</summary>
    public string? Type { get; }

    /// <summary>The server's <c>X-Request-Id</c> for this call: quote it when reporting a problem.</summary>
    public string? RequestId { get; }

    /// <summary>The exception for an error answer: the subclass its code (first) or status says, else this type.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="code">The error code, if the body had one.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="param">The request field at fault, if any.</param>
    /// <param name="type">Ark's error type, if any.</param>
    /// <param name="requestId">The server's <c>X-Request-Id</c>, if any.</param>
    /// <param name="retryAfter">The server's <c>Retry-After</c>, if any.</param>
    public static SeedgateApiException Create(
        HttpStatusCode statusCode, string? code, string message, string? param = null, string? type = null, string? requestId = null, TimeSpan? retryAfter = null) =>
        code switch
        {
            not null when TaskError.IsContentPolicyCode(code) =>
                new ContentPolicyException(statusCode, code, message, param, type, requestId),
            "QuotaExceeded" => new QuotaExceededException(statusCode, code, message, param, type, requestId),
            "AccountOverdueError" => new BudgetExceededException(statusCode, code, message, param, type, requestId),
            "RateLimitExceeded" => new RateLimitedException(statusCode, code, message, param, type, requestId, retryAfter),
            _ => (int)statusCode switch
            {
                400 or 413 or 415 or 422 => new InvalidRequestException(statusCode, code, message, param, type, requestId),
                401 => new AuthenticationFailedException(statusCode, code, message, param, type, requestId),
                403 => new PermissionDeniedException(statusCode, code, message, param, type, requestId),
                404 => new TaskNotFoundException(statusCode, code, message, param, type, requestId),
                409 => new ConflictException(statusCode, code, message, param, type, requestId),
                429 => new RateLimitedException(statusCode, code, message, param, type, requestId, retryAfter),
                408 or >= 500 => new ServerErrorException(statusCode, code, message, param, type, requestId),
                _ => new SeedgateApiException(statusCode, code, message, param, type, requestId),
            },
        };

    /// <summary>True for failures worth retrying later: 408, 429 and 5xx.</summary>
    public bool IsTransient => StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)StatusCode >= 500;
}
