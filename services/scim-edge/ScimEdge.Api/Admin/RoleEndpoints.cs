using Microservices.ScimEdge.Api.Clients;
using Microservices.ScimEdge.Api.Tenants;

namespace Microservices.ScimEdge.Api.Admin;

/// <summary>
/// Role administration (the Edit Role screen's operations), proxied to the roles service's <c>/internal/roles</c>
/// routes for a tenant the edge knows. Status codes, ETags and problem bodies come back as roles wrote them.
/// </summary>
public static class RoleEndpoints
{
    public static RouteGroupBuilder MapRoleEndpoints(this RouteGroupBuilder admin)
    {
        var roles = admin.MapGroup("/tenants/{tenant}/roles");

        roles.MapPost("", (string tenant, HttpRequest request, TenantStore tenants, RolesClient client, CancellationToken cancellationToken) =>
            ForwardAsync(tenant, tenants, () => client.CreateRoleAsync(tenant, new InboundBodyContent(request), cancellationToken), cancellationToken));

        roles.MapGet("", (string tenant, TenantStore tenants, RolesClient client, CancellationToken cancellationToken) =>
            ForwardAsync(tenant, tenants, () => client.ListRolesAsync(tenant, cancellationToken), cancellationToken));

        roles.MapGet("/{id}", (string tenant, string id, TenantStore tenants, RolesClient client, CancellationToken cancellationToken) =>
            RolesClient.IsValidId(id)
                ? ForwardAsync(tenant, tenants, () => client.GetRoleAsync(tenant, id, cancellationToken), cancellationToken)
                : Task.FromResult(RoleNotFound(id)));

        roles.MapGet("/{id}/members", (string tenant, string id, TenantStore tenants, RolesClient client, CancellationToken cancellationToken) =>
            RolesClient.IsValidId(id)
                ? ForwardAsync(tenant, tenants, () => client.GetRoleMembersAsync(tenant, id, cancellationToken), cancellationToken)
                : Task.FromResult(RoleNotFound(id)));

        roles.MapPatch("/{id}", (string tenant, string id, HttpRequest request, TenantStore tenants, RolesClient client, CancellationToken cancellationToken) =>
            RolesClient.IsValidId(id)
                ? ForwardAsync(tenant, tenants, () => client.PatchRoleAsync(tenant, id, new InboundBodyContent(request), request.Headers.IfMatch.ToString(), cancellationToken), cancellationToken)
                : Task.FromResult(RoleNotFound(id)));

        return admin;
    }

    private static async Task<IResult> ForwardAsync(string tenant, TenantStore tenants, Func<Task<HttpResponseMessage>> call, CancellationToken cancellationToken)
    {
        if (!await tenants.ExistsAsync(tenant, cancellationToken))
        {
            return AdminApi.TenantNotFound(tenant);
        }

        return new ForwardedResponse(await call(), $"{AdminApi.BasePath}/tenants/{tenant}/roles", "/internal/roles");
    }

    private static IResult RoleNotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "role not found", detail: $"There is no role '{(id.Length <= 64 ? id : id[..64] + "…")}'.");
}
