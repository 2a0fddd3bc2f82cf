namespace Seedgate.Client;

/// <summary>
/// A wait gave up before the task ended. The task itself has not failed: it may still finish (wait again, or look it up
/// later); <see cref="LastSeen"/> is where it stood.
/// </summary>
public sealed class TaskWaitTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="taskId">The task waited for.</param>
    /// <param name="timeout">How long the wait was allowed.</param>
    /// <param name="lastSeen">The last snapshot read, if any.</param>
    public TaskWaitTimeoutException(string taskId, TimeSpan timeout, GenerationTask? lastSeen)
        : base($"Task {taskId} did not finish within {timeout}; last status: {lastSeen?.Status ?? "unknown"}. It may still finish.")
    {
        TaskId = taskId;
        Timeout = timeout;
        LastSeen = lastSeen;
    }

    /// <summary>The task waited for.</summary>
    public string TaskId { get; }

    /// <summary>How long the wait was allowed.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The last snapshot read, or <see langword="null"/> when none arrived.</summary>
    public GenerationTask? LastSeen { get; }
}
