using System.Data.Common;
using Microservices.OrgUnits.Api.Persistence;
using Microservices.ServiceDefaults.Messaging;

namespace Microservices.OrgUnits.Api.Messaging;

/// <summary>
/// A unit's state after a change (created, renamed, re-keyed, moved, disabled or enabled), at the unit's version: a
/// snapshot rather than a delta, so a consumer that applies only newer versions converges whatever the order.
/// </summary>
public sealed record OrgUnitChanged(string TenantId, string UnitId, string? ExternalId, string Name, bool Enabled);

/// <summary>What an event needs of a unit after a change, at its new version.</summary>
public sealed record OrgUnitSnapshot(string Id, string? ExternalId, string Name, bool Enabled, long Version);

public static class OrgUnitEvents
{
    public const string ChangedType = "orgunit.changed.v1";

    public static Task ChangedAsync(DbConnection connection, DbTransaction transaction, string tenant, OrgUnitView unit, CancellationToken cancellationToken) =>
        ChangedAsync(connection, transaction, tenant, unit.Id, unit.ExternalId, unit.Name, unit.Enabled, unit.Version, cancellationToken);

    public static Task ChangedAsync(DbConnection connection, DbTransaction transaction, string tenant, string id, string? externalId, string name, bool enabled, long version, CancellationToken cancellationToken) =>
        Outbox.EnqueueAsync(connection, transaction, Changed(tenant, id, externalId, name, enabled, version), cancellationToken);

    /// <summary>One event per unit, written in bulk (an import may change 100,000 units in one transaction).</summary>
    public static Task<int> ChangedManyAsync(DbConnection connection, DbTransaction transaction, string tenant, IEnumerable<OrgUnitSnapshot> units, CancellationToken cancellationToken) =>
        Outbox.EnqueueManyAsync(
            connection,
            transaction,
            units.Select(u => Changed(tenant, u.Id, u.ExternalId, u.Name, u.Enabled, u.Version)),
            cancellationToken);

    private static OutgoingEvent Changed(string tenant, string id, string? externalId, string name, bool enabled, long version) =>
        new(Topics.OrgUnits, ChangedType, id, version, new OrgUnitChanged(tenant, id, externalId, name, enabled));
}
