using System.Data.Common;
using System.Text.Json;
using Dapper;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Roles.Api.Persistence;

/// <summary>
/// Sets of values as one parameter, so a membership change of any size is one statement whose cost depends on the
/// change, never on the group. PostgreSQL takes a text[] (<c>unnest</c>, <c>= ANY</c>); SQLite a JSON array
/// (<c>json_each</c>). Both expose the values as a column named <c>value</c>.
/// </summary>
public static class SetSql
{
    /// <summary>Adds <paramref name="values"/> as parameter <paramref name="name"/>; returns a FROM item with column <c>value</c>.</summary>
    public static string Values(Database db, DynamicParameters parameters, string name, string[] values)
    {
        if (db.IsPostgres)
        {
            parameters.Add(name, values);
            return $"unnest(@{name}) AS s(value)";
        }

        parameters.Add(name, JsonSerializer.Serialize(values));
        return $"json_each(@{name})";
    }

    /// <summary>Two parallel lists as a FROM item with columns <c>a</c> and <c>b</c>.</summary>
    public static string Pairs(Database db, DynamicParameters parameters, string name, string[] a, string[] b)
    {
        if (db.IsPostgres)
        {
            parameters.Add(name + "_a", a);
            parameters.Add(name + "_b", b);
            return $"unnest(@{name}_a, @{name}_b) AS s(a, b)";
        }

        parameters.Add(name, JsonSerializer.Serialize(a.Zip(b, (x, y) => new[] { x, y })));
        return $"(SELECT json_extract(value, '$[0]') AS a, json_extract(value, '$[1]') AS b FROM json_each(@{name}))";
    }

    /// <summary>Adds members; those already there are left as they are (Entra re-sends existing members). Returns how many were new.</summary>
    public static Task<int> AddMembersAsync(Database db, DbConnection connection, DbTransaction transaction, string tenant, string roleId, string[] userIds, string source, long now, CancellationToken cancellationToken)
    {
        if (userIds.Length == 0)
        {
            return Task.FromResult(0);
        }

        var parameters = new DynamicParameters(new { tenant, roleId, source, now });
        // "WHERE TRUE" keeps SQLite's parser from reading ON CONFLICT as a join constraint.
        var sql = "INSERT INTO memberships (tenant_id, role_id, user_id, source, created) "
            + $"SELECT @tenant, @roleId, value, @source, @now FROM {Values(db, parameters, "ids", userIds)} WHERE TRUE "
            + "ON CONFLICT (tenant_id, role_id, user_id) DO NOTHING";
        return connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Removes members; those already gone are no-ops. Returns how many were removed.</summary>
    public static Task<int> RemoveMembersAsync(Database db, DbConnection connection, DbTransaction transaction, string tenant, string roleId, string[] userIds, CancellationToken cancellationToken)
    {
        if (userIds.Length == 0)
        {
            return Task.FromResult(0);
        }

        var parameters = new DynamicParameters(new { tenant, roleId });
        string sql;
        if (db.IsPostgres)
        {
            parameters.Add("ids", userIds);
            sql = "DELETE FROM memberships WHERE tenant_id = @tenant AND role_id = @roleId AND user_id = ANY(@ids)";
        }
        else
        {
            sql = $"DELETE FROM memberships WHERE tenant_id = @tenant AND role_id = @roleId AND user_id IN (SELECT value FROM {Values(db, parameters, "ids", userIds)})";
        }

        return connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Makes the members exactly <paramref name="userIds"/>: deletes the ones not in it and inserts the missing ones,
    /// leaving the members present in both untouched (their source and created survive). Returns (added, removed).
    /// </summary>
    public static async Task<(int Added, int Removed)> ReplaceMembersAsync(Database db, DbConnection connection, DbTransaction transaction, string tenant, string roleId, string[] userIds, string source, long now, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters(new { tenant, roleId });
        // NOT IN over a subquery becomes a hashed anti-join on both engines (a NOT = ANY over an array would not).
        var sql = "DELETE FROM memberships WHERE tenant_id = @tenant AND role_id = @roleId "
            + $"AND user_id NOT IN (SELECT value FROM {Values(db, parameters, "ids", userIds)})";
        var removed = await connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
        var added = await AddMembersAsync(db, connection, transaction, tenant, roleId, userIds, source, now, cancellationToken);
        return (added, removed);
    }

    public static async Task<IReadOnlyList<string>> MembersAsync(DbConnection connection, DbTransaction? transaction, string tenant, string roleId, CancellationToken cancellationToken) =>
        [.. await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT user_id FROM memberships WHERE tenant_id = @tenant AND role_id = @roleId ORDER BY user_id",
            new { tenant, roleId },
            transaction,
            cancellationToken: cancellationToken))];
}
