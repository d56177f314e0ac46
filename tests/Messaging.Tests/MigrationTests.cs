using Dapper;
using Microservices.Messaging.Tests.Infrastructure;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microservices.Messaging.Tests;

/// <summary>The service's migrations and the messaging library's keep separate version sequences in one bookkeeping table.</summary>
public abstract class MigrationTests(StoreEngine engine) : IAsyncLifetime
{
    private static readonly MigrationSource[] _sources =
    [
        new(MigrationSource.ServiceComponent, typeof(TestHosts).Assembly),
        new(MessagingExtensions.MigrationComponent, typeof(Outbox).Assembly, "Microservices.ServiceDefaults.Messaging.Migrations"),
    ];

    private readonly TestDatabases _databases = new(engine);
    private Database? _database;

    private Database Db => _database!;

    public async Task InitializeAsync() => _database = Database.Create(engine, await _databases.CreateAsync("migrations"));

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        await _databases.DisposeAsync();
    }

    [Fact]
    public async Task Apply_ServiceAndMessaging_EachComponentVersionedOnceAndReapplyIsNoOp()
    {
        var first = await MigrationRunner.ApplyAsync(Db, _sources, NullLogger.Instance);
        var second = await MigrationRunner.ApplyAsync(Db, _sources, NullLogger.Instance);

        Assert.Equal((3, 0), (first, second));
        Assert.Equal([("messaging", 1, "messaging"), ("messaging", 2, "trace_state"), ("service", 1, "widgets")], await AppliedAsync());
        await using var connection = await Db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM widgets"));
    }

    [Fact]
    public async Task Apply_LegacyBookkeepingTable_KeepsServiceHistoryAndAddsMessaging()
    {
        // A database migrated before components existed: its service scripts ran and were recorded by version alone.
        await MigrationRunner.ApplyAsync(Db, [_sources[0]], NullLogger.Instance);
        await using (var connection = await Db.OpenAsync())
        {
            await connection.ExecuteAsync("DROP TABLE schema_migrations");
            await connection.ExecuteAsync("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
            await connection.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'widgets', '2026-01-01T00:00:00Z')");
        }

        var applied = await MigrationRunner.ApplyAsync(Db, _sources, NullLogger.Instance);

        Assert.Equal(2, applied);
        Assert.Equal([("messaging", 1, "messaging"), ("messaging", 2, "trace_state"), ("service", 1, "widgets")], await AppliedAsync());
    }

    private async Task<List<(string, int, string)>> AppliedAsync()
    {
        await using var connection = await Db.OpenAsync();
        var rows = await connection.QueryAsync<(string, long, string)>("SELECT component, CAST(version AS BIGINT), name FROM schema_migrations ORDER BY component, version");
        return [.. rows.Select(r => (r.Item1, (int)r.Item2, r.Item3))];
    }
}

public sealed class MigrationTestsOnSqlite() : MigrationTests(StoreEngine.Sqlite);

public sealed class MigrationTestsOnPostgres() : MigrationTests(StoreEngine.Postgres);
