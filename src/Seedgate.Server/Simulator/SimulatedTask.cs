namespace Seedgate.Server.Simulator;

/// <summary>The statuses of an Ark task.</summary>
internal enum ArkTaskStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Expired,
}

/// <summary>The quirks (<see cref="SimulatorQuirks"/>) that apply to one task.</summary>
[Flags]
internal enum TaskQuirks
{
    None = 0,
    RelayStatuses = 1,
    NoVideo = 2,
    Transient404 = 4,
    Complete500 = 8,
    StringCounts = 16,
    FloatDuration = 32,
    FailureReason = 64,
}

/// <summary>Inline (data URL) images of a request: plates in order, and a last frame.</summary>
internal sealed record RenderInputs(IReadOnlyList<InlineImage> Plates, InlineImage? LastFrame);

/// <summary>A task's error: <c>{"code","message"}</c>.</summary>
internal sealed record TaskError(string Code, string Message);

/// <summary>
/// One simulated task. Its fate (success, or the failure it will end with), latency, seed and quirks are rolled when it
/// is created; its mutable state is changed only under <see cref="SimulatedTasks"/>' lock.
/// </summary>
internal sealed class SimulatedTask
{
    public required string Id { get; init; }

    /// <summary>Creation order: lists are newest first.</summary>
    public required long Sequence { get; init; }

    /// <summary>The request, without its inline images (<see cref="Inputs"/>).</summary>
    public required TaskSpec Spec { get; init; }

    /// <summary>The inline images the render uses, held only until it has them: a data URL may be tens of megabytes.</summary>
    public RenderInputs? Inputs { get; set; }
    public required long Seed { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }

    /// <summary>The ratio rendered (<c>adaptive</c> resolved).</summary>
    public required string Ratio { get; init; }

    /// <summary>How long the task takes from its start to its end (latency ± jitter).</summary>
    public required TimeSpan Latency { get; init; }

    /// <summary>The error the task will end with after its latency, or null when it is to succeed.</summary>
    public required TaskError? Fate { get; init; }

    public required TaskQuirks Quirks { get; init; }

    /// <summary>Where the output links point: the scheme and host the creating client reached the simulator by.</summary>
    public required string PublicBase { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public ArkTaskStatus Status { get; set; } = ArkTaskStatus.Queued;
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When its latency clock started; null while it waits for capacity.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    public TaskError? Error { get; set; }

    /// <summary>GETs answered 404 by the transient-404 quirk so far.</summary>
    public int TransientNotFounds { get; set; }

    /// <summary>Whether the complete-500 quirk has answered its 500.</summary>
    public bool CompletionErrorSent { get; set; }

    /// <summary>Cancels the task's run (render and delays) when it is cancelled or expires.</summary>
    public CancellationTokenSource? Run { get; set; }

    /// <summary>Fires <c>execution_expires_after</c> after creation.</summary>
    public ITimer? ExpiryTimer { get; set; }

    /// <summary>The last callback delivery queued: each waits for the one before, so a receiver sees the statuses in order.</summary>
    public Task Callbacks { get; set; } = Task.CompletedTask;

    public bool IsTerminal => Status is ArkTaskStatus.Succeeded or ArkTaskStatus.Failed or ArkTaskStatus.Cancelled or ArkTaskStatus.Expired;

    public bool Has(TaskQuirks quirk) => (Quirks & quirk) != 0;

    /// <summary>Tokens billed: W × H × 24 × seconds / 1024.</summary>
    public long Tokens => (long)Width * Height * UpstreamSimulator.FramesPerSecond * Spec.Duration / 1024;
}
