using System.Data.Common;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;
using Microservices.Users.Api.Persistence;

namespace Microservices.Users.Api.Messaging;

/// <summary>roles' membership.changed.v1 as users reads it (docs/events.md).</summary>
public sealed record MembershipChanged(
    string TenantId,
    string RoleId,
    string? Display,
    IReadOnlyList<string>? Added,
    IReadOnlyList<string>? Removed,
    bool Exclusive,
    bool DisplayChanged);

/// <summary>roles' role.renamed.v1.</summary>
public sealed record RoleRenamed(string TenantId, string RoleId, string Display);

/// <summary>roles' role.deleted.v1.</summary>
public sealed record RoleDeleted(string TenantId, string RoleId);

/// <summary>
/// The user_roles projection. Every row keeps the role version at which it last changed (source_version) and a removal
/// is a tombstone, so each statement applies only where the row is older than the event: a late "added" cannot undo
/// a newer "removed", and a redelivery changes nothing even without the inbox.
/// </summary>
public static class RoleMembershipEventHandlers
{
    public const string Consumer = UsersApp.ServiceName + ":" + Topics.RoleMemberships;

    public static async Task<IResult> HandleAsync(IncomingEvent incoming, Database database, TimeProvider clock, CancellationToken cancellationToken)
    {
        Func<DbConnection, DbTransaction, long, Task> effect = incoming.Type switch
        {
            "membership.changed.v1" => Changed(database, incoming, Valid(incoming.PayloadAs<MembershipChanged>(), p => (p.TenantId, p.RoleId)), cancellationToken),
            "role.renamed.v1" => Renamed(incoming, Valid(incoming.PayloadAs<RoleRenamed>(), p => (p.TenantId, p.RoleId)), cancellationToken),
            "role.deleted.v1" => Deleted(incoming, Valid(incoming.PayloadAs<RoleDeleted>(), p => (p.TenantId, p.RoleId)), cancellationToken),
            _ => throw new EventPayloadException($"unknown event type {incoming.Type}"),
        };

        var now = UnixMicros.Now(clock);
        await database.ProcessOnceAsync(Consumer, incoming, (connection, transaction) => effect(connection, transaction, now), cancellationToken);
        return EventResults.Success();
    }

    private static T Valid<T>(T payload, Func<T, (string? Tenant, string? Role)> keys)
    {
        var (tenant, role) = keys(payload);
        return string.IsNullOrEmpty(tenant) || string.IsNullOrEmpty(role)
            ? throw new EventPayloadException("the payload needs tenantId and roleId")
            : payload;
    }

    private static Func<DbConnection, DbTransaction, long, Task> Changed(Database database, IncomingEvent incoming, MembershipChanged change, CancellationToken cancellationToken) =>
        async (connection, transaction, now) =>
        {
            var version = incoming.AggregateVersion;
            var added = (change.Added ?? []).Where(id => !string.IsNullOrEmpty(id)).Distinct(StringComparer.Ordinal).ToArray();
            var removed = (change.Removed ?? []).Where(id => !string.IsNullOrEmpty(id)).Except(added, StringComparer.Ordinal).Distinct(StringComparer.Ordinal).ToArray();

            // A role that does not exist for SCIM (no display) shows on nobody: its members are recorded as tombstones.
            await UpsertAsync(database, connection, transaction, change, added, removed: change.Display is null, version, now, cancellationToken);
            await UpsertAsync(database, connection, transaction, change, removed, removed: true, version, now, cancellationToken);

            // The rows written above are at this version now, so the role-wide statements leave them alone.
            if (change.Exclusive)
            {
                await RoleWideAsync(connection, transaction, change.TenantId, change.RoleId, display: null, version, now, cancellationToken);
            }
            else if (change.DisplayChanged && change.Display is not null)
            {
                await RoleWideAsync(connection, transaction, change.TenantId, change.RoleId, change.Display, version, now, cancellationToken);
            }
        };

    private static Func<DbConnection, DbTransaction, long, Task> Renamed(IncomingEvent incoming, RoleRenamed renamed, CancellationToken cancellationToken) =>
        (connection, transaction, now) => RoleWideAsync(connection, transaction, renamed.TenantId, renamed.RoleId, renamed.Display ?? "", incoming.AggregateVersion, now, cancellationToken);

    private static Func<DbConnection, DbTransaction, long, Task> Deleted(IncomingEvent incoming, RoleDeleted deleted, CancellationToken cancellationToken) =>
        (connection, transaction, now) => RoleWideAsync(connection, transaction, deleted.TenantId, deleted.RoleId, display: null, incoming.AggregateVersion, now, cancellationToken);

    private static async Task UpsertAsync(Database database, DbConnection connection, DbTransaction transaction, MembershipChanged change, string[] userIds, bool removed, long version, long now, CancellationToken cancellationToken)
    {
        if (userIds.Length == 0)
        {
            return;
        }

        // One statement for the whole list (a 1,000-member PATCH is one event and one INSERT). "WHERE TRUE" keeps
        // SQLite from reading ON CONFLICT as a join constraint of the SELECT.
        var rows = database.IsPostgres ? "unnest(@ids) AS s(value)" : "json_each(@ids)";
        await using var upsert = connection.Command(
            transaction,
            $"""
            INSERT INTO user_roles (tenant_id, user_id, role_id, role_display, removed, source_version, updated_at)
            SELECT @tenant, value, @role, @display, @removed, @version, @now FROM {rows} WHERE TRUE
            ON CONFLICT (tenant_id, user_id, role_id) DO UPDATE SET
                role_display = excluded.role_display, removed = excluded.removed,
                source_version = excluded.source_version, updated_at = excluded.updated_at
            WHERE user_roles.source_version < excluded.source_version
            """)
            .With("tenant", change.TenantId).With("role", change.RoleId).With("display", change.Display ?? "")
            .With("removed", removed).With("version", version).With("now", now);
        IdSet.Bind(database, upsert, "ids", userIds);
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Every older row of the role: takes <paramref name="display"/>, or becomes a tombstone when it is null.</summary>
    private static async Task RoleWideAsync(DbConnection connection, DbTransaction transaction, string tenant, string role, string? display, long version, long now, CancellationToken cancellationToken)
    {
        await using var update = connection.Command(
            transaction,
            display is null
                ? "UPDATE user_roles SET removed = @true, source_version = @version, updated_at = @now WHERE tenant_id = @tenant AND role_id = @role AND source_version < @version"
                : "UPDATE user_roles SET role_display = @display, source_version = @version, updated_at = @now WHERE tenant_id = @tenant AND role_id = @role AND source_version < @version")
            .With("tenant", tenant).With("role", role).With("version", version).With("now", now).With("true", true);
        if (display is not null)
        {
            update.With("display", display);
        }

        await update.ExecuteNonQueryAsync(cancellationToken);
    }
}
