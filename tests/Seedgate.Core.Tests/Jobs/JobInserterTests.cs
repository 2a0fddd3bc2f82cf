using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sqlite;

namespace Seedgate.Core.Tests.Jobs;

public sealed class JobInserterTests
{
    [Fact]
    public async Task ConcurrentInserts_AreAllStored_AndAFailingOneFailsAlone()
    {
        var path = Path.Combine(Path.GetTempPath(), $"inserter-{Guid.NewGuid():n}.db");
        using var database = await SqliteDatabase.OpenAsync(path, CancellationToken.None);
        var store = new SqlJobStore(database);
        await using var inserter = new JobInserter(store);
        var existing = NewJob();
        await store.CreateAsync(existing, CancellationToken.None);
        var jobs = Enumerable.Range(0, 50).Select(i => i == 25 ? existing : NewJob()).ToList();

        var results = await Task.WhenAll(jobs.Select(async job =>
        {
            try
            {
                await inserter.InsertAsync(job, CancellationToken.None);
                return true;
            }
            catch (System.Data.Common.DbException)
            {
                return false;
            }
        }));

        Assert.Equal(jobs.Select(j => j.Id != existing.Id), results);
        foreach (var job in jobs)
        {
            Assert.NotNull(await store.GetAsync(job.Id, CancellationToken.None));
        }
    }

    private static Job NewJob()
    {
        var now = TimeProvider.System.GetUtcNow();
        return new Job
        {
            Id = JobIds.New(now),
            AccountId = "acct",
            Status = JobStatus.Queued,
            Request = new GenerationRequest { Model = "seedance-2.0-fast" },
            RequestedModel = "seedance-2.0-fast",
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now.AddDays(1),
            Engine = "sandbox",
        };
    }
}
