using System.Threading.Channels;

namespace Seedgate.Core.Jobs;

/// <summary>
/// Inserts submitted jobs, coalescing the submissions that arrive together into one <see cref="IJobStore.CreateManyAsync"/>
/// (one round trip for many requests). A caller's task completes once its job is stored. If a batch fails, each
/// job of it is inserted alone, so every caller gets its own result.
/// </summary>
public sealed class JobInserter : IAsyncDisposable
{
    private const int MaxJobsPerBatch = 128;

    private readonly IJobStore _store;
    private readonly Channel<(Job Job, TaskCompletionSource Done, CancellationToken Token)> _pending =
        Channel.CreateUnbounded<(Job, TaskCompletionSource, CancellationToken)>(new() { SingleReader = true });

    private readonly Task _writing;

    public JobInserter(IJobStore store)
    {
        _store = store;
        _writing = Task.Run(WriteAsync);
    }

    public Task InsertAsync(Job job, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ObjectDisposedException.ThrowIf(!_pending.Writer.TryWrite((job, done, cancellationToken)), this);
        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writing;
    }

    private async Task WriteAsync()
    {
        var batch = new List<(Job Job, TaskCompletionSource Done, CancellationToken Token)>();
        while (await _pending.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxJobsPerBatch && _pending.Reader.TryRead(out var item))
            {
                if (item.Token.IsCancellationRequested)
                {
                    item.Done.TrySetCanceled(item.Token);
                }
                else
                {
                    batch.Add(item);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await _store.CreateManyAsync([.. batch.Select(b => b.Job)], CancellationToken.None);
                batch.ForEach(b => b.Done.TrySetResult());
            }
#pragma warning disable CA1031 // One bad job must not fail the others: they are inserted one by one instead.
            catch (Exception) when (batch.Count > 1)
            {
                foreach (var (job, done, token) in batch)
                {
                    try
                    {
                        await _store.CreateAsync(job, token);
                        done.TrySetResult();
                    }
                    catch (Exception ex)
                    {
                        done.TrySetException(ex);
                    }
                }
            }
            catch (Exception ex)
#pragma warning restore CA1031
            {
                batch[0].Done.TrySetException(ex);
            }
        }
    }
}
