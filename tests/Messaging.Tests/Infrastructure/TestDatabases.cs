using Microservices.ServiceDefaults.Storage;
using Npgsql;

namespace Microservices.Messaging.Tests.Infrastructure;

/// <summary>
/// Fresh databases for one test: SQLite files in a temp folder, or databases on the PostgreSQL server named by
/// <c>SCIM_TEST_POSTGRES</c> (a missing server fails the PostgreSQL tests, it does not skip them).
/// </summary>
public sealed class TestDatabases : IAsyncDisposable
{
    public const string PostgresVariable = "SCIM_TEST_POSTGRES";

    private readonly List<string> _postgresDatabases = [];
    private readonly string _sqliteFolder = Path.Combine(Path.GetTempPath(), "messaging-tests", Guid.NewGuid().ToString("N"));

    public TestDatabases(StoreEngine engine)
    {
        Engine = engine;
        if (engine == StoreEngine.Sqlite)
        {
            Directory.CreateDirectory(_sqliteFolder);
        }
    }

    public StoreEngine Engine { get; }

    public string EngineName => Engine == StoreEngine.Postgres ? "postgres" : "sqlite";

    private static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{PostgresVariable} is not set; scripts/test.sh starts PostgreSQL and sets it.");

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateAsync(string name)
    {
        if (Engine == StoreEngine.Sqlite)
        {
            return $"Data Source={Path.Combine(_sqliteFolder, name + ".db")}";
        }

        var database = $"m_{Guid.NewGuid():N}_{name}";
        database = database.Length > 40 ? database[..40] : database;
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        _postgresDatabases.Add(database);
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database, MaxPoolSize = 20 }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgresDatabases.Count > 0)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync();
            foreach (var name in _postgresDatabases)
            {
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        if (Engine == StoreEngine.Sqlite)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_sqliteFolder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a host that is shutting down; the OS cleans the temp folder eventually.
            }
        }
    }
}
