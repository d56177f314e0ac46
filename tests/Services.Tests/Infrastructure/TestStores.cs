using Microservices.ServiceDefaults.Storage;
using Npgsql;

namespace Microservices.Services.Tests.Infrastructure;

/// <summary>
/// Fresh, empty databases for one test system: a SQLite file per service in a temp folder, or a PostgreSQL
/// database per service on the server named by <c>SCIM_TEST_POSTGRES</c> (scripts/test.sh starts one).
/// </summary>
public sealed class TestStores : IAsyncDisposable
{
    public const string PostgresVariable = "SCIM_TEST_POSTGRES";

    private readonly List<string> _postgresDatabases = [];
    private readonly string? _sqliteFolder;
    private readonly string? _adminConnectionString;

    private TestStores(StoreEngine engine, string? sqliteFolder, string? adminConnectionString)
    {
        Engine = engine;
        _sqliteFolder = sqliteFolder;
        _adminConnectionString = adminConnectionString;
    }

    public StoreEngine Engine { get; }

    public static TestStores Create(StoreEngine engine)
    {
        if (engine == StoreEngine.Sqlite)
        {
            var folder = Path.Combine(Path.GetTempPath(), "scim-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            return new TestStores(engine, folder, null);
        }

        // In CI a missing server is a failure, not a skip: the PostgreSQL half of the suite must run.
        var admin = Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(admin))
        {
            throw new InvalidOperationException($"{PostgresVariable} is not set; run the tests with scripts/test.sh, which starts PostgreSQL.");
        }

        return new TestStores(engine, null, admin);
    }

    public string EngineName => Engine == StoreEngine.Postgres ? "postgres" : "sqlite";

    /// <summary>Creates an empty database for <paramref name="service"/> and returns its connection string.</summary>
    public async Task<string> CreateAsync(string service)
    {
        if (Engine == StoreEngine.Sqlite)
        {
            return $"Data Source={Path.Combine(_sqliteFolder!, service + ".db")}";
        }

        var name = $"t_{Guid.NewGuid():N}_{service.Replace('-', '_')}"[..40];
        await using (var connection = new NpgsqlConnection(_adminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        _postgresDatabases.Add(name);
        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name, MaxPoolSize = 50 }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_adminConnectionString is not null)
        {
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            foreach (var name in _postgresDatabases)
            {
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        if (_sqliteFolder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_sqliteFolder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a stopping host; the temp folder is cleaned by the OS eventually.
            }
        }
    }
}
