using Dapper;
using Microservices.Roles.Api.Domain;
using Microservices.Roles.Api.Endpoints;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Roles.Api.Persistence;

/// <summary>One user's memberships across roles: the roles a user has, and dropping all of them (user.deleted).</summary>
public sealed class UserMembershipStore(Database db, TimeProvider time)
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
    /// Drops every membership of one user in the tenant, whoever gave it, and bumps each affected role's version. The
    /// later consumer of users' <c>user.deleted</c> event calls this (idempotent: a redelivery removes nothing).
    /// </summary>
    public async Task<UserMembershipsRemovedResponse> RemoveUserAsync(string tenant, string userId, CancellationToken cancellationToken)
    {
        var user = Input.UserIds([userId], "userId")[0];
        var now = time.Micros();
        return await db.InTransactionAsync(
            async (connection, transaction) =>
            {
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
                    await connection.ExecuteAsync(new CommandDefinition(
                        $"UPDATE roles SET version = version + 1, last_modified = @now WHERE tenant_id = @tenant AND id IN (SELECT value FROM {source})",
                        parameters,
                        transaction,
                        cancellationToken: cancellationToken));
                    // Outbox: membership.removed (one per role in roleIds) goes here, in this transaction.
                }

                return new UserMembershipsRemovedResponse(roleIds.Length);
            },
            cancellationToken);
    }
}
