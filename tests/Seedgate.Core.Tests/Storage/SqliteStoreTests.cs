using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Accounts;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sqlite;

namespace Seedgate.Core.Tests.Storage;

/// <summary>The job store compliance suite on a fresh SQLite file per test; each store opens the file anew.</summary>
public sealed class SqliteJobStoreTests : JobStoreCompliance, IDisposable
{
    private readonly TempSqliteFile _file = new();

    protected override async Task<IJobStore> CreateStoreAsync() => new SqlJobStore(await _file.OpenAsync());

    public void Dispose() => _file.Dispose();
}

/// <summary>The account store compliance suite on a fresh SQLite file per test.</summary>
public sealed class SqliteAccountStoreTests : AccountStoreCompliance, IDisposable
{
    private readonly TempSqliteFile _file = new();

    protected override async Task<IAccountStore> CreateStoreAsync() => new SqlAccountStore(await _file.OpenAsync());

    public void Dispose() => _file.Dispose();
}

/// <summary>The transaction-seam compliance suite on a fresh SQLite file per test.</summary>
public sealed class SqliteJobTransactionTests : JobTransactionCompliance, IDisposable
{
    private readonly TempSqliteFile _file = new();

    private protected override async Task<ISqlDatabase> OpenDatabaseAsync() => await _file.OpenAsync();

    public void Dispose() => _file.Dispose();
}

/// <summary>The ledger compliance suite on SQLite, a fresh file per test.</summary>
public sealed class SqliteLedgerTests : LedgerCompliance, IDisposable
{
    private readonly TempSqliteFile _file = new();

    private protected override async Task<ISqlDatabase> OpenDatabaseAsync() => await _file.OpenAsync();

    public void Dispose() => _file.Dispose();
}

/// <summary>The account-limits compliance suite on SQLite, a fresh file per test (several nodes: several connections to it).</summary>
public sealed class SqliteAccountLimitsTests : AccountLimitsCompliance, IDisposable
{
    private readonly TempSqliteFile _file = new();

    private protected override async Task<ISqlDatabase> OpenDatabaseAsync() => await _file.OpenAsync();

    public void Dispose() => _file.Dispose();
}

public sealed class SqliteUpstreamClaimTests : UpstreamClaimCompliance, IDisposable
{
    private readonly TempSqliteFile _file = new();

    private protected override async Task<ISqlDatabase> OpenDatabaseAsync() => await _file.OpenAsync();

    public void Dispose() => _file.Dispose();
}
