using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Microservices.ServiceDefaults.Storage;

/// <summary>
/// The service's own database: PostgreSQL in production, a SQLite file in local mode. Queries are written in the
/// SQL both engines share; <see cref="Engine"/> tells the few places that differ (row locks, DDL) which text to use.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private readonly DbDataSource _dataSource;

    // SQLite allows one writer per file. Serialising writers in the process avoids SQLITE_BUSY storms;
    // PostgreSQL needs no such gate (row locks and MVCC do the work).
    private readonly SemaphoreSlim? _sqliteWriteGate;

    private Database(StoreEngine engine, DbDataSource dataSource)
    {
        Engine = engine;
        _dataSource = dataSource;
        _sqliteWriteGate = engine == StoreEngine.Sqlite ? new SemaphoreSlim(1, 1) : null;
    }

    public StoreEngine Engine { get; }

    public bool IsPostgres => Engine == StoreEngine.Postgres;

    public static Database Create(StoreEngine engine, string connectionString)
    {
        if (engine == StoreEngine.Postgres)
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.EnableParameterLogging(false);
            UsePreparedStatements(builder.ConnectionStringBuilder, connectionString);
            return new Database(engine, builder.Build());
        }

        var csb = new SqliteConnectionStringBuilder(connectionString)
        {
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = 30,
        };
        if (!string.IsNullOrEmpty(csb.DataSource) && csb.DataSource != ":memory:")
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(csb.DataSource));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }

        var database = new Database(engine, SqliteFactory.Instance.CreateDataSource(csb.ConnectionString));
        using (var connection = database._dataSource.OpenConnection())
        using (var command = connection.CreateCommand())
        {
            // WAL lets readers run beside the single writer; it is a property of the file and persists.
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
            command.ExecuteNonQuery();
        }

        return database;
    }

    /// <summary>
    /// Every request runs the same few statements, and PostgreSQL planned each one every time: planning cost 3–5×
    /// the execution of an indexed lookup (docs/performance.md). Npgsql's automatic preparation keeps the plans per
    /// pooled connection. The sessions carry no state of their own (the migration lock is transaction-scoped), so the
    /// reset on return to the pool is skipped too. A connection string that names either setting keeps its value.
    /// </summary>
    private static void UsePreparedStatements(NpgsqlConnectionStringBuilder settings, string connectionString)
    {
        // Npgsql's own builder answers ContainsKey for every keyword it knows; the plain one holds only what was given.
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant())
            .ToHashSet();
        if (!given.Contains("MAXAUTOPREPARE"))
        {
            settings.MaxAutoPrepare = 64;
            settings.AutoPrepareMinUsages = 2;
        }

        if (!given.Contains("NORESETONCLOSE"))
        {
            settings.NoResetOnClose = true;
        }
    }

    public async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        if (Engine == StoreEngine.Sqlite)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout=30000;";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction, committed only if it returns normally.</summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        if (_sqliteWriteGate is not null)
        {
            await _sqliteWriteGate.WaitAsync(cancellationToken);
        }

        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            _sqliteWriteGate?.Release();
        }
    }

    public Task InTransactionAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken = default) =>
        InTransactionAsync<bool>(
            async (c, t) =>
            {
                await work(c, t);
                return true;
            },
            cancellationToken);

    /// <summary>The row-lock suffix for a <c>SELECT</c> inside a write transaction; SQLite's writer lock already covers it.</summary>
    public string ForUpdate => IsPostgres ? " FOR UPDATE" : string.Empty;

    /// <summary>
    /// <see cref="ForUpdate"/> for the rows of one table of a join (PostgreSQL refuses a plain FOR UPDATE when the
    /// query has an outer join).
    /// </summary>
    public string ForUpdateOf(string alias) => IsPostgres ? " FOR UPDATE OF " + alias : string.Empty;

    /// <summary>Claims rows that no other replica holds (outbox relays); SQLite has one process per file.</summary>
    public string ForUpdateSkipLocked => IsPostgres ? " FOR UPDATE SKIP LOCKED" : string.Empty;

    /// <summary>True when the exception is a unique-constraint violation, on either engine.</summary>
    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        _sqliteWriteGate?.Dispose();
    }
}
