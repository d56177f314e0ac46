using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Microservices.ServiceDefaults.Storage;

/// <summary>
/// One set of versioned migrations with its own version sequence: the service's own scripts, or a library's (the
/// messaging tables). Scripts are embedded resources named <c>{prefix}.{postgres|sqlite}.NNN_description.sql</c>;
/// without a prefix any resource under a <c>Migrations/{engine}/</c> folder of the assembly counts.
/// </summary>
public sealed record MigrationSource(string Component, Assembly Assembly, string? ResourcePrefix = null)
{
    /// <summary>The component name of the service's own migrations in <c>schema_migrations</c>.</summary>
    public const string ServiceComponent = "service";
}

/// <summary>
/// Applies versioned SQL migrations at start-up. Each <see cref="MigrationSource"/> keeps its own version sequence in
/// <c>schema_migrations (component, version)</c>; each script runs once, in order, and all pending scripts run in one
/// transaction with their bookkeeping rows. On PostgreSQL a transaction-scoped advisory lock makes two replicas
/// starting at once take turns; on SQLite the write transaction itself is the lock.
/// </summary>
public static class MigrationRunner
{
    // An arbitrary constant shared by every replica of every service (each service has its own database).
    private const long AdvisoryLockKey = 0x5C1A_0001;

    public static Task<int> ApplyAsync(Database database, Assembly assembly, ILogger logger, CancellationToken cancellationToken = default) =>
        ApplyAsync(database, [new MigrationSource(MigrationSource.ServiceComponent, assembly)], logger, cancellationToken);

    /// <summary>
    /// Applies every pending script of <paramref name="sources"/>: library components first, the service's own last,
    /// so a service script may rely on a library's tables.
    /// </summary>
    public static async Task<int> ApplyAsync(Database database, IEnumerable<MigrationSource> sources, ILogger logger, CancellationToken cancellationToken = default)
    {
        var ordered = sources
            .DistinctBy(s => s.Component, StringComparer.Ordinal)
            .OrderBy(s => s.Component == MigrationSource.ServiceComponent ? 1 : 0)
            .Select(s => (Source: s, Scripts: LoadScripts(s, database.Engine)))
            .ToList();

        return await database.InTransactionAsync(
            async (connection, transaction) =>
            {
                if (database.IsPostgres)
                {
                    await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken);
                }

                await EnsureBookkeepingAsync(database, connection, transaction, cancellationToken);

                var applied = new HashSet<(string, int)>();
                await using (var command = connection.CreateCommand())
                {
                    command.Transaction = transaction;
                    command.CommandText = "SELECT component, version FROM schema_migrations";
                    await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        applied.Add((reader.GetString(0), reader.GetInt32(1)));
                    }
                }

                var count = 0;
                foreach (var (source, scripts) in ordered)
                {
                    foreach (var (version, name, sql) in scripts.Where(s => !applied.Contains((source.Component, s.Version))))
                    {
                        await ExecuteAsync(connection, transaction, sql, cancellationToken);
                        await using var record = connection.CreateCommand();
                        record.Transaction = transaction;
                        record.CommandText = "INSERT INTO schema_migrations (component, version, name, applied_at) VALUES (@component, @version, @name, @at)";
                        AddParameter(record, "component", source.Component);
                        AddParameter(record, "version", version);
                        AddParameter(record, "name", name);
                        AddParameter(record, "at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                        await record.ExecuteNonQueryAsync(cancellationToken);
                        logger.LogInformation("Applied migration {Component} {Version} {Name}", source.Component, version, name);
                        count++;
                    }
                }

                return count;
            },
            cancellationToken);
    }

    private static async Task EnsureBookkeepingAsync(Database database, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        // A database created before components existed has schema_migrations(version PK, ...): its rows are the
        // service's own, so they move to the new shape under the service component.
        await using (var probe = connection.CreateCommand())
        {
            probe.Transaction = transaction;
            probe.CommandText = database.IsPostgres
                ? """
                  SELECT (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'),
                         (SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'schema_migrations' AND column_name = 'component')
                  """
                : """
                  SELECT (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'),
                         (SELECT COUNT(*) FROM pragma_table_info('schema_migrations') WHERE name = 'component')
                  """;
            await using var reader = await probe.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var tableExists = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture) > 0;
            var hasComponent = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture) > 0;
            await reader.CloseAsync();
            if (tableExists && !hasComponent)
            {
                await ExecuteAsync(connection, transaction, "ALTER TABLE schema_migrations RENAME TO schema_migrations_v0", cancellationToken);
                await CreateBookkeepingAsync(connection, transaction, cancellationToken);
                await ExecuteAsync(
                    connection,
                    transaction,
                    $"INSERT INTO schema_migrations (component, version, name, applied_at) SELECT '{MigrationSource.ServiceComponent}', version, name, applied_at FROM schema_migrations_v0",
                    cancellationToken);
                await ExecuteAsync(connection, transaction, "DROP TABLE schema_migrations_v0", cancellationToken);
                return;
            }
        }

        await CreateBookkeepingAsync(connection, transaction, cancellationToken);
    }

    private static Task CreateBookkeepingAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        ExecuteAsync(
            connection,
            transaction,
            "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (component, version))",
            cancellationToken);

    private static List<(int Version, string Name, string Sql)> LoadScripts(MigrationSource source, StoreEngine engine)
    {
        var engineFolder = engine == StoreEngine.Postgres ? "postgres" : "sqlite";
        var folder = source.ResourcePrefix is null ? $".Migrations.{engineFolder}." : $"{source.ResourcePrefix}.{engineFolder}.";
        var scripts = new List<(int, string, string)>();
        foreach (var resource in source.Assembly.GetManifestResourceNames().Where(n => IsScript(n, folder, source.ResourcePrefix is not null)))
        {
            var fileName = resource[(resource.IndexOf(folder, StringComparison.Ordinal) + folder.Length)..^4];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            if (separator <= 0 || !int.TryParse(fileName[..separator].TrimStart('_'), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration resource '{resource}' is not named NNN_description.sql.");
            }

            using var stream = source.Assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add((version, fileName[(separator + 1)..], reader.ReadToEnd()));
        }

        var duplicate = scripts.GroupBy(s => s.Item1).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations of component '{source.Component}' share version {duplicate.Key}.");
        }

        return [.. scripts.OrderBy(s => s.Item1)];
    }

    private static bool IsScript(string resource, string folder, bool prefixed) =>
        resource.EndsWith(".sql", StringComparison.Ordinal)
        && (prefixed ? resource.StartsWith(folder, StringComparison.Ordinal) : resource.Contains(folder, StringComparison.Ordinal));

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
