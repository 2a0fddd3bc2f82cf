using Seedgate.Core.Logging;

namespace Seedgate.Server.Simulator;

/// <summary>The simulator's log events (ids in <see cref="LogEvents"/>). Callback URLs are never logged: they may carry a secret.</summary>
internal static partial class SimulatorLog
{
    [LoggerMessage(EventId = LogEvents.SimulatorStarted, Level = LogLevel.Information,
        Message = "Upstream simulator listening at {BaseUrl} (files in {DataDirectory})")]
    public static partial void SimulatorStarted(this ILogger logger, Uri baseUrl, string dataDirectory);

    [LoggerMessage(EventId = LogEvents.SimulatedTaskCreated, Level = LogLevel.Debug,
        Message = "Task {TaskId} created: {Model} {Resolution} {Ratio} {Duration} s, latency {LatencyMs} ms, {Fate}")]
    public static partial void TaskCreated(
        this ILogger logger, string taskId, string model, string resolution, string ratio, int duration, double latencyMs, string fate);

    [LoggerMessage(EventId = LogEvents.SimulatedTaskFinished, Level = LogLevel.Information, Message = "Task {TaskId} {Status} {ErrorCode}")]
    public static partial void TaskFinished(this ILogger logger, string taskId, string status, string errorCode);

    [LoggerMessage(EventId = LogEvents.SimulatedRenderFailed, Level = LogLevel.Error, Message = "Task {TaskId}: the render failed; the task fails")]
    public static partial void RenderFailed(this ILogger logger, string taskId, Exception exception);

    [LoggerMessage(EventId = LogEvents.SimulatedPlateUnusable, Level = LogLevel.Warning,
        Message = "Task {TaskId}: an inline image is not decodable ({Reason}); rendering from the prompt alone")]
    public static partial void PlateUnusable(this ILogger logger, string taskId, string reason);

    [LoggerMessage(EventId = LogEvents.SimulatedCallbackFailed, Level = LogLevel.Information,
        Message = "Callback of task {TaskId} ({Status}), attempt {Attempt}: {Problem}")]
    public static partial void CallbackFailed(this ILogger logger, string taskId, string status, int attempt, string problem);

    [LoggerMessage(EventId = LogEvents.SimulatedCallbackAbandoned, Level = LogLevel.Warning,
        Message = "Callback of task {TaskId} ({Status}) abandoned after {Attempts} attempts")]
    public static partial void CallbackAbandoned(this ILogger logger, string taskId, string status, int attempts);

    [LoggerMessage(EventId = LogEvents.SimulatedRequestHeld, Level = LogLevel.Debug, Message = "Holding {Method} {Path} without an answer (hang rate)")]
    public static partial void RequestHeld(this ILogger logger, string method, string path);

    [LoggerMessage(EventId = LogEvents.SimulatorWorkFailed, Level = LogLevel.Error, Message = "Simulator background work failed")]
    public static partial void BackgroundWorkFailed(this ILogger logger, Exception exception);
}
