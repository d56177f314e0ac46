using Microservices.ScimEdge.Api.Clients;
using Microservices.ScimEdge.Api.Tenants;

namespace Microservices.ScimEdge.Api.Admin;

/// <summary>
/// Read-only user administration, proxied to the users service for a tenant the edge knows: the list (paged, with
/// the service's filter over domain field names), one user with its person record, and the job-title picklist.
/// <c>includeDeleted=true</c> (passed on with the query) also shows SCIM-deleted users, which SCIM hides but
/// health-and-safety history keeps; the SCIM routes never send it.
/// </summary>
public static class UserAdminEndpoints
{
    public static RouteGroupBuilder MapUserAdminEndpoints(this RouteGroupBuilder admin)
    {
        var tenantRoutes = admin.MapGroup("/tenants/{tenant}");

        tenantRoutes.MapGet("/users", (string tenant, HttpRequest request, TenantStore tenants, UsersClient users, CancellationToken cancellationToken) =>
            ForwardAsync(tenant, tenants, () => users.ListRawAsync(tenant, request.QueryString, cancellationToken), cancellationToken));

        tenantRoutes.MapGet("/users/{id}", (string tenant, string id, HttpRequest request, TenantStore tenants, UsersClient users, CancellationToken cancellationToken) =>
            UsersClient.IsValidId(id)
                ? ForwardAsync(tenant, tenants, () => users.GetRawAsync(tenant, id, request.QueryString, cancellationToken), cancellationToken)
                : Task.FromResult(UserNotFound(id)));

        tenantRoutes.MapGet("/job-titles", (string tenant, TenantStore tenants, UsersClient users, CancellationToken cancellationToken) =>
            ForwardAsync(tenant, tenants, () => users.JobTitlesRawAsync(tenant, cancellationToken), cancellationToken));

        return admin;
    }

    private static async Task<IResult> ForwardAsync(string tenant, TenantStore tenants, Func<Task<HttpResponseMessage>> call, CancellationToken cancellationToken)
    {
        if (!await tenants.ExistsAsync(tenant, cancellationToken))
        {
            return AdminApi.TenantNotFound(tenant);
        }

        return new ForwardedResponse(await call(), $"{AdminApi.BasePath}/tenants/{tenant}/users");
    }

    private static IResult UserNotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "user not found", detail: $"There is no user '{(id.Length <= 64 ? id : id[..64])}'.");
}
