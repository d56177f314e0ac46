using System.Data.Common;
using Microservices.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Microservices.OrgUnits.Api.Persistence;

/// <summary>
/// Fills a temporary staging table row by row without a round trip per row: PostgreSQL binary COPY, SQLite one
/// prepared INSERT reused inside the caller's transaction. Values are strings, longs or null.
/// </summary>
internal abstract class StagingWriter : IAsyncDisposable
{
    public static async Task<StagingWriter> StartAsync(Database database, DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns, CancellationToken cancellationToken)
    {
        if (database.IsPostgres)
        {
            var importer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync(
                $"COPY pg_temp.{table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)", cancellationToken);
            return new PostgresWriter(importer);
        }

        var command = (SqliteCommand)connection.CreateCommand();
        command.Transaction = (SqliteTransaction)transaction;
        command.CommandText = $"INSERT INTO temp.{table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
        var parameters = columns.Select((_, i) => command.Parameters.Add(new SqliteParameter("@p" + i, null))).ToArray();
        command.Prepare();
        return new SqliteWriter(command, parameters);
    }

    public abstract ValueTask WriteAsync(object?[] values, CancellationToken cancellationToken);

    /// <summary>Ends the COPY; without it (an exception, a dispose) PostgreSQL discards what was sent.</summary>
    public abstract ValueTask CompleteAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    private sealed class PostgresWriter(NpgsqlBinaryImporter importer) : StagingWriter
    {
        public override async ValueTask WriteAsync(object?[] values, CancellationToken cancellationToken)
        {
            await importer.StartRowAsync(cancellationToken);
            foreach (var value in values)
            {
                switch (value)
                {
                    case null:
                        await importer.WriteNullAsync(cancellationToken);
                        break;
                    case string text:
                        await importer.WriteAsync(text, NpgsqlDbType.Text, cancellationToken);
                        break;
                    case long number:
                        await importer.WriteAsync(number, NpgsqlDbType.Bigint, cancellationToken);
                        break;
                    default:
                        throw new ArgumentException($"unsupported staging value type {value.GetType()}", nameof(values));
                }
            }
        }

        public override async ValueTask CompleteAsync(CancellationToken cancellationToken) => await importer.CompleteAsync(cancellationToken);

        public override ValueTask DisposeAsync() => importer.DisposeAsync();
    }

    private sealed class SqliteWriter(SqliteCommand command, SqliteParameter[] parameters) : StagingWriter
    {
        public override ValueTask WriteAsync(object?[] values, CancellationToken cancellationToken)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }

            // Synchronous on purpose: Microsoft.Data.Sqlite has no real async I/O, its async methods only wrap these.
            command.ExecuteNonQuery();
            return ValueTask.CompletedTask;
        }

        public override ValueTask CompleteAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public override ValueTask DisposeAsync() => command.DisposeAsync();
    }
}
