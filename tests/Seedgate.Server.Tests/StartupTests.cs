using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Seedgate.Core.Jobs;

namespace Seedgate.Server.Tests;

/// <summary>Composing the host touches no database; starting it migrates, and a store that cannot open stops the start.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task The_database_is_created_and_migrated_when_the_host_starts_not_when_it_is_built()
    {
        var data = Path.Combine(Path.GetTempPath(), "seedgate-tests", Guid.NewGuid().ToString("n"));
        var database = Path.Combine(data, "db", "seedgate.db");
        try
        {
            await using var app = SeedgateServer.Build(new ServeOptions(
                ["http://127.0.0.1:0"], data, [$"--Seedgate:Storage:SqlitePath={database}", "--Seedgate:Dispatch:Enabled=false", "--Logging:LogLevel:Default=Warning"]));
            Assert.False(File.Exists(database));

            await app.StartAsync();
            Assert.True(File.Exists(database));
            var listed = await app.Services.GetRequiredService<IJobStore>().ListAsync(new JobQuery("default"), CancellationToken.None);
            Assert.Equal(0, listed.Total); // the schema is there
            await app.StopAsync();
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_database_that_cannot_be_reached_stops_the_start()
    {
        var data = Path.Combine(Path.GetTempPath(), "seedgate-tests", Guid.NewGuid().ToString("n"));
        try
        {
            // Port 1 on the loopback: nothing listens, the connection is refused at once.
            await using var app = SeedgateServer.Build(new ServeOptions(
                ["http://127.0.0.1:0"], data, ["--Seedgate:Storage:Postgres=Host=127.0.0.1;Port=1;Username=x;Timeout=2", "--Logging:LogLevel:Default=None"]));
            var thrown = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
            Assert.True(thrown is NpgsqlException || thrown.InnerException is NpgsqlException, thrown.ToString());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData("sg-short", "at least 24 characters")]
    [InlineData("sg-admin key with spaces 0123456789", "visible ASCII")]
    [InlineData(Infrastructure.Gateway.Key, "must differ from SEEDGATE_API_KEY")]
    public void An_admin_key_that_is_short_has_spaces_or_is_the_API_key_stops_the_start(string adminKey, string why)
    {
        var data = Path.Combine(Path.GetTempPath(), "seedgate-tests", Guid.NewGuid().ToString("n"));
        try
        {
            var thrown = Assert.Throws<InvalidOperationException>(() => SeedgateServer.Build(new ServeOptions(
                ["http://127.0.0.1:0"], data, [$"--SEEDGATE_API_KEY={Infrastructure.Gateway.Key}", $"--SEEDGATE_ADMIN_KEY={adminKey}"])));
            Assert.Contains(why, thrown.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
