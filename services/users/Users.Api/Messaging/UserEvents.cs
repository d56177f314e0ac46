namespace Microservices.Users.Api.Messaging;

/// <summary>A user deleted through SCIM (topic users); roles drops the user's memberships.</summary>
public sealed record UserDeleted(string TenantId, string UserId);

/// <summary>
/// A SCIM-deleted user brought back by a POST of its userName (same id, topic users): roles must then ignore a
/// user.deleted older than this, or a late one would remove the memberships given after the restore.
/// </summary>
public sealed record UserRestored(string TenantId, string UserId);

public static class UserEvents
{
    public const string DeletedType = "user.deleted.v1";
    public const string RestoredType = "user.restored.v1";
}
