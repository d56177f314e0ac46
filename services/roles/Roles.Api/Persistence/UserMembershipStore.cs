using System.Data.Common;
using Dapper;
using Microservices.Roles.Api.Domain;
using Microservices.Roles.Api.Endpoints;
using Microservices.Roles.Api.Messaging;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Roles.Api.Persistence;

/// <summary>
/// One user's memberships across roles: the roles a user has, dropping all of them (user.deleted), and the per-user
/// version gate of users' lifecycle events.
/// </summary>
public sealed class UserMembershipStore(Database db, TimeProvider time, OutboxSignal signal)
{
    /// <summary>The user's roles that exist for SCIM; display is the role's externalId (the Group's displayName).</summary>
    public async Task<UserRolesResponse> RolesAsync(string tenant, string userId, CancellationToken cancellationToken)
    {
        var user = Input.UserIds([userId], "userId")[0];
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Id, string Display)>(new CommandDefinition(
            "SELECT r.id, r.external_id FROM memberships m JOIN roles r ON r.tenant_id = m.tenant_id AND r.id = m.role_id "
            + "WHERE m.tenant_id = @tenant AND m.user_id = @user AND r.external_id IS NOT NULL AND r.scim_detached = FALSE "
            + "ORDER BY r.external_id_norm, r.id",
            new { tenant, user },
            cancellationToken: cancellationToken));
        return new UserRolesResponse([.. rows.Select(r => new UserRole(r.Id, r.Display))]);
    }

    /// <summary>
    /// Drops every membership of one user in the tenant, whoever gave it, and bumps each affected role's version
    /// (<c>DELETE /internal/users/{id}/roles</c>). Idempotent: a second call removes nothing.
    /// </summary>
    public async Task<UserMembershipsRemovedResponse> RemoveUserAsync(string tenant, string userId, CancellationToken cancellationToken)
    {
        var user = Input.UserIds([userId], "userId")[0];
        var response = await db.InTransactionAsync(
            (connection, transaction) => RemoveUserAsync(connection, transaction, tenant, user, cancellationToken),
            cancellationToken);
        signal.Notify();
        return response;
    }

    /// <summary>
    /// Applies users' lifecycle event of one user (deleted or restored at <paramref name="version"/>) to the per-user
    /// gate, in the caller's transaction, and says whether the user's memberships must go now: a newer delete; or a
    /// newer restore when the delete that preceded it has not been applied (it is late, and will be ignored as
    /// stale), so the memberships given before the delete go either way and any order ends as the in-order one does.
    /// A stale event (or a copy of the last one) changes nothing. Lock order: this user's gate row, then (in the
    /// removal) roles by id; nothing else locks user_versions, so no deadlock is added.
    /// </summary>
    public async Task<bool> ApplyUserLifecycleAsync(DbConnection connection, DbTransaction transaction, string tenant, string user, long version, bool deleted, CancellationToken cancellationToken)
    {
        var now = time.Micros();

        // A user roles has heard nothing of is live at version 0. Inserting that first gives the row lock below
        // something to lock, so two events of one user take turns and the second sees the first's outcome.
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO user_versions (tenant_id, user_id, version, deleted, updated_at) VALUES (@tenant, @user, 0, @live, @now) ON CONFLICT (tenant_id, user_id) DO NOTHING",
            new { tenant, user, live = false, now },
            transaction,
            cancellationToken: cancellationToken));
        var (storedVersion, storedDeleted) = await connection.QuerySingleAsync<(long Version, long Deleted)>(new CommandDefinition(
            $"SELECT version, CASE WHEN deleted THEN 1 ELSE 0 END FROM user_versions WHERE tenant_id = @tenant AND user_id = @user{db.ForUpdate}",
            new { tenant, user },
            transaction,
            cancellationToken: cancellationToken));
        if (storedVersion >= version)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE user_versions SET version = @version, deleted = @deleted, updated_at = @now WHERE tenant_id = @tenant AND user_id = @user",
            new { tenant, user, version, deleted, now },
            transaction,
            cancellationToken: cancellationToken));
        return deleted || storedDeleted == 0;
    }

    /// <summary>The removal inside a caller's transaction (the user.deleted consumer's, with its inbox row).</summary>
    public async Task<UserMembershipsRemovedResponse> RemoveUserAsync(DbConnection connection, DbTransaction transaction, string tenant, string user, CancellationToken cancellationToken)
    {
        var now = time.Micros();
        // Roles first, in id order: a group PATCH locks its role before its memberships, so taking the same
        // order here cannot deadlock with it, nor with another user's removal.
        await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM roles WHERE tenant_id = @tenant AND id IN (SELECT role_id FROM memberships WHERE tenant_id = @tenant AND user_id = @user) "
            + $"ORDER BY id{db.ForUpdate}",
            new { tenant, user },
            transaction,
            cancellationToken: cancellationToken));
        var roleIds = (await connection.QueryAsync<string>(new CommandDefinition(
            "DELETE FROM memberships WHERE tenant_id = @tenant AND user_id = @user RETURNING role_id",
            new { tenant, user },
            transaction,
            cancellationToken: cancellationToken))).Distinct(StringComparer.Ordinal).ToArray();
        if (roleIds.Length > 0)
        {
            var parameters = new DynamicParameters(new { tenant, now });
            var source = SetSql.Values(db, parameters, "roleIds", roleIds);
            var bumped = await connection.QueryAsync<RoleRow>(new CommandDefinition(
                $"UPDATE roles SET version = version + 1, last_modified = @now WHERE tenant_id = @tenant AND id IN (SELECT value FROM {source}) "
                + $"RETURNING {RoleRows.Columns}",
                parameters,
                transaction,
                cancellationToken: cancellationToken));
            foreach (var row in bumped)
            {
                await RoleEvents.MembershipsAsync(connection, transaction, tenant, row, [], [user], exclusive: false, displayChanged: false, cancellationToken);
            }
        }

        return new UserMembershipsRemovedResponse(roleIds.Length);
    }
}
