namespace Seedgate.Server.Simulator;

/// <summary>
/// What the simulator has seen since it started or was last reset (<see cref="UpstreamSimulator.ResetStats"/>,
/// <c>POST /_sim/reset</c>); <c>GET /_sim/stats</c> answers the same in snake_case.
/// </summary>
/// <param name="TasksCreated">Tasks created (hung creates included; creates answered with an error excluded).</param>
/// <param name="MaxInFlightSeen">The most tasks queued or running at one time.</param>
/// <param name="RateLimited">Requests answered 429 RateLimitExceeded (the QPS limit).</param>
/// <param name="QuotaRejected">Creates answered 429 QuotaExceeded (the tasks-in-flight limit).</param>
/// <param name="ErrorsSent">Answers 500 or 503 sent as faults (the error rate and the complete-500 quirk).</param>
/// <param name="GetsServed">GETs of a task answered 200.</param>
/// <param name="DuplicatePrompts">Creates whose text prompt equals an earlier task's: how a double submission shows.</param>
/// <param name="Requests">Every /api/v3 request.</param>
/// <param name="ListsServed">Lists answered 200.</param>
/// <param name="Hangs">Requests held without an answer (the hang rate).</param>
/// <param name="CallbacksSent">Callback deliveries attempted (each retry counts).</param>
/// <param name="InFlight">Tasks queued or running now.</param>
public sealed record SimulatorStats(
    long TasksCreated,
    int MaxInFlightSeen,
    long RateLimited,
    long QuotaRejected,
    long ErrorsSent,
    long GetsServed,
    long DuplicatePrompts,
    long Requests,
    long ListsServed,
    long Hangs,
    long CallbacksSent,
    int InFlight);
