using Seedgate.Server.Edge;
using Seedgate.Server.Tests.Infrastructure;

namespace Seedgate.Server.Tests.Edge;

public sealed class SharedReadCacheTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Requests_that_miss_together_share_one_read_until_the_lifetime_ends()
    {
        var clock = new MovableClock(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        var cache = new SharedReadCache<string>(Lifetime, clock);
        var reads = 0;
        var store = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> Read()
        {
            Interlocked.Increment(ref reads);
            return store.Task;
        }

        // 64 requests arrive while the first read is still out: they all wait for it.
        var waiting = Enumerable.Range(0, 64).Select(_ => cache.GetAsync("acct", Read, CancellationToken.None).AsTask()).ToArray();
        Assert.Equal(1, reads);
        store.SetResult("plan-1");
        Assert.All(await Task.WhenAll(waiting), value => Assert.Equal("plan-1", value));

        clock.Now += Lifetime - TimeSpan.FromMilliseconds(1);
        Assert.Equal("plan-1", await cache.GetAsync("acct", () => Task.FromResult("plan-2"), CancellationToken.None));
        clock.Now += TimeSpan.FromMilliseconds(1);
        Assert.Equal("plan-2", await cache.GetAsync("acct", () => Task.FromResult("plan-2"), CancellationToken.None));
        Assert.Equal(1, reads);
    }

    [Fact]
    public async Task A_failed_read_is_not_kept_and_one_waiter_giving_up_leaves_the_read_to_the_others()
    {
        var cache = new SharedReadCache<string>(Lifetime, new MovableClock(DateTimeOffset.UnixEpoch));
        await Assert.ThrowsAsync<InvalidOperationException>(
            () => cache.GetAsync("acct", () => Task.FromException<string>(new InvalidOperationException("store down")), CancellationToken.None).AsTask());
        Assert.Equal("read again", await cache.GetAsync("acct", () => Task.FromResult("read again"), CancellationToken.None));

        var store = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        cache.Forget("acct");
        using var impatient = new CancellationTokenSource();
        var givesUp = cache.GetAsync("acct", () => store.Task, impatient.Token).AsTask();
        var waits = cache.GetAsync("acct", () => Task.FromResult("a second read"), CancellationToken.None).AsTask();
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => givesUp);
        store.SetResult("the shared read");
        Assert.Equal("the shared read", await waits);
    }
}
