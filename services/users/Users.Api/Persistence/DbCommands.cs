using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Microservices.Users.Api.Persistence;

/// <summary>Small helpers so every statement is parameterised the same way on both engines.</summary>
internal static class DbCommands
{
    public static DbCommand Command(this DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>
    /// Adds <c>@name</c>. The DbType comes from <typeparamref name="T"/>, so a null still carries its type (PostgreSQL
    /// must know that a null in <c>excluded.version &gt; …</c> is a bigint).
    /// </summary>
    public static DbCommand With<T>(this DbCommand command, string name, T value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = (object?)value ?? DBNull.Value;
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (type == typeof(string))
        {
            parameter.DbType = DbType.String;
        }
        else if (type == typeof(long))
        {
            parameter.DbType = DbType.Int64;
        }
        else if (type == typeof(int))
        {
            parameter.DbType = DbType.Int32;
        }
        else if (type == typeof(bool))
        {
            parameter.DbType = DbType.Boolean;
        }

        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>Adds an untyped parameter whose value decides its type (filter literals, keyset values).</summary>
    public static DbCommand WithValue(this DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return command;
    }

    public static string? NullableString(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? NullableInt64(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static bool? NullableBoolean(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetBoolean(ordinal);

    /// <summary>
    /// SQLite's built-in lower() folds ASCII only; filters and sorts compare case-insensitively with the same
    /// invariant folding the stored norm columns use, so SQLite connections get it as <c>scim_lower</c>.
    /// </summary>
    public static void RegisterFunctions(DbConnection connection)
    {
        if (connection is SqliteConnection sqlite)
        {
            sqlite.CreateFunction<string?, string?>("scim_lower", s => s?.ToLowerInvariant(), isDeterministic: true);
        }
    }
}
