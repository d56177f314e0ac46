namespace Microservices.Users.Api.Messaging;

/// <summary>A user deleted through SCIM (topic users); roles drops the user's memberships.</summary>
public sealed record UserDeleted(string TenantId, string UserId);

public static class UserEvents
{
    public const string DeletedType = "user.deleted.v1";
}
