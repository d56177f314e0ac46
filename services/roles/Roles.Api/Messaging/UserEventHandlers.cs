using Microservices.Roles.Api.Persistence;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Roles.Api.Messaging;

/// <summary>users' user.deleted.v1 as roles reads it.</summary>
public sealed record UserDeleted(string TenantId, string UserId);

/// <summary>
/// A user deleted through SCIM loses every membership. Order needs no version here: a deletion is final for the id
/// (SCIM never reuses it), and removing what is already gone is a no-op.
/// </summary>
public static class UserEventHandlers
{
    public const string Consumer = RolesApp.ServiceName + ":" + Topics.Users;
    public const string UserDeletedType = "user.deleted.v1";

    public static async Task<IResult> HandleAsync(IncomingEvent incoming, Database database, UserMembershipStore memberships, OutboxSignal signal, CancellationToken cancellationToken)
    {
        if (incoming.Type != UserDeletedType)
        {
            // Other user events are not for roles; acknowledging keeps them off the dead-letter topic.
            return EventResults.Success();
        }

        var deleted = incoming.PayloadAs<UserDeleted>();
        if (string.IsNullOrEmpty(deleted.TenantId) || string.IsNullOrEmpty(deleted.UserId))
        {
            throw new EventPayloadException("user.deleted.v1 needs tenantId and userId");
        }

        await database.ProcessOnceAsync(
            Consumer,
            incoming,
            (connection, transaction) => memberships.RemoveUserAsync(connection, transaction, deleted.TenantId, deleted.UserId, cancellationToken),
            cancellationToken);
        signal.Notify();
        return EventResults.Success();
    }
}
