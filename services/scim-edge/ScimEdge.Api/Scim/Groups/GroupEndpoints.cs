using System.Globalization;
using System.Text.Json.Nodes;
using Microservices.Scim;
using Microservices.Scim.Discovery;
using Microservices.Scim.Errors;
using Microservices.Scim.Json;
using Microservices.Scim.Lists;
using Microservices.Scim.Patch;
using Microservices.Scim.Schemas;
using Microservices.ScimEdge.Api.Clients;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microservices.ScimEdge.Api.Scim.Groups;

/// <summary>
/// SCIM <c>/Groups</c> (RFC 7644 §3) over the roles service: a Group is a role with an external id; its
/// <c>displayName</c> is that external id and its <c>externalId</c> the IdP's group id (docs/scim-mapping.md).
/// Member ids are checked with the users service before anything is written, so a refused request changes nothing.
/// </summary>
public static class GroupEndpoints
{
    private static ResourceTypeDefinition GroupType => ScimSchemas.GroupResourceType;

    public static WebApplicationBuilder AddScimGroups(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(ScimServiceLimits.Default);
        // The same checked base as /Users (ScimSettings), so groups never link anywhere else.
        builder.Services.AddSingleton(sp => new GroupRepresentation(sp.GetRequiredService<ScimSettings>().PublicBaseUrl));
        builder.AddServiceClient<RolesClient>(ServiceApp.Roles);
        return builder;
    }

    public static RouteGroupBuilder MapGroupEndpoints(this RouteGroupBuilder scim)
    {
        var groups = scim.MapGroup("/Groups");
        groups.MapGet("", ListAsync);
        groups.MapPost("/.search", SearchAsync);
        groups.MapPost("", CreateAsync);
        groups.MapGet("/{id}", GetAsync);
        groups.MapPut("/{id}", ReplaceAsync);
        groups.MapPatch("/{id}", PatchAsync);
        groups.MapDelete("/{id}", DeleteAsync);
        return scim;
    }

    private static Task<IResult> ListAsync(ScimTenant tenant, HttpRequest request, ScimServiceLimits limits, RolesClient roles, GroupRepresentation representation, CancellationToken cancellationToken)
    {
        var query = ListQuery.FromQueryString(GroupType, request.Query.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString())), limits);
        return ListPageAsync(tenant, query, limits, roles, representation, cancellationToken);
    }

    private static async Task<IResult> SearchAsync(ScimTenant tenant, HttpRequest request, ScimServiceLimits limits, RolesClient roles, GroupRepresentation representation, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, limits, cancellationToken);
        return await ListPageAsync(tenant, ListQuery.FromSearchRequest(GroupType, body, limits), limits, roles, representation, cancellationToken);
    }

    private static async Task<IResult> ListPageAsync(ScimTenant tenant, ListQuery query, ScimServiceLimits limits, RolesClient roles, GroupRepresentation representation, CancellationToken cancellationToken)
    {
        string? sortBy = null;
        if (query.Sort.SortBy is { } sort)
        {
            sortBy = GroupFilterTranslator.SortName(sort.Attribute.Name, sort.SubAttribute?.Name)
                ?? throw ScimException.InvalidValue($"Groups cannot be sorted by '{sort.Attribute.Name}'.");
        }

        var members = query.Selection.IsRequested("members");
        var page = await roles.ListGroupsAsync(
            tenant.Id,
            new RoleGroupQuery(
                query.Filter is null ? null : GroupFilterTranslator.Translate(query.Filter, limits.FilterOptions),
                query.Page.StartIndex,
                query.Page.Count,
                sortBy,
                query.Sort.Order == SortOrder.Descending ? "descending" : "ascending",
                members),
            cancellationToken);

        var resources = page.Items.Select(g => query.Selection.Apply(representation.ToScim(g))).ToList();
        return Json(ListResponse.Create(resources, page.TotalResults, query.Page).ToJson());
    }

    private static async Task<IResult> GetAsync(string id, ScimTenant tenant, HttpRequest request, HttpResponse response, RolesClient roles, GroupRepresentation representation, CancellationToken cancellationToken)
    {
        var selection = AttributeSelection.Parse(GroupType, request.Query[ListQuery.AttributesParameter].ToString(), request.Query[ListQuery.ExcludedAttributesParameter].ToString());
        var group = await roles.GetGroupAsync(tenant.Id, id, selection.IsRequested("members"), cancellationToken) ?? throw NotFound(id);
        response.Headers.ETag = GroupRepresentation.ETag(group.Version);
        return Json(selection.Apply(representation.ToScim(group)));
    }

    private static async Task<IResult> CreateAsync(ScimTenant tenant, HttpRequest request, HttpResponse response, ScimServiceLimits limits, RolesClient roles, UsersClient users, GroupRepresentation representation, CancellationToken cancellationToken)
    {
        var write = ReadGroup(ScimResourceValidator.Validate(await ReadBodyAsync(request, limits, cancellationToken), GroupType));
        await RequireUsersAsync(tenant, write.Members, users, cancellationToken);
        var group = await roles.CreateGroupAsync(tenant.Id, write, cancellationToken);
        var resource = representation.ToScim(group);
        response.Headers.ETag = GroupRepresentation.ETag(group.Version);
        if (representation.Location(group.Id) is { } location)
        {
            response.Headers.Location = location;
        }

        return Json(resource, StatusCodes.Status201Created);
    }

    private static async Task<IResult> ReplaceAsync(string id, ScimTenant tenant, HttpRequest request, HttpResponse response, ScimServiceLimits limits, RolesClient roles, UsersClient users, GroupRepresentation representation, CancellationToken cancellationToken)
    {
        var write = ReadGroup(ScimResourceValidator.Validate(await ReadBodyAsync(request, limits, cancellationToken), GroupType));
        _ = await roles.GetGroupAsync(tenant.Id, id, members: false, cancellationToken) ?? throw NotFound(id);
        await RequireUsersAsync(tenant, write.Members, users, cancellationToken);
        var group = await roles.ReplaceGroupAsync(tenant.Id, id, write, IfMatch(request), cancellationToken);
        response.Headers.ETag = GroupRepresentation.ETag(group.Version);
        return Json(representation.ToScim(group));
    }

    /// <summary>
    /// Always 204: Entra requires it for groups and Okta accepts it. A request that asks for <c>attributes</c> still
    /// gets 204 (RFC 7644 §3.5.2 lets the server choose); the new version is in the <c>ETag</c>.
    /// </summary>
    private static async Task<IResult> PatchAsync(string id, ScimTenant tenant, HttpRequest request, HttpResponse response, ScimServiceLimits limits, RolesClient roles, UsersClient users, GroupRepresentation representation, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, limits, cancellationToken);
        var patch = PatchRequest.Parse(body, new PatchOptions(limits.MaxPatchOperations));
        CheckMembersPerOperation(patch, limits);
        var plan = GroupPatchClassifier.Classify(patch);

        // Read first: another tenant's or an unknown group is a 404 before any member is looked at.
        var current = await roles.GetGroupAsync(tenant.Id, id, members: false, cancellationToken) ?? throw NotFound(id);
        var change = new JsonObject();
        if (plan.OtherOperations.Count > 0)
        {
            var applied = new PatchApplier(GroupType).Apply(representation.ToScim(current), new PatchRequest(plan.OtherOperations)).Resource;
            var displayName = StringOf(applied, "displayName");
            if (string.IsNullOrWhiteSpace(displayName))
            {
                throw ScimException.InvalidValue("'displayName' is required and cannot be removed.");
            }

            if (!string.Equals(displayName, current.DisplayName, StringComparison.Ordinal))
            {
                change["displayName"] = displayName;
            }

            var externalId = StringOf(applied, "externalId");
            if (!string.Equals(externalId, current.ExternalId, StringComparison.Ordinal))
            {
                change["externalId"] = externalId;
            }
        }

        await RequireUsersAsync(tenant, [.. plan.ReplaceMembers ?? [], .. plan.AddMembers], users, cancellationToken);
        if (plan.ReplaceMembers is { } replace)
        {
            change["replaceMembers"] = Ids(replace);
        }

        if (plan.RemoveMembers.Count > 0)
        {
            change["removeMembers"] = Ids(plan.RemoveMembers);
        }

        if (plan.AddMembers.Count > 0)
        {
            change["addMembers"] = Ids(plan.AddMembers);
        }

        var ifMatch = IfMatch(request);
        long version;
        if (change.Count == 0)
        {
            // Nothing to write; a stale If-Match is still a 412 (RFC 7232 §3.1), as roles would answer.
            if (ifMatch is not null && !Matches(ifMatch, current.Version))
            {
                throw new ScimException(StatusCodes.Status412PreconditionFailed, ScimErrorType.InvalidVersion, "The group has changed since the version in If-Match.");
            }

            version = current.Version;
        }
        else
        {
            version = (await roles.PatchGroupAsync(tenant.Id, id, change, ifMatch, cancellationToken)).Version;
        }

        response.Headers.ETag = GroupRepresentation.ETag(version);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> DeleteAsync(string id, ScimTenant tenant, HttpRequest request, RolesClient roles, CancellationToken cancellationToken)
    {
        await roles.DeleteGroupAsync(tenant.Id, id, IfMatch(request), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpRequest request, ScimServiceLimits limits, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limits.MaxPayloadBytes)
        {
            throw ScimException.TooLarge(ScimBody.Limit(limits.MaxPayloadBytes));
        }

        using var bounded = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (bounded.Length + read > limits.MaxPayloadBytes)
            {
                throw ScimException.TooLarge(ScimBody.Limit(limits.MaxPayloadBytes));
            }

            bounded.Write(buffer, 0, read);
        }

        bounded.Position = 0;
        return await ScimJson.ParseObjectAsync(bounded, cancellationToken);
    }

    private static RoleGroupWrite ReadGroup(JsonObject group)
    {
        var displayName = StringOf(group, "displayName");
        if (string.IsNullOrWhiteSpace(displayName))
        {
            throw ScimException.InvalidValue("'displayName' is required: it is the external id of the role the group maps to.");
        }

        var members = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (group["members"] is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                var value = array[i] is JsonObject member ? StringOf(member, "value") : null;
                if (string.IsNullOrWhiteSpace(value))
                {
                    throw ScimException.InvalidValue($"members[{i}] needs a \"value\" holding the member's user id.");
                }

                if (seen.Add(value))
                {
                    members.Add(value);
                }
            }
        }

        return new RoleGroupWrite(displayName, StringOf(group, "externalId"), members);
    }

    private static void CheckMembersPerOperation(PatchRequest patch, ScimServiceLimits limits)
    {
        for (var i = 0; i < patch.Operations.Count; i++)
        {
            var value = patch.Operations[i].Value;
            var count = value switch
            {
                JsonArray array => array.Count,
                JsonObject obj => obj.FirstOrDefault(p => string.Equals(p.Key, "members", StringComparison.OrdinalIgnoreCase)).Value is JsonArray members ? members.Count : 0,
                _ => 0,
            };
            if (count > limits.MaxMembersPerOperation)
            {
                throw ScimException.InvalidValue(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Operations[{i}] carries {count} members; at most {limits.MaxMembersPerOperation} members per operation (MaxMembersPerOperation) are accepted."));
            }
        }
    }

    private static async Task RequireUsersAsync(ScimTenant tenant, IReadOnlyList<string> ids, UsersClient users, CancellationToken cancellationToken)
    {
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        var missing = await users.MissingAsync(tenant.Id, distinct, cancellationToken);
        if (missing.Count > 0)
        {
            var named = string.Join(", ", missing.Take(5).Select(m => $"'{(m.Length <= 64 ? m : m[..64] + "…")}'"));
            throw ScimException.InvalidValue(string.Create(
                CultureInfo.InvariantCulture,
                $"members: {named}{(missing.Count > 5 ? $" and {missing.Count - 5} more" : "")} {(missing.Count == 1 ? "is not a user" : "are not users")} of this tenant; nothing was changed."));
        }
    }

    private static JsonArray Ids(IEnumerable<string> ids) => [.. ids.Select(id => (JsonNode)JsonValue.Create(id))];

    private static string? StringOf(JsonObject obj, string name) =>
        obj[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string? IfMatch(HttpRequest request) =>
        request.Headers.IfMatch.ToString() is { Length: > 0 } value ? value : null;

    private static bool Matches(string ifMatch, long version)
    {
        var expected = version.ToString(CultureInfo.InvariantCulture);
        foreach (var part in ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var tag = part.StartsWith("W/", StringComparison.OrdinalIgnoreCase) ? part[2..] : part;
            if (tag == "*" || tag.Trim('"') == expected)
            {
                return true;
            }
        }

        return false;
    }

    private static ScimException NotFound(string id) =>
        ScimException.NotFound($"There is no group '{(id.Length <= 64 ? id : id[..64] + "…")}'.");

    private static IResult Json(JsonObject body, int status = StatusCodes.Status200OK) =>
        TypedResults.Text(body.ToJsonString(ScimJson.SerializerOptions), ScimConstants.MediaType, System.Text.Encoding.UTF8, status);
}

/// <summary>How a roles group is written as a SCIM Group: members with <c>$ref</c>, <c>meta</c> with location and weak version.</summary>
public sealed class GroupRepresentation(string? publicBaseUrl)
{
    private readonly string? _base = string.IsNullOrWhiteSpace(publicBaseUrl) ? null : publicBaseUrl.TrimEnd('/');

    public static string ETag(long version) => string.Create(CultureInfo.InvariantCulture, $"W/\"{version}\"");

    public string? Location(string id) => _base is null ? null : $"{_base}/Groups/{Uri.EscapeDataString(id)}";

    public JsonObject ToScim(RoleGroup group)
    {
        var meta = new JsonObject
        {
            ["resourceType"] = "Group",
            ["created"] = Time(group.Created),
            ["lastModified"] = Time(group.LastModified),
        };
        if (Location(group.Id) is { } location)
        {
            meta["location"] = location;
        }

        meta["version"] = ETag(group.Version);
        var resource = new JsonObject
        {
            ["schemas"] = new JsonArray(ScimConstants.GroupSchema),
            ["id"] = group.Id,
        };
        if (group.ExternalId is not null)
        {
            resource["externalId"] = group.ExternalId;
        }

        resource["displayName"] = group.DisplayName;
        if (group.Members is { } members)
        {
            resource["members"] = new JsonArray([.. members.Select(Member)]);
        }

        resource["meta"] = meta;
        return resource;
    }

    private JsonObject Member(string userId)
    {
        var member = new JsonObject { ["value"] = userId };
        if (_base is not null)
        {
            member["$ref"] = $"{_base}/Users/{Uri.EscapeDataString(userId)}";
        }

        member["type"] = "User";
        return member;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
