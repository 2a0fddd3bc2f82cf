namespace Seedgate.Server.Tests.Infrastructure;

/// <summary>A clock a test sets by hand.</summary>
internal sealed class MovableClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
