using System.Data.Common;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.OrgUnits.Api.Persistence;

/// <summary>Small ADO.NET helpers: every value goes in as a parameter.</summary>
internal static class Sql
{
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string text, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        command.CommandTimeout = 300;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string text, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, text, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string text, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, text, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    /// <summary>The schema of the connection's temporary tables, used to qualify every reference to a staging table.</summary>
    public static string TempSchema(this Database database) => database.IsPostgres ? "pg_temp" : "temp";

    /// <summary>An index on a temporary table; the engines disagree on where the schema name goes.</summary>
    public static string TempIndex(this Database database, string name, string table, string columns) => database.IsPostgres
        ? $"CREATE INDEX {name} ON pg_temp.{table} ({columns})"
        : $"CREATE INDEX temp.{name} ON {table} ({columns})";

    /// <summary>Microseconds since the Unix epoch, UTC: how the service stores every time.</summary>
    public static long Microseconds(this TimeProvider time) => (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
}
