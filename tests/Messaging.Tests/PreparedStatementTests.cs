using Dapper;
using Microservices.Messaging.Tests.Infrastructure;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Messaging.Tests;

/// <summary>The PostgreSQL data source prepares repeated statements unless the connection string says otherwise.</summary>
public sealed class PreparedStatementTests : IAsyncLifetime
{
    private const string Probe = "SELECT COUNT(*) FROM pg_class WHERE relname = @name";

    private readonly TestDatabases _databases = new(StoreEngine.Postgres);
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await _databases.CreateAsync("prepare");

    public Task DisposeAsync() => _databases.DisposeAsync().AsTask();

    [Fact]
    public async Task Create_DefaultConnectionString_RepeatedStatementIsPrepared()
    {
        Assert.True(await ProbeIsPreparedAsync(_connectionString));
    }

    [Fact]
    public async Task Create_ConnectionStringTurnsAutoPrepareOff_StatementIsNotPrepared()
    {
        Assert.False(await ProbeIsPreparedAsync(_connectionString + ";Max Auto Prepare=0"));
    }

    // Runs the probe often enough to pass the usage threshold on one physical connection, then asks that session.
    private static async Task<bool> ProbeIsPreparedAsync(string connectionString)
    {
        var onePhysicalConnection = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 1 }.ConnectionString;
        await using var database = Database.Create(StoreEngine.Postgres, onePhysicalConnection);
        for (var i = 0; i < 5; i++)
        {
            await using var connection = await database.OpenAsync();
            await connection.ExecuteScalarAsync<long>(Probe, new { name = "pg_class" });
        }

        await using var session = await database.OpenAsync();
        var prepared = await session.QueryAsync<string>("SELECT statement FROM pg_prepared_statements");
        return prepared.Any(s => s.Contains("FROM pg_class WHERE relname", StringComparison.Ordinal));
    }
}
