using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Accounts;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Postgres;

namespace Seedgate.Core.Tests.Storage;

/// <summary>
/// The job store compliance suite on PostgreSQL: one database per class, emptied before each test. Every store opens
/// its own <see cref="PostgresDatabase"/> (its own connection pool), as separate nodes would.
/// </summary>
public sealed class PostgresJobStoreTests(PostgresClassDatabase classDatabase)
    : JobStoreCompliance, IClassFixture<PostgresClassDatabase>, IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = classDatabase.Database;

    public Task InitializeAsync() => _database.ResetAsync();

    public Task DisposeAsync() => _database.CloseOpenedAsync();

    protected override async Task<IJobStore> CreateStoreAsync() => new SqlJobStore(await _database.OpenAsync());
}

/// <summary>The account store compliance suite on PostgreSQL: one database per class, emptied before each test.</summary>
public sealed class PostgresAccountStoreTests(PostgresClassDatabase classDatabase)
    : AccountStoreCompliance, IClassFixture<PostgresClassDatabase>, IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = classDatabase.Database;

    public Task InitializeAsync() => _database.ResetAsync();

    public Task DisposeAsync() => _database.CloseOpenedAsync();

    protected override async Task<IAccountStore> CreateStoreAsync() => new SqlAccountStore(await _database.OpenAsync());
}

/// <summary>The transaction-seam compliance suite on PostgreSQL: one database per class, emptied before each test.</summary>
public sealed class PostgresJobTransactionTests(PostgresClassDatabase classDatabase)
    : JobTransactionCompliance, IClassFixture<PostgresClassDatabase>, IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = classDatabase.Database;

    public Task InitializeAsync() => _database.ResetAsync();

    public Task DisposeAsync() => _database.CloseOpenedAsync();

    private protected override async Task<ISqlDatabase> OpenDatabaseAsync() => await _database.OpenAsync();
}

/// <summary>The ledger compliance suite on PostgreSQL: one database per class, emptied before each test.</summary>
public sealed class PostgresLedgerTests(PostgresClassDatabase classDatabase)
    : LedgerCompliance, IClassFixture<PostgresClassDatabase>, IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = classDatabase.Database;

    public Task InitializeAsync() => _database.ResetAsync();

    public Task DisposeAsync() => _database.CloseOpenedAsync();

    private protected override async Task<ISqlDatabase> OpenDatabaseAsync() => await _database.OpenAsync();
}

/// <summary>The account-limits compliance suite on PostgreSQL: one database per class, emptied before each test.</summary>
public sealed class PostgresAccountLimitsTests(PostgresClassDatabase classDatabase)
    : AccountLimitsCompliance, IClassFixture<PostgresClassDatabase>, IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = classDatabase.Database;

    public Task InitializeAsync() => _database.ResetAsync();

    public Task DisposeAsync() => _database.CloseOpenedAsync();

    private protected override async Task<ISqlDatabase> OpenDatabaseAsync() => await _database.OpenAsync();
}

/// <summary>The upstream-claim compliance suite on PostgreSQL: one database per class, emptied before each test.</summary>
public sealed class PostgresUpstreamClaimTests(PostgresClassDatabase classDatabase)
    : UpstreamClaimCompliance, IClassFixture<PostgresClassDatabase>, IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = classDatabase.Database;

    public Task InitializeAsync() => _database.ResetAsync();

    public Task DisposeAsync() => _database.CloseOpenedAsync();

    private protected override async Task<ISqlDatabase> OpenDatabaseAsync() => await _database.OpenAsync();
}
