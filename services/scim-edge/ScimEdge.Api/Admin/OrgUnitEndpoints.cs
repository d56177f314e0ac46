using Microservices.ScimEdge.Api.Clients;
using Microservices.ScimEdge.Api.Tenants;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Microservices.ScimEdge.Api.Admin;

/// <summary>
/// Org unit administration, proxied to the orgunits service for a tenant the edge knows. Status codes, ETags and
/// problem bodies come back as the service wrote them; bodies stream through in both directions.
/// </summary>
public static class OrgUnitEndpoints
{
    public static RouteGroupBuilder MapOrgUnitEndpoints(this RouteGroupBuilder admin)
    {
        var units = admin.MapGroup("/tenants/{tenant}/orgunits");

        // The bulk routes take bodies up to the orgunits service's own cap, not Kestrel's 30 MB default (the edge
        // streams them through, so a smaller cap here would refuse files the service accepts).
        var bulkBodyLimit = new RequestSizeLimitAttribute(((IEndpointRouteBuilder)admin).ServiceProvider.GetRequiredService<IOptions<OrgUnitsProxyOptions>>().Value.MaxBodyBytes);

        units.MapPost("", (string tenant, HttpRequest request, TenantStore tenants, OrgUnitsClient orgUnits, CancellationToken cancellationToken) =>
            ForwardAsync(tenant, tenants, () => orgUnits.CreateAsync(tenant, new InboundBodyContent(request), cancellationToken), cancellationToken));

        units.MapPost("/batch", (string tenant, HttpRequest request, TenantStore tenants, OrgUnitsClient orgUnits, CancellationToken cancellationToken) =>
            ForwardAsync(tenant, tenants, () => orgUnits.CreateBatchAsync(tenant, new InboundBodyContent(request), cancellationToken), cancellationToken))
            .WithMetadata(bulkBodyLimit);

        units.MapPost("/import", (string tenant, HttpRequest request, TenantStore tenants, OrgUnitsClient orgUnits, CancellationToken cancellationToken) =>
            ForwardAsync(tenant, tenants, () => orgUnits.ImportAsync(tenant, new InboundBodyContent(request), cancellationToken), cancellationToken))
            .WithMetadata(bulkBodyLimit);

        units.MapGet("", (string tenant, HttpRequest request, TenantStore tenants, OrgUnitsClient orgUnits, CancellationToken cancellationToken) =>
            ForwardAsync(tenant, tenants, () => orgUnits.ListAsync(tenant, request.QueryString, cancellationToken), cancellationToken));

        units.MapGet("/{id}", (string tenant, string id, TenantStore tenants, OrgUnitsClient orgUnits, CancellationToken cancellationToken) =>
            OrgUnitsClient.IsValidId(id)
                ? ForwardAsync(tenant, tenants, () => orgUnits.GetAsync(tenant, id, cancellationToken), cancellationToken)
                : Task.FromResult(UnitNotFound(id)));

        units.MapPatch("/{id}", (string tenant, string id, HttpRequest request, TenantStore tenants, OrgUnitsClient orgUnits, CancellationToken cancellationToken) =>
            OrgUnitsClient.IsValidId(id)
                ? ForwardAsync(tenant, tenants, () => orgUnits.PatchAsync(tenant, id, new InboundBodyContent(request), request.Headers.IfMatch.ToString(), cancellationToken), cancellationToken)
                : Task.FromResult(UnitNotFound(id)));

        return admin;
    }

    private static async Task<IResult> ForwardAsync(string tenant, TenantStore tenants, Func<Task<HttpResponseMessage>> call, CancellationToken cancellationToken)
    {
        if (!await tenants.ExistsAsync(tenant, cancellationToken))
        {
            return AdminApi.TenantNotFound(tenant);
        }

        return new ForwardedResponse(await call(), $"{AdminApi.BasePath}/tenants/{tenant}/orgunits");
    }

    private static IResult UnitNotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "org unit not found", detail: $"There is no org unit '{id}'.");
}
