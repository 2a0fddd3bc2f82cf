using System.Net;

namespace Seedgate.Client;

// The kinds of refusal a caller handles differently, one type each (all are SeedgateApiException, so one catch still
// takes them all). Which one an answer becomes: its error code first (the same status carries several), then its status.

/// <summary>The request itself is wrong (400: a field missing or out of range, named by <see cref="SeedgateApiException.Param"/>); never retried.</summary>
public sealed class InvalidRequestException(HttpStatusCode statusCode, string? code, string message, string? param, string? type, string? requestId)
    : SeedgateApiException(statusCode, code, message, param, type, requestId);

/// <summary>A content check refused the prompt, an input or the output (<c>…SensitiveContentDetected</c>); never retried.</summary>
public sealed class ContentPolicyException(HttpStatusCode statusCode, string? code, string message, string? param, string? type, string? requestId)
    : SeedgateApiException(statusCode, code, message, param, type, requestId);

/// <summary>
/// Too many requests (429 <c>RateLimitExceeded</c>): retried with backoff while retries are left; raised when they ran
/// out. <see cref="RetryAfter"/> is the server's <c>Retry-After</c>, when it sent one.
/// </summary>
public sealed class RateLimitedException(
    HttpStatusCode statusCode, string? code, string message, string? param, string? type, string? requestId, TimeSpan? retryAfter)
    : SeedgateApiException(statusCode, code, message, param, type, requestId)
{
    /// <summary>How long the server asked to wait before the next request, or <see langword="null"/>.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>The account's plan allows no more tasks now (<c>QuotaExceeded</c>: tasks in progress or queued at their cap): submit again when one ends.</summary>
public sealed class QuotaExceededException(HttpStatusCode statusCode, string? code, string message, string? param, string? type, string? requestId)
    : SeedgateApiException(statusCode, code, message, param, type, requestId);

/// <summary>The task would take the account past its monthly budget, or the account is overdue (<c>AccountOverdueError</c>); never retried.</summary>
public sealed class BudgetExceededException(HttpStatusCode statusCode, string? code, string message, string? param, string? type, string? requestId)
    : SeedgateApiException(statusCode, code, message, param, type, requestId);

/// <summary>The API key is missing, malformed, unknown or revoked (401); never retried.</summary>
public sealed class AuthenticationFailedException(HttpStatusCode statusCode, string? code, string message, string? param, string? type, string? requestId)
    : SeedgateApiException(statusCode, code, message, param, type, requestId);

/// <summary>The key is valid but may not do this (403), e.g. an API key on the admin API; never retried.</summary>
public sealed class PermissionDeniedException(HttpStatusCode statusCode, string? code, string message, string? param, string? type, string? requestId)
    : SeedgateApiException(statusCode, code, message, param, type, requestId);

/// <summary>No such task (404) — or one of another account's, which looks the same; never retried.</summary>
public sealed class TaskNotFoundException(HttpStatusCode statusCode, string? code, string message, string? param, string? type, string? requestId)
    : SeedgateApiException(statusCode, code, message, param, type, requestId);

/// <summary>The request conflicts with what exists (409), e.g. an <c>Idempotency-Key</c> sent again with another request; never retried.</summary>
public sealed class ConflictException(HttpStatusCode statusCode, string? code, string message, string? param, string? type, string? requestId)
    : SeedgateApiException(statusCode, code, message, param, type, requestId);

/// <summary>The server failed or was unavailable (5xx, 408): retried with backoff while retries are left; raised when they ran out.</summary>
public sealed class ServerErrorException(HttpStatusCode statusCode, string? code, string message, string? param, string? type, string? requestId)
    : SeedgateApiException(statusCode, code, message, param, type, requestId);
