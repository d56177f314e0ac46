using Microservices.Roles.Api.Persistence;
using Microservices.ServiceDefaults.Internal;

namespace Microservices.Roles.Api.Endpoints;

/// <summary>Admin routes: the edge proxies <c>/admin/v1/tenants/{tenant}/roles…</c> here. Only these change permissions.</summary>
public static class RoleEndpoints
{
    public static RouteGroupBuilder MapRoleEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/roles", async (HttpContext context, CreateRoleRequest request, RoleStore store, CancellationToken cancellationToken) =>
        {
            var role = await store.CreateAsync(context.TenantId(), request, cancellationToken);
            context.Response.Headers.ETag = Versions.ETag(role.Version);
            return TypedResults.Created($"/internal/roles/{role.Id}", role);
        });

        group.MapGet("/roles", async (HttpContext context, RoleStore store, CancellationToken cancellationToken) =>
            TypedResults.Ok(await store.ListAsync(context.TenantId(), cancellationToken)));

        group.MapGet("/roles/{id}", async (HttpContext context, string id, RoleStore store, CancellationToken cancellationToken) =>
        {
            var role = await store.GetAsync(context.TenantId(), id, cancellationToken) ?? throw ApiProblemException.NotFound($"Role {id} not found.");
            context.Response.Headers.ETag = Versions.ETag(role.Version);
            return TypedResults.Ok(role);
        });

        group.MapPatch("/roles/{id}", async (HttpContext context, string id, PatchRoleRequest request, RoleStore store, CancellationToken cancellationToken) =>
        {
            var role = await store.PatchAsync(context.TenantId(), id, request, Versions.ReadIfMatch(context.Request), cancellationToken);
            context.Response.Headers.ETag = Versions.ETag(role.Version);
            return TypedResults.Ok(role);
        });

        group.MapGet("/roles/{id}/members", async (HttpContext context, string id, RoleStore store, CancellationToken cancellationToken) =>
            TypedResults.Ok(await store.MembersAsync(context.TenantId(), id, cancellationToken)));

        group.MapPost("/roles/{id}/members", async (HttpContext context, string id, AddRoleMembersRequest request, RoleStore store, CancellationToken cancellationToken) =>
            TypedResults.Ok(await store.AddMembersAsync(context.TenantId(), id, request, cancellationToken)));

        group.MapDelete("/roles/{id}/members/{userId}", async (HttpContext context, string id, string userId, RoleStore store, CancellationToken cancellationToken) =>
            TypedResults.Ok(await store.RemoveMemberAsync(context.TenantId(), id, userId, cancellationToken)));

        return group;
    }
}
