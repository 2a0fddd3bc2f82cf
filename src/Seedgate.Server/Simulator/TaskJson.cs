using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Seedgate.Server.Simulator;

/// <summary>Which shape of the task object is written.</summary>
internal enum TaskView
{
    /// <summary>GET and callback bodies: every field.</summary>
    Full,

    /// <summary>List items: no resolution, ratio or duration (as real list items).</summary>
    ListItem,
}

/// <summary>
/// Writes the Ark task object by hand (not through a serializer) because the quirks need what a serializer will not
/// write: counts as strings, <c>5.0</c> for a whole number, a renamed error key.
/// </summary>
internal static class TaskJson
{
    public const string FilesPath = "/_sim/files";
    public const string VideoFile = "video.mp4";
    public const string LastFrameFile = "last_frame.png";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The task as one JSON object.</summary>
    public static byte[] Serialize(SimulatedTask task, TaskView view, int urlTtlSeconds)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, task, view, urlTtlSeconds);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>{"total":N,"items":[…]}</c>.</summary>
    public static byte[] SerializeList(int total, IEnumerable<SimulatedTask> items, int urlTtlSeconds)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("total", total);
            writer.WriteStartArray("items");
            foreach (var task in items)
            {
                Write(writer, task, TaskView.ListItem, urlTtlSeconds);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string StatusName(ArkTaskStatus status) => status switch
    {
        ArkTaskStatus.Queued => "queued",
        ArkTaskStatus.Running => "running",
        ArkTaskStatus.Succeeded => "succeeded",
        ArkTaskStatus.Failed => "failed",
        ArkTaskStatus.Cancelled => "cancelled",
        ArkTaskStatus.Expired => "expired",
    };

    public static bool TryParseStatus(string name, out ArkTaskStatus status)
    {
        foreach (var candidate in Enum.GetValues<ArkTaskStatus>())
        {
            if (StatusName(candidate) == name)
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    private static void Write(Utf8JsonWriter writer, SimulatedTask task, TaskView view, int urlTtlSeconds)
    {
        var spec = task.Spec;
        writer.WriteStartObject();
        writer.WriteString("id", task.Id);
        writer.WriteString("model", spec.Model.Id);
        writer.WriteString("status", ReportedStatus(task));
        writer.WritePropertyName(view == TaskView.ListItem && task.Has(TaskQuirks.FailureReason) ? "failure_reason" : "error");
        if (task.Error is { } error)
        {
            writer.WriteStartObject();
            writer.WriteString("code", error.Code);
            writer.WriteString("message", error.Message);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNullValue();
        }

        if (task.Status == ArkTaskStatus.Succeeded)
        {
            writer.WriteStartObject("content");
            if (!task.Has(TaskQuirks.NoVideo))
            {
                writer.WriteString("video_url", FileUrl(task, VideoFile, urlTtlSeconds));
            }

            if (spec.ReturnLastFrame)
            {
                writer.WriteString("last_frame_url", FileUrl(task, LastFrameFile, urlTtlSeconds));
            }

            writer.WriteEndObject();
            writer.WriteStartObject("usage");
            var tokens = task.Tokens;
            if (task.Has(TaskQuirks.StringCounts))
            {
                writer.WriteString("completion_tokens", tokens.ToString(CultureInfo.InvariantCulture));
                writer.WriteString("total_tokens", tokens.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                writer.WriteNumber("completion_tokens", tokens);
                writer.WriteNumber("total_tokens", tokens);
            }

            writer.WriteEndObject();
        }

        writer.WriteNumber("seed", task.Seed);
        if (view == TaskView.Full)
        {
            writer.WriteString("resolution", spec.Resolution);
            writer.WriteString("ratio", task.Ratio);
            writer.WritePropertyName("duration");
            if (task.Has(TaskQuirks.FloatDuration))
            {
                // A serializer writes 5.0 as 5; the quirk is precisely the ".0".
                writer.WriteRawValue(spec.Duration.ToString(CultureInfo.InvariantCulture) + ".0");
            }
            else
            {
                writer.WriteNumberValue(spec.Duration);
            }
        }

        writer.WriteNumber("framespersecond", UpstreamSimulator.FramesPerSecond);
        writer.WriteBoolean("generate_audio", spec.GenerateAudio);
        writer.WriteString("service_tier", spec.ServiceTier);
        writer.WriteNumber("execution_expires_after", spec.ExecutionExpiresAfter);
        writer.WriteNumber("priority", spec.Priority);
        writer.WriteNumber("created_at", task.CreatedAt.ToUnixTimeSeconds());
        writer.WriteNumber("updated_at", task.UpdatedAt.ToUnixTimeSeconds());
        writer.WriteEndObject();
    }

    private static string ReportedStatus(SimulatedTask task) => task.Status switch
    {
        ArkTaskStatus.Queued when task.Has(TaskQuirks.RelayStatuses) => "unknown",
        ArkTaskStatus.Running when task.Has(TaskQuirks.RelayStatuses) => "processing",
        var status => StatusName(status),
    };

    /// <summary>
    /// A link shaped like a TOS signed link (the query is decoration: the simulator checks the lifetime from its own
    /// record, as TOS checks X-Tos-Date + X-Tos-Expires).
    /// </summary>
    private static string FileUrl(SimulatedTask task, string file, int urlTtlSeconds) => string.Create(
        CultureInfo.InvariantCulture,
        $"{task.PublicBase}{FilesPath}/{task.Id}/{file}?X-Tos-Algorithm=TOS4-HMAC-SHA256&X-Tos-Date={task.UpdatedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}&X-Tos-Expires={urlTtlSeconds}");
}
