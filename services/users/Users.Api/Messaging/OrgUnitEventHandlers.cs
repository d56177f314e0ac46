using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;
using Microservices.Users.Api.Domain;
using Microservices.Users.Api.Persistence;

namespace Microservices.Users.Api.Messaging;

/// <summary>
/// orgunits' orgunit.changed.v1: the unit's state after the change, at the unit's version. <paramref name="ExternalId"/>
/// is null for a unit without one (a root created without it, or one whose external id was cleared).
/// </summary>
public sealed record OrgUnitChanged(string TenantId, string UnitId, string? ExternalId, string Name, bool Enabled);

/// <summary>
/// The org_units projection a user's department is read from. The upsert is the one user writes use
/// (UserStore.UpsertUnitAsync): a versioned snapshot replaces only an older one, so events in any order converge.
/// </summary>
public static class OrgUnitEventHandlers
{
    public const string Consumer = UsersApp.ServiceName + ":" + Topics.OrgUnits;
    public const string ChangedType = "orgunit.changed.v1";

    public static async Task<IResult> HandleAsync(IncomingEvent incoming, Database database, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (incoming.Type != ChangedType)
        {
            throw new EventPayloadException($"unknown event type {incoming.Type}");
        }

        var unit = incoming.PayloadAs<OrgUnitChanged>();
        // externalId may be null (the unit has none): that is a state to project, not poison, or users would keep
        // showing and filtering by the external id the unit lost.
        if (string.IsNullOrEmpty(unit.TenantId) || string.IsNullOrEmpty(unit.UnitId) || unit.Name is null)
        {
            throw new EventPayloadException("orgunit.changed.v1 needs tenantId, unitId and name");
        }

        var now = UnixMicros.Now(clock);
        await database.ProcessOnceAsync(
            Consumer,
            incoming,
            (connection, transaction) => UserStore.UpsertUnitAsync(
                connection,
                transaction,
                unit.TenantId,
                new UnitData(unit.UnitId, string.IsNullOrEmpty(unit.ExternalId) ? null : unit.ExternalId, unit.Name, unit.Enabled, incoming.AggregateVersion),
                now,
                cancellationToken),
            cancellationToken);
        return EventResults.Success();
    }
}
