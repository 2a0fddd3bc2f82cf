namespace Seedgate.Server.Simulator;

/// <summary>What a counter of <see cref="SimulatorCounters"/> counts (see <see cref="SimulatorStats"/>).</summary>
internal enum SimulatorCounter
{
    TasksCreated,
    RateLimited,
    QuotaRejected,
    ErrorsSent,
    GetsServed,
    DuplicatePrompts,
    Requests,
    ListsServed,
    Hangs,
    CallbacksSent,
}

/// <summary>The counters behind <see cref="SimulatorStats"/>, bumped from any thread.</summary>
internal sealed class SimulatorCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<SimulatorCounter>().Length];

    public void Add(SimulatorCounter counter) => Interlocked.Increment(ref _counts[(int)counter]);

    public SimulatorStats Snapshot(int maxInFlightSeen, int inFlight) => new(
        Read(SimulatorCounter.TasksCreated),
        maxInFlightSeen,
        Read(SimulatorCounter.RateLimited),
        Read(SimulatorCounter.QuotaRejected),
        Read(SimulatorCounter.ErrorsSent),
        Read(SimulatorCounter.GetsServed),
        Read(SimulatorCounter.DuplicatePrompts),
        Read(SimulatorCounter.Requests),
        Read(SimulatorCounter.ListsServed),
        Read(SimulatorCounter.Hangs),
        Read(SimulatorCounter.CallbacksSent),
        inFlight);

    public void Reset()
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            Interlocked.Exchange(ref _counts[i], 0);
        }
    }

    private long Read(SimulatorCounter counter) => Interlocked.Read(ref _counts[(int)counter]);
}
