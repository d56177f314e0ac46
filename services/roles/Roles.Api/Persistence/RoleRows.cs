using System.Data;
using System.Data.Common;
using Dapper;
using Microservices.Roles.Api.Domain;
using Microservices.Roles.Api.Endpoints;
using Microservices.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;

namespace Microservices.Roles.Api.Persistence;

/// <summary>One row of <c>roles</c> as Dapper reads it (SQLite hands booleans back as integers).</summary>
public sealed class RoleRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string? ExternalId { get; set; }
    public string? GroupExternalId { get; set; }
    public string Origin { get; set; } = Origins.Admin;
    public bool ScimLinked { get; set; }
    public bool ScimDetached { get; set; }
    public long Version { get; set; }
    public long Created { get; set; }
    public long LastModified { get; set; }

    public GroupResponse ToGroup(IReadOnlyList<string>? members, bool? adopted = null) =>
        new(Id, ExternalId!, GroupExternalId, members, Version, Clock.FromMicros(Created), Clock.FromMicros(LastModified), adopted);
}

/// <summary>The SQL on <c>roles</c> and <c>role_permissions</c> that the admin and the SCIM-facing routes share.</summary>
public static class RoleRows
{
    public const string Columns =
        "id AS Id, name AS Name, external_id AS ExternalId, group_external_id AS GroupExternalId, origin AS Origin, "
        + "scim_linked AS ScimLinked, scim_detached AS ScimDetached, version AS Version, created AS Created, last_modified AS LastModified";

    /// <summary>A role exists for SCIM when it carries an external id and SCIM has not deleted (detached) it.</summary>
    public const string ScimVisible = "external_id IS NOT NULL AND scim_detached = FALSE";

    public static Task<RoleRow?> LoadAsync(Database db, DbConnection connection, DbTransaction? transaction, string tenant, string id, bool scimOnly, bool forUpdate, CancellationToken cancellationToken)
    {
        if (!Input.IsPlausibleId(id))
        {
            return Task.FromResult<RoleRow?>(null);
        }

        var sql = $"SELECT {Columns} FROM roles WHERE tenant_id = @tenant AND id = @id{(scimOnly ? " AND " + ScimVisible : "")}{(forUpdate ? db.ForUpdate : "")}";
        return connection.QuerySingleOrDefaultAsync<RoleRow>(new CommandDefinition(sql, new { tenant, id }, transaction, cancellationToken: cancellationToken));
    }

    public static async Task<RoleRow> LoadRequiredAsync(Database db, DbConnection connection, DbTransaction? transaction, string tenant, string id, bool scimOnly, bool forUpdate, CancellationToken cancellationToken) =>
        await LoadAsync(db, connection, transaction, tenant, id, scimOnly, forUpdate, cancellationToken)
        ?? throw ApiProblemException.NotFound(scimOnly ? $"Group {id} not found." : $"Role {id} not found.");

    public static async Task InsertAsync(DbConnection connection, DbTransaction transaction, string tenant, RoleRow row, CancellationToken cancellationToken)
    {
        const string sql =
            "INSERT INTO roles (tenant_id, id, name, external_id, external_id_norm, group_external_id, origin, scim_linked, scim_detached, version, created, last_modified) "
            + "VALUES (@tenant, @Id, @Name, @ExternalId, @norm, @GroupExternalId, @Origin, @ScimLinked, @ScimDetached, @Version, @Created, @LastModified)";
        var parameters = new DynamicParameters(row);
        parameters.Add("tenant", tenant);
        parameters.Add("norm", row.ExternalId is null ? null : Input.Normalise(row.ExternalId));
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Writes (inserts or overwrites) the given module values of one role in one statement.</summary>
    public static Task UpsertPermissionsAsync(Database db, DbConnection connection, DbTransaction transaction, string tenant, string roleId, IReadOnlyDictionary<string, string> permissions, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters(new { tenant, roleId });
        var source = SetSql.Pairs(db, parameters, "perm", [.. permissions.Keys], [.. permissions.Values]);
        var sql = "INSERT INTO role_permissions (tenant_id, role_id, module, access) "
            + $"SELECT @tenant, @roleId, a, b FROM {source} WHERE TRUE "
            + "ON CONFLICT (tenant_id, role_id, module) DO UPDATE SET access = excluded.access";
        return connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
    }

    public static async Task<Dictionary<string, Dictionary<string, string>>> LoadPermissionsAsync(DbConnection connection, DbTransaction? transaction, string tenant, string? roleId, CancellationToken cancellationToken)
    {
        var sql = "SELECT role_id AS RoleId, module AS Module, access AS Access FROM role_permissions WHERE tenant_id = @tenant"
            + (roleId is null ? "" : " AND role_id = @roleId");
        var rows = await connection.QueryAsync<(string RoleId, string Module, string Access)>(
            new CommandDefinition(sql, new { tenant, roleId }, transaction, cancellationToken: cancellationToken));
        var result = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (role, module, access) in rows)
        {
            if (!result.TryGetValue(role, out var map))
            {
                result[role] = map = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            map[module] = access;
        }

        return result;
    }

    /// <summary>Every module in the fixed order; a module with no stored row reads as Deny (least privilege).</summary>
    public static IReadOnlyDictionary<string, string> Complete(IReadOnlyDictionary<string, string>? stored)
    {
        var result = new Dictionary<string, string>(Modules.All.Count, StringComparer.Ordinal);
        foreach (var module in Modules.All)
        {
            result[module.Key] = stored?.GetValueOrDefault(module.Key) ?? Access.Deny;
        }

        return result;
    }

    /// <summary>Writes the mutable columns of <paramref name="row"/> and bumps its version, in one statement.</summary>
    public static async Task SaveAsync(DbConnection connection, DbTransaction transaction, string tenant, RoleRow row, long now, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE roles SET name = @Name, external_id = @ExternalId, external_id_norm = @norm, group_external_id = @GroupExternalId, "
            + "scim_linked = @ScimLinked, scim_detached = @ScimDetached, version = version + 1, last_modified = @now WHERE tenant_id = @tenant AND id = @Id",
            new { row.Name, row.ExternalId, norm = row.ExternalId is null ? null : Input.Normalise(row.ExternalId), row.GroupExternalId, row.ScimLinked, row.ScimDetached, now, tenant, row.Id },
            transaction,
            cancellationToken: cancellationToken));
        row.Version++;
        row.LastModified = now;
    }

    /// <summary>Records a change: every change bumps the version (the ETag) and lastModified.</summary>
    public static async Task<long> BumpAsync(DbConnection connection, DbTransaction transaction, string tenant, RoleRow row, long now, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE roles SET version = version + 1, last_modified = @now WHERE tenant_id = @tenant AND id = @id",
            new { tenant, id = row.Id, now },
            transaction,
            cancellationToken: cancellationToken));
        row.Version++;
        row.LastModified = now;
        return row.Version;
    }

    /// <summary>True when another role of the tenant already carries this external id (compared case-insensitively).</summary>
    public static async Task<bool> ExternalIdTakenAsync(DbConnection connection, DbTransaction transaction, string tenant, string externalId, string exceptId, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM roles WHERE tenant_id = @tenant AND external_id_norm = @norm AND id <> @exceptId",
            new { tenant, norm = Input.Normalise(externalId), exceptId },
            transaction,
            cancellationToken: cancellationToken)) > 0;

    /// <summary>
    /// A read that sees one snapshot (a list's count and its page agree). PostgreSQL: REPEATABLE READ; SQLite: a
    /// deferred transaction, which in WAL mode reads one snapshot without taking the writer's lock.
    /// </summary>
    public static async Task<T> ReadAsync<T>(Database db, Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = db.IsPostgres
            ? await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken)
            : ((SqliteConnection)connection).BeginTransaction(deferred: true);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Maps a unique-index violation on external_id_norm (a race the pre-check lost) to 409 uniqueness.</summary>
    public static async Task<T> UniqueExternalIdAsync<T>(Func<Task<T>> work, string field)
    {
        try
        {
            return await work();
        }
        catch (Exception exception) when (Database.IsUniqueViolation(exception))
        {
            throw ApiProblemException.Uniqueness(field, $"Another role already has this {field} (compared case-insensitively).");
        }
    }
}
