using Microservices.Roles.Api.Persistence;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Roles.Api.Messaging;

/// <summary>users' user.deleted.v1 and user.restored.v1 as roles reads them: the same payload, the user's version in the envelope.</summary>
public sealed record UserLifecycleChanged(string TenantId, string UserId);

/// <summary>
/// A user deleted through SCIM loses every membership. A deletion is not final for the id: a SCIM POST of the same
/// userName revives the same user (user.restored.v1), and memberships given after that must survive a user.deleted
/// that arrives late. So both events pass a per-user version gate (user_versions): each applies only if newer than
/// the last one applied. A stale delete removes nothing; a restore whose delete has not arrived yet does that
/// delete's removal itself, so the memberships from before the delete are gone in any order (a re-used userName
/// must not inherit a leaver's roles).
/// </summary>
public static class UserEventHandlers
{
    public const string Consumer = RolesApp.ServiceName + ":" + Topics.Users;
    public const string UserDeletedType = "user.deleted.v1";
    public const string UserRestoredType = "user.restored.v1";

    public static async Task<IResult> HandleAsync(IncomingEvent incoming, Database database, UserMembershipStore memberships, OutboxSignal signal, CancellationToken cancellationToken)
    {
        bool deleted;
        switch (incoming.Type)
        {
            case UserDeletedType:
                deleted = true;
                break;
            case UserRestoredType:
                deleted = false;
                break;
            default:
                // Other user events are not for roles; acknowledging keeps them off the dead-letter topic.
                return EventResults.Success();
        }

        var user = incoming.PayloadAs<UserLifecycleChanged>();
        if (string.IsNullOrEmpty(user.TenantId) || string.IsNullOrEmpty(user.UserId))
        {
            throw new EventPayloadException($"{incoming.Type} needs tenantId and userId");
        }

        await database.ProcessOnceAsync(
            Consumer,
            incoming,
            async (connection, transaction) =>
            {
                if (await memberships.ApplyUserLifecycleAsync(connection, transaction, user.TenantId, user.UserId, incoming.AggregateVersion, deleted, cancellationToken))
                {
                    await memberships.RemoveUserAsync(connection, transaction, user.TenantId, user.UserId, cancellationToken);
                }
            },
            cancellationToken);
        signal.Notify();
        return EventResults.Success();
    }
}
