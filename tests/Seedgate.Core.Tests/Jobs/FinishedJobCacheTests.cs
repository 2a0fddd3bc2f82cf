using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;

namespace Seedgate.Core.Tests.Jobs;

public sealed class FinishedJobCacheTests : IDisposable
{
    private readonly JobSignals _signals = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _signals.Dispose();

    [Fact]
    public void KeepsOnlyFinishedJobs()
    {
        var cache = new FinishedJobCache(_signals, _clock);

        cache.Add(NewJob("cgt-1", JobStatus.Running));
        cache.Add(NewJob("cgt-2", JobStatus.Succeeded));

        Assert.False(cache.TryGet("cgt-1", out _));
        Assert.True(cache.TryGet("cgt-2", out var job));
        Assert.Equal(JobStatus.Succeeded, job.Status);
    }

    [Fact]
    public void ALocalChange_DropsTheCopyAtOnce()
    {
        var cache = new FinishedJobCache(_signals, _clock);
        cache.Add(NewJob("cgt-1", JobStatus.Failed));

        _signals.JobChanged("cgt-1");

        Assert.False(cache.TryGet("cgt-1", out _));
    }

    [Fact]
    public void Copies_LapseAfterTheLifetime_SoOtherNodesDeletionsAreSeen()
    {
        var cache = new FinishedJobCache(_signals, _clock);
        cache.Add(NewJob("cgt-1", JobStatus.Succeeded));

        _clock.Advance(FinishedJobCache.Lifetime);

        Assert.False(cache.TryGet("cgt-1", out _));
    }

    internal static Job NewJob(string id, JobStatus status, string account = "default") => new()
    {
        Id = id,
        AccountId = account,
        Status = status,
        Request = new GenerationRequest { Model = "seedance-2.0" },
        RequestedModel = "seedance-2.0",
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        ExpiresAt = DateTimeOffset.UnixEpoch.AddDays(1),
        Engine = "sandbox",
    };

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
