using Microservices.Roles.Api.Persistence;
using Microservices.ServiceDefaults.Internal;

namespace Microservices.Roles.Api.Endpoints;

/// <summary>One user's roles across the tenant: for checks and the admin API, and the user.deleted clean-up.</summary>
public static class UserRoleEndpoints
{
    public static RouteGroupBuilder MapUserRoleEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/users/{userId}/roles", async (HttpContext context, string userId, UserMembershipStore store, CancellationToken cancellationToken) =>
            TypedResults.Ok(await store.RolesAsync(context.TenantId(), userId, cancellationToken)));

        group.MapDelete("/users/{userId}/roles", async (HttpContext context, string userId, UserMembershipStore store, CancellationToken cancellationToken) =>
            TypedResults.Ok(await store.RemoveUserAsync(context.TenantId(), userId, cancellationToken)));

        return group;
    }
}
