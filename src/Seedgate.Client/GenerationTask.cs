using System.Text.Json;
using System.Text.Json.Serialization;

namespace Seedgate.Client;

/// <summary>A video-generation task as <c>GET /api/v3/contents/generations/tasks/{id}</c> returns it.</summary>
public sealed record GenerationTask
{
    /// <summary>The task id, <c>cgt-…</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The model that serves the task.</summary>
    public string? Model { get; init; }

    /// <summary>One of <see cref="TaskStatuses"/>: <c>queued</c>, <c>running</c>, <c>succeeded</c>, <c>failed</c>, <c>cancelled</c>, <c>expired</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The outputs, once the task has succeeded.</summary>
    public TaskContent? Content { get; init; }

    /// <summary>Tokens billed upstream (Ark's billing basis).</summary>
    public TaskUsage? Usage { get; init; }

    /// <summary>Why the task failed; <see langword="null"/> unless it failed.</summary>
    public TaskError? Error { get; init; }

    /// <summary>The seed used.</summary>
    public long? Seed { get; init; }

    /// <summary>The output resolution, e.g. <c>720p</c>.</summary>
    public string? Resolution { get; init; }

    /// <summary>The output aspect ratio, e.g. <c>16:9</c>.</summary>
    public string? Ratio { get; init; }

    /// <summary>The output length in seconds.</summary>
    public int? Duration { get; init; }

    /// <summary>Frames per second of the output.</summary>
    [JsonPropertyName("framespersecond")]
    public int? FramesPerSecond { get; init; }

    /// <summary>Whether the output has an audio track.</summary>
    public bool? GenerateAudio { get; init; }

    /// <summary>When the task was created (sent as Unix seconds).</summary>
    [JsonConverter(typeof(UnixSecondsConverter))]
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the task last changed (sent as Unix seconds).</summary>
    [JsonConverter(typeof(UnixSecondsConverter))]
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>
    /// Seedgate extension: what the account is charged for the task, once settled (a success; some content-policy
    /// failures pay a fee): $0 when the monthly free quota covered it (see <see cref="TaskCost.FreeQuota"/> and
    /// <see cref="TaskCost.PriceMicros"/>). <see langword="null"/> while the task is unfinished or when nothing is owed.
    /// </summary>
    public TaskCost? Cost { get; init; }

    /// <summary>
    /// Seedgate extension: the estimate the account's ledger holds for the task from submit to end (the whole requested
    /// clip at the model's price), kept in the view once the task has ended; <see langword="null"/> when nothing was reserved.
    /// </summary>
    public TaskCost? ReservedCost { get; init; }

    /// <summary>Seedgate extension: the caller's correlation id (<c>X-Client-Request-Id</c> at creation).</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Seedgate extension: progress in percent (0–100) when the engine reports it.</summary>
    public int? Progress { get; init; }

    /// <summary>Seedgate extension, for a queued task served upstream: its place in the queue (1 = next).</summary>
    public int? QueuePosition { get; init; }

    /// <summary>Seedgate extension, for a queued task served upstream: when it is expected to start (sent as Unix seconds).</summary>
    [JsonConverter(typeof(UnixSecondsConverter))]
    public DateTimeOffset? EstimatedStartAt { get; init; }

    /// <summary>Seedgate extension: the fallback model the task was created with, or <see langword="null"/>.</summary>
    public string? FallbackModel { get; init; }

    /// <summary>
    /// Seedgate extension, with a fallback model only: the model serving the task (the one asked for, or its fallback
    /// after repeated transient failures), whose price is charged.
    /// </summary>
    public string? ServedModel { get; init; }

    /// <summary>The draft this task promoted (<see cref="ContentItem.FromDraft"/>), or <see langword="null"/>.</summary>
    public string? DraftTaskId { get; init; }

    /// <summary>Seedgate extension, long takes only: the segments and how far the take has come.</summary>
    public TaskLongTake? LongTake { get; init; }

    /// <summary>Fields this SDK does not model, kept so that nothing the server sends is lost.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>True once the task has reached a status that never changes again.</summary>
    [JsonIgnore]
    public bool IsTerminal => TaskStatuses.IsTerminal(Status);
}

/// <summary>A long take's progress: <c>finished_seconds</c> of <c>seconds</c>, and each segment.</summary>
public sealed record TaskLongTake
{
    /// <summary>The length of the whole take.</summary>
    public int Seconds { get; init; }

    /// <summary>Seconds made so far (finished segments).</summary>
    public double FinishedSeconds { get; init; }

    /// <summary>0–100.</summary>
    public int Progress { get; init; }

    /// <summary>The planned segments, in order.</summary>
    public IReadOnlyList<TaskSegment> Segments { get; init; } = [];
}

/// <summary>One segment of a long take.</summary>
public sealed record TaskSegment
{
    /// <summary>0-based position in the take.</summary>
    public int Index { get; init; }

    /// <summary><c>pending</c> (not started), <c>succeeded</c>, or the task's status while it is the segment under way.</summary>
    public string? Status { get; init; }

    /// <summary>The segment's planned length, or what it came out as once it succeeded.</summary>
    public double Seconds { get; init; }
}

/// <summary>The <c>content</c> object of a task: where its outputs can be downloaded (signed URLs that expire).</summary>
public sealed record TaskContent
{
    /// <summary>The MP4.</summary>
    public Uri? VideoUrl { get; init; }

    /// <summary>The last frame as a PNG, when <see cref="CreateTaskRequest.ReturnLastFrame"/> was set.</summary>
    public Uri? LastFrameUrl { get; init; }
}

/// <summary>The <c>usage</c> object of a task.</summary>
public sealed record TaskUsage
{
    /// <summary>Tokens of generated video (the billing basis upstream).</summary>
    public long? CompletionTokens { get; init; }

    /// <summary>All tokens; equals <see cref="CompletionTokens"/> for video generation.</summary>
    public long? TotalTokens { get; init; }
}

/// <summary>The <c>error</c> object of a failed task.</summary>
public sealed record TaskError
{
    /// <summary>An Ark error code such as <c>OutputVideoSensitiveContentDetected</c>.</summary>
    public string? Code { get; init; }

    /// <summary>A human-readable explanation.</summary>
    public string? Message { get; init; }

    /// <summary>True when a content check refused the prompt, an input or the output (<c>…SensitiveContentDetected</c>).</summary>
    [JsonIgnore]
    public bool IsContentPolicy => IsContentPolicyCode(Code);

    internal static bool IsContentPolicyCode(string? code) => code?.EndsWith("SensitiveContentDetected", StringComparison.Ordinal) == true;
}

/// <summary>The task statuses of the Ark dialect.</summary>
public static class TaskStatuses
{
    /// <summary>Accepted, waiting for capacity.</summary>
    public const string Queued = "queued";

    /// <summary>Being generated.</summary>
    public const string Running = "running";

    /// <summary>Done; the outputs are in <see cref="GenerationTask.Content"/>.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>Failed; see <see cref="GenerationTask.Error"/>.</summary>
    public const string Failed = "failed";

    /// <summary>Cancelled while queued.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Not finished before <see cref="CreateTaskRequest.ExecutionExpiresAfter"/>.</summary>
    public const string Expired = "expired";

    /// <summary>True for the statuses that never change again.</summary>
    /// <param name="status">A status as sent by the server.</param>
    public static bool IsTerminal(string? status) =>
        status is Succeeded or Failed or Cancelled or Expired;
}

/// <summary>One page of <c>GET /api/v3/contents/generations/tasks</c>.</summary>
public sealed record TaskList
{
    /// <summary>How many tasks match the filter, over all pages.</summary>
    public int Total { get; init; }

    /// <summary>The tasks of this page.</summary>
    public IReadOnlyList<GenerationTask> Items { get; init; } = [];
}
