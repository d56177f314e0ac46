using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Microservices.ServiceDefaults.Storage;

/// <summary>
/// Applies a service's versioned SQL migrations at start-up. Scripts are embedded resources named
/// <c>Migrations/{postgres|sqlite}/NNN_description.sql</c>; each runs once, in order, in one transaction with its
/// bookkeeping row. On PostgreSQL a transaction-scoped advisory lock makes two replicas starting at once take turns;
/// on SQLite the write transaction itself is the lock.
/// </summary>
public static class MigrationRunner
{
    // An arbitrary constant shared by every replica of every service (each service has its own database).
    private const long AdvisoryLockKey = 0x5C1A_0001;

    public static async Task<int> ApplyAsync(Database database, Assembly assembly, ILogger logger, CancellationToken cancellationToken = default)
    {
        var scripts = LoadScripts(assembly, database.Engine);
        return await database.InTransactionAsync(
            async (connection, transaction) =>
            {
                if (database.IsPostgres)
                {
                    await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken);
                }

                await ExecuteAsync(
                    connection,
                    transaction,
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
                    cancellationToken);

                var applied = new HashSet<int>();
                await using (var command = connection.CreateCommand())
                {
                    command.Transaction = transaction;
                    command.CommandText = "SELECT version FROM schema_migrations";
                    await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        applied.Add(reader.GetInt32(0));
                    }
                }

                var count = 0;
                foreach (var (version, name, sql) in scripts.Where(s => !applied.Contains(s.Version)))
                {
                    await ExecuteAsync(connection, transaction, sql, cancellationToken);
                    await using var record = connection.CreateCommand();
                    record.Transaction = transaction;
                    record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)";
                    AddParameter(record, "version", version);
                    AddParameter(record, "name", name);
                    AddParameter(record, "at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                    await record.ExecuteNonQueryAsync(cancellationToken);
                    logger.LogInformation("Applied migration {Version} {Name}", version, name);
                    count++;
                }

                return count;
            },
            cancellationToken);
    }

    private static List<(int Version, string Name, string Sql)> LoadScripts(Assembly assembly, StoreEngine engine)
    {
        var folder = engine == StoreEngine.Postgres ? ".Migrations.postgres." : ".Migrations.sqlite.";
        var scripts = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.Contains(folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            var fileName = resource[(resource.IndexOf(folder, StringComparison.Ordinal) + folder.Length)..^4];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            if (separator <= 0 || !int.TryParse(fileName[..separator].TrimStart('_'), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration resource '{resource}' is not named NNN_description.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add((version, fileName[(separator + 1)..], reader.ReadToEnd()));
        }

        var duplicate = scripts.GroupBy(s => s.Item1).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations share version {duplicate.Key}.");
        }

        return [.. scripts.OrderBy(s => s.Item1)];
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
