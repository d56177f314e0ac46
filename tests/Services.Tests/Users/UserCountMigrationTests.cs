using System.Data.Common;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Users.Api;

namespace Microservices.Services.Tests.Users;

/// <summary>
/// Migration 003 splits the per-tenant user counter into shards. A database written before it (one row per tenant)
/// must keep its totals, and the new key must take one row per shard.
/// </summary>
public abstract class UserCountMigrationTests(StoreEngine engine) : IAsyncLifetime
{
    private TestStores _stores = null!;
    private Database _database = null!;

    public async Task InitializeAsync()
    {
        _stores = TestStores.Create(engine);
        _database = Database.Create(engine, await _stores.CreateAsync(UsersApp.ServiceName));
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        await _stores.DisposeAsync();
    }

    [Fact]
    public async Task Migration003_KeepsEachTenantsCount_AndTakesOneRowPerShard()
    {
        await ExecuteAsync("CREATE TABLE tenant_user_counts (tenant_id TEXT NOT NULL PRIMARY KEY, users BIGINT NOT NULL)");
        await ExecuteAsync("INSERT INTO tenant_user_counts (tenant_id, users) VALUES ('a', 41), ('b', 7)");

        await ExecuteAsync(Script());
        await ExecuteAsync("INSERT INTO tenant_user_counts (tenant_id, shard, users) VALUES ('a', 3, 2)");
        await ExecuteAsync("""
            INSERT INTO tenant_user_counts (tenant_id, shard, users) VALUES ('b', 0, -1)
            ON CONFLICT (tenant_id, shard) DO UPDATE SET users = tenant_user_counts.users + excluded.users
            """);

        Assert.Equal(43L, await TotalAsync("a"));
        Assert.Equal(6L, await TotalAsync("b"));
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync("INSERT INTO tenant_user_counts (tenant_id, shard, users) VALUES ('a', 3, 1)"));
    }

    private string Script()
    {
        var assembly = typeof(UsersApp).Assembly;
        var folder = engine == StoreEngine.Postgres ? ".postgres." : ".sqlite.";
        var name = assembly.GetManifestResourceNames().Single(n => n.Contains(folder, StringComparison.Ordinal) && n.EndsWith("003_user_count_shards.sql", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    }

    private Task ExecuteAsync(string sql) => _database.InTransactionAsync(async (connection, transaction) =>
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    });

    private async Task<long> TotalAsync(string tenant)
    {
        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COALESCE(SUM(users), 0) FROM tenant_user_counts WHERE tenant_id = '{tenant}'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class UserCountMigrationTestsOnSqlite() : UserCountMigrationTests(StoreEngine.Sqlite);

public sealed class UserCountMigrationTestsOnPostgres() : UserCountMigrationTests(StoreEngine.Postgres);
