using System.Globalization;
using System.Text.Json;
using Seedgate.Core.Generation;

namespace Seedgate.Core.Upstream;

/// <summary>An upstream task's status, as Seedgate reads the many spellings real services and relays use.</summary>
public enum UpstreamStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Expired,

    /// <summary>A status nobody documented: never a verdict, the task is looked at again.</summary>
    Unknown,
}

/// <summary>
/// An Ark task object (GET, list item, callback body), read leniently (reference §1.8): counts may come as strings,
/// <c>duration</c> as a float, the error as <c>error</c> or <c>failure_reason</c>, relays say <c>processing</c> for
/// running and <c>unknown</c> for not started, no SDK knows <c>expired</c>, and <c>model</c> is echoed resolved.
/// </summary>
public sealed record ArkTaskView(
    string Id,
    string? Model,
    UpstreamStatus Status,
    string RawStatus,
    string? VideoUrl,
    string? LastFrameUrl,
    string? ErrorCode,
    string? ErrorMessage,
    long? Seed,
    long? Tokens,
    long? CreatedAt,
    long? UpdatedAt = null)
{
    /// <summary>
    /// How long the task took by the upstream's own clock (create to end, whole seconds), when it says; what adaptive
    /// polling learns from — the time a poll noticed the end would teach it its own polling interval.
    /// </summary>
    public TimeSpan? Took => Ended && CreatedAt is { } created && UpdatedAt is { } updated && updated >= created
        ? TimeSpan.FromSeconds(updated - created)
        : null;

    public bool Ended => Status is UpstreamStatus.Succeeded or UpstreamStatus.Failed or UpstreamStatus.Cancelled or UpstreamStatus.Expired;

    public static ArkTaskView? Parse(JsonElement task)
    {
        if (task.ValueKind != JsonValueKind.Object || Text(task, "id") is not { Length: > 0 } id)
        {
            return null;
        }

        var raw = Text(task, "status") ?? "";
        var content = task.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        var error = task.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e
            : task.TryGetProperty("failure_reason", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
        var usage = task.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? u : default;
        return new ArkTaskView(
            id,
            Text(task, "model"),
            StatusOf(raw),
            raw,
            Text(content, "video_url") is { Length: > 0 } video ? video : null,
            Text(content, "last_frame_url") is { Length: > 0 } frame ? frame : null,
            Text(error, "code"),
            Text(error, "message"),
            Number(task, "seed"),
            Number(usage, "completion_tokens") ?? Number(usage, "total_tokens"),
            Number(task, "created_at"),
            Number(task, "updated_at"));
    }

    public static ArkTaskView? Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Parse(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static UpstreamStatus StatusOf(string status) => status.ToLowerInvariant() switch
    {
        "queued" or "unknown" or "pending" => UpstreamStatus.Queued,
        "running" or "processing" => UpstreamStatus.Running,
        "succeeded" or "success" => UpstreamStatus.Succeeded,
        "failed" => UpstreamStatus.Failed,
        "cancelled" or "canceled" => UpstreamStatus.Cancelled,
        "expired" => UpstreamStatus.Expired,
        _ => UpstreamStatus.Unknown,
    };

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private static long? Number(JsonElement element, string name) =>
        Text(element, name) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && value is >= long.MinValue and <= long.MaxValue
            ? (long)value
            : null;
}

/// <summary>An upstream's answer that was not a success: HTTP status, Ark's error code and message, Retry-After.</summary>
public sealed record ArkFailure(int Status, string Code, string Message, string? Param, TimeSpan? RetryAfter)
{
    /// <summary>429s and 5xx: the account is busy or unwell now; another account may serve the job.</summary>
    public bool Overloaded => Status is 429 or >= 500;

    /// <summary>How the job takes it: rate limits, overload and 5xx are transient; input, policy, auth and model errors permanent.</summary>
    public FailureClass Class => Status is 408 or 429 or >= 500 ? FailureClass.Transient : FailureClass.Permanent;

    public SeedgateError ToError(string upstream) => new(
        Code, $"The upstream ({upstream}) answered {Status} {Code}: {Message}", Param, Class);

    public static ArkFailure Read(int status, string body, TimeSpan? retryAfter)
    {
        string code = status switch
        {
            429 => ErrorCodes.RateLimitExceeded,
            401 => ErrorCodes.AuthenticationError,
            404 => ErrorCodes.NotFound,
            >= 500 => ErrorCodes.InternalServiceError,
            _ => ErrorCodes.InvalidParameter,
        };
        var message = "no error body";
        string? param = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : code;
                message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : message;
                param = error.TryGetProperty("param", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            }
        }
        catch (JsonException)
        {
            message = body.Length > 200 ? body[..200] : body;
        }

        return new ArkFailure(status, code, message, param, retryAfter);
    }
}

/// <summary>How the job takes an upstream task's own failure code (the task ended <c>failed</c>).</summary>
public static class ArkTaskFailures
{
    /// <summary>
    /// Content-policy and input failures are permanent (never resubmitted); the service's own errors transient (a new
    /// task may succeed); anything unknown permanent, so nothing is resubmitted (and paid upstream) on a guess.
    /// </summary>
    public static FailureClass ClassOf(string? code) => code switch
    {
        ErrorCodes.InternalServiceError or ErrorCodes.ServiceUnavailable or "ServerOverloaded" or ErrorCodes.Timeout => FailureClass.Transient,
        _ => FailureClass.Permanent,
    };
}
