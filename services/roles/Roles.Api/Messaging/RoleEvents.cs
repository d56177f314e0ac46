using System.Data.Common;
using Microservices.Roles.Api.Persistence;
using Microservices.ServiceDefaults.Messaging;

namespace Microservices.Roles.Api.Messaging;

/// <summary>
/// Members of a role changed (docs/events.md). One event per role change however many users it touches, applied
/// set-based by users. <paramref name="Display"/> is the role's SCIM display (its external id), null when the role does
/// not exist for SCIM. <paramref name="Exclusive"/>: <paramref name="Added"/> is the whole member set and everyone else
/// is removed. <paramref name="DisplayChanged"/>: the same change renamed the role, so every row takes the display.
/// </summary>
public sealed record MembershipChanged(
    string TenantId,
    string RoleId,
    string? Display,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    bool Exclusive,
    bool DisplayChanged);

/// <summary>The role's SCIM display (external id) changed; its members did not.</summary>
public sealed record RoleRenamed(string TenantId, string RoleId, string Display);

/// <summary>The role no longer exists for SCIM: deleted, detached, or its external id cleared.</summary>
public sealed record RoleDeleted(string TenantId, string RoleId);

/// <summary>
/// Every role write announces exactly one event at the role's new version: consumers gate by that version per
/// (user, role) row, so two events of one version would make the second look stale.
/// </summary>
public static class RoleEvents
{
    public const string MembershipChangedType = "membership.changed.v1";
    public const string RoleRenamedType = "role.renamed.v1";
    public const string RoleDeletedType = "role.deleted.v1";

    public static string? Display(RoleRow row) => row.ScimDetached ? null : row.ExternalId;

    public static Task MembershipsAsync(
        DbConnection connection,
        DbTransaction transaction,
        string tenant,
        RoleRow row,
        IEnumerable<string> added,
        IEnumerable<string> removed,
        bool exclusive,
        bool displayChanged,
        CancellationToken cancellationToken)
    {
        var addedSet = added.Distinct(StringComparer.Ordinal).ToArray();
        var removedSet = removed.Except(addedSet, StringComparer.Ordinal).Distinct(StringComparer.Ordinal).ToArray();
        return EnqueueAsync(
            connection,
            transaction,
            row.Id,
            row.Version,
            MembershipChangedType,
            new MembershipChanged(tenant, row.Id, Display(row), addedSet, removedSet, exclusive, displayChanged),
            cancellationToken);
    }

    public static Task RenamedAsync(DbConnection connection, DbTransaction transaction, string tenant, RoleRow row, CancellationToken cancellationToken) =>
        Display(row) is { } display
            ? EnqueueAsync(connection, transaction, row.Id, row.Version, RoleRenamedType, new RoleRenamed(tenant, row.Id, display), cancellationToken)
            : DeletedAsync(connection, transaction, tenant, row.Id, row.Version, cancellationToken);

    public static Task DeletedAsync(DbConnection connection, DbTransaction transaction, string tenant, string roleId, long version, CancellationToken cancellationToken) =>
        EnqueueAsync(connection, transaction, roleId, version, RoleDeletedType, new RoleDeleted(tenant, roleId), cancellationToken);

    private static Task EnqueueAsync(DbConnection connection, DbTransaction transaction, string roleId, long version, string type, object payload, CancellationToken cancellationToken) =>
        Outbox.EnqueueAsync(connection, transaction, new OutgoingEvent(Topics.RoleMemberships, type, roleId, version, payload), cancellationToken);
}
