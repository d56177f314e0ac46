using System.Globalization;
using Microservices.Roles.Api.Persistence;
using Microservices.ServiceDefaults.Internal;

namespace Microservices.Roles.Api.Endpoints;

/// <summary>
/// SCIM-facing routes over the domain: the edge maps SCIM Groups to these. Only roles with an external id that SCIM
/// has not detached exist here; anything else is a 404.
/// </summary>
public static class GroupEndpoints
{
    public static RouteGroupBuilder MapGroupEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/groups", async (HttpContext context, CreateGroupRequest request, GroupStore store, CancellationToken cancellationToken) =>
        {
            var created = await store.CreateAsync(context.TenantId(), request, cancellationToken);
            context.Response.Headers.ETag = Versions.ETag(created.Version);
            return TypedResults.Created($"/internal/groups/{created.Id}", created);
        });

        group.MapGet("/groups", async (HttpContext context, GroupStore store, CancellationToken cancellationToken) =>
        {
            var query = context.Request.Query;
            var startIndex = Math.Max(1, ReadInt(query, "startIndex") ?? 1);
            // RFC 7644 §3.4.2.4: a negative count is 0; the page is capped so one request stays bounded.
            var count = Math.Clamp(ReadInt(query, "count") ?? 100, 0, GroupStore.MaxPageSize);
            var descending = query["sortOrder"].ToString().ToUpperInvariant() switch
            {
                "" or "ASCENDING" => false,
                "DESCENDING" => true,
                _ => throw ApiProblemException.InvalidValue("sortOrder", "sortOrder must be ascending or descending."),
            };
            var filter = query["filter"].ToString();
            var sortBy = query["sortBy"].ToString();
            return TypedResults.Ok(await store.ListAsync(context.TenantId(), filter, startIndex, count, sortBy, descending, ReadMembers(query), cancellationToken));
        });

        group.MapGet("/groups/{id}", async (HttpContext context, string id, GroupStore store, CancellationToken cancellationToken) =>
        {
            var found = await store.GetAsync(context.TenantId(), id, ReadMembers(context.Request.Query), cancellationToken)
                ?? throw ApiProblemException.NotFound($"Group {id} not found.");
            context.Response.Headers.ETag = Versions.ETag(found.Version);
            return TypedResults.Ok(found);
        });

        group.MapPut("/groups/{id}", async (HttpContext context, string id, PutGroupRequest request, GroupStore store, CancellationToken cancellationToken) =>
        {
            var updated = await store.PutAsync(context.TenantId(), id, request, Versions.ReadIfMatch(context.Request), cancellationToken);
            context.Response.Headers.ETag = Versions.ETag(updated.Version);
            return TypedResults.Ok(updated);
        });

        group.MapPatch("/groups/{id}", async (HttpContext context, string id, PatchGroupRequest request, GroupStore store, CancellationToken cancellationToken) =>
        {
            var change = await store.PatchAsync(context.TenantId(), id, request, Versions.ReadIfMatch(context.Request), cancellationToken);
            context.Response.Headers.ETag = Versions.ETag(change.Version);
            return TypedResults.Ok(change);
        });

        group.MapDelete("/groups/{id}", async (HttpContext context, string id, GroupStore store, CancellationToken cancellationToken) =>
        {
            await store.DeleteAsync(context.TenantId(), id, Versions.ReadIfMatch(context.Request), cancellationToken);
            return TypedResults.NoContent();
        });

        group.MapPost("/groups/batch", async (HttpContext context, BatchGroupsRequest request, GroupStore store, CancellationToken cancellationToken) =>
            TypedResults.Ok(await store.BatchAsync(context.TenantId(), request, cancellationToken)));

        return group;
    }

    private static int? ReadInt(IQueryCollection query, string name)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw ApiProblemException.InvalidValue(name, $"{name} must be an integer.");
    }

    /// <summary><c>members=false</c> (the edge's translation of excludedAttributes=members); members are returned by default.</summary>
    private static bool ReadMembers(IQueryCollection query) => query["members"].ToString().ToUpperInvariant() switch
    {
        "" or "TRUE" => true,
        "FALSE" => false,
        _ => throw ApiProblemException.InvalidValue("members", "members must be true or false."),
    };
}
