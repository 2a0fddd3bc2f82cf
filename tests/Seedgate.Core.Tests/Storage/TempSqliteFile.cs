using Seedgate.Core.Storage.Sqlite;

namespace Seedgate.Core.Tests.Storage;

/// <summary>A database file in its own temp directory, removed (with its -wal and -shm files) on dispose.</summary>
internal sealed class TempSqliteFile : IDisposable
{
    private readonly List<SqliteDatabase> _opened = [];

    public TempSqliteFile()
    {
        DirectoryPath = Path.Combine(Path.GetTempPath(), "seedgate-tests", Guid.NewGuid().ToString("N"));
        FilePath = Path.Combine(DirectoryPath, "seedgate.db");
    }

    public string DirectoryPath { get; }

    /// <summary>The database file (created on first open).</summary>
    public string FilePath { get; }

    /// <summary>A new <see cref="SqliteDatabase"/> over the file, as another process would open it.</summary>
    public async Task<SqliteDatabase> OpenAsync()
    {
        var database = await SqliteDatabase.OpenAsync(FilePath, CancellationToken.None);
        lock (_opened)
        {
            _opened.Add(database);
        }

        return database;
    }

    public void Dispose()
    {
        foreach (var database in _opened)
        {
            database.Dispose();
        }

        if (Directory.Exists(DirectoryPath))
        {
            Directory.Delete(DirectoryPath, recursive: true);
        }
    }
}
