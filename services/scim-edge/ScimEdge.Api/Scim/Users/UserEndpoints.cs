using System.Globalization;
using System.Text.Json.Nodes;
using Microservices.Scim;
using Microservices.Scim.Errors;
using Microservices.Scim.Lists;
using Microservices.Scim.Patch;
using Microservices.Scim.Schemas;
using Microservices.ScimEdge.Api.Clients;

namespace Microservices.ScimEdge.Api.Scim.Users;

/// <summary>SCIM <c>/Users</c> (RFC 7644 §3) over the users and orgunits services; mapping in docs/scim-mapping.md.</summary>
public static class UserEndpoints
{
    /// <summary>Read-apply-write attempts of one PATCH before concurrent writers are reported as 409.</summary>
    public const int MaxPatchAttempts = 10;

    private static readonly ResourceTypeDefinition _userType = ScimSchemas.UserResourceType;

    public static RouteGroupBuilder MapUserEndpoints(this RouteGroupBuilder scim)
    {
        var users = scim.MapGroup("/Users");
        users.MapPost("", CreateAsync);
        users.MapGet("", ListAsync);
        users.MapPost("/.search", SearchAsync);
        users.MapGet("/{id}", GetAsync);
        users.MapPut("/{id}", ReplaceAsync);
        users.MapPatch("/{id}", PatchAsync);
        users.MapDelete("/{id}", DeleteAsync);
        return scim;
    }

    private static async Task<IResult> CreateAsync(ScimTenant tenant, HttpRequest request, ScimSettings settings, UsersClient users, OrgUnitsClient orgUnits, CancellationToken cancellationToken)
    {
        var scim = ScimResourceValidator.Validate(await ScimBody.ReadAsync(request, settings, cancellationToken), _userType);
        var write = await ToWriteAsync(scim, tenant, orgUnits, cancellationToken);
        var created = await users.CreateAsync(tenant.Id, write, cancellationToken);
        request.HttpContext.Response.Headers.ETag = UserMapping.ETag(created.Version);
        return new UserResult(created, settings, status: StatusCodes.Status201Created, location: settings.Location("Users", created.Id));
    }

    private static async Task<IResult> GetAsync(string id, ScimTenant tenant, HttpRequest request, ScimSettings settings, UsersClient users, CancellationToken cancellationToken)
    {
        var selection = AttributeSelection.Parse(_userType, request.Query[ListQuery.AttributesParameter], request.Query[ListQuery.ExcludedAttributesParameter]);
        var user = await users.GetAsync(tenant.Id, id, cancellationToken) ?? throw NotFound(id);
        request.HttpContext.Response.Headers.ETag = UserMapping.ETag(user.Version);
        return new UserResult(user, settings, selection);
    }

    private static Task<IResult> ListAsync(ScimTenant tenant, HttpRequest request, ScimSettings settings, UsersClient users, CancellationToken cancellationToken) =>
        QueryAsync(tenant, ListQuery.FromQueryString(_userType, request.Query.Select(q => new KeyValuePair<string, string?>(q.Key, q.Value.ToString())), settings.Limits), settings, users, cancellationToken);

    private static async Task<IResult> SearchAsync(ScimTenant tenant, HttpRequest request, ScimSettings settings, UsersClient users, CancellationToken cancellationToken) =>
        await QueryAsync(tenant, ListQuery.FromSearchRequest(_userType, await ScimBody.ReadAsync(request, settings, cancellationToken), settings.Limits), settings, users, cancellationToken);

    private static async Task<IResult> QueryAsync(ScimTenant tenant, ListQuery query, ScimSettings settings, UsersClient users, CancellationToken cancellationToken)
    {
        var filter = UserFilterRewriter.Rewrite(query.Filter, settings.Limits.FilterOptions);
        var sortBy = UserFilterRewriter.SortField(query.Sort.SortBy);
        var page = await users.ListAsync(tenant.Id, filter, sortBy, query.Sort.Order == SortOrder.Descending, query.Page.StartIndex, query.Page.Count, cancellationToken);
        var total = (int)Math.Min(page.TotalResults, int.MaxValue);
        return new UserListResult(page.Items, total, query.Page.StartIndex, settings, query.Selection);
    }

    private static async Task<IResult> ReplaceAsync(string id, ScimTenant tenant, HttpRequest request, ScimSettings settings, UsersClient users, OrgUnitsClient orgUnits, CancellationToken cancellationToken)
    {
        var scim = ScimResourceValidator.Validate(await ScimBody.ReadAsync(request, settings, cancellationToken), _userType);
        var expected = ParseIfMatch(request);
        if (!UsersClient.IsValidId(id))
        {
            throw NotFound(id);
        }

        UserRecord? current = null;
        if (expected is not null)
        {
            // The version checked here is the one the write names, so a write in between still fails with 412.
            current = await users.GetAsync(tenant.Id, id, cancellationToken) ?? throw NotFound(id);
            CheckPrecondition(expected, current.Version);
        }

        var write = await ToWriteAsync(scim, tenant, orgUnits, cancellationToken, current, () => users.GetAsync(tenant.Id, id, cancellationToken));
        var replaced = await NotFoundAs404(id, () => users.ReplaceAsync(tenant.Id, id, write, current?.Version, cancellationToken));
        request.HttpContext.Response.Headers.ETag = UserMapping.ETag(replaced.Version);
        return new UserResult(replaced, settings);
    }

    /// <summary>
    /// PATCH is read, apply, write: the user and its version are read, the operations applied to its SCIM form, the
    /// result validated and written with If-Match on the version read. A concurrent write makes the users service
    /// answer 412; without a client If-Match the whole cycle runs again on the new state, so no update is lost.
    /// </summary>
    private static async Task<IResult> PatchAsync(string id, ScimTenant tenant, HttpRequest request, ScimSettings settings, UsersClient users, OrgUnitsClient orgUnits, CancellationToken cancellationToken)
    {
        var body = await ScimBody.ReadAsync(request, settings, cancellationToken);
        var patch = PatchRequest.Parse(body, new PatchOptions(settings.Limits.MaxPatchOperations));
        var expected = ParseIfMatch(request);
        var applier = new PatchApplier(_userType);
        for (var attempt = 1; ; attempt++)
        {
            var current = await users.GetAsync(tenant.Id, id, cancellationToken) ?? throw NotFound(id);
            CheckPrecondition(expected, current.Version);
            var result = applier.Apply(UserMapping.WithoutDerivedNames(UserMapping.ToScim(current, settings), current), patch);
            if (!result.Changed)
            {
                request.HttpContext.Response.Headers.ETag = UserMapping.ETag(current.Version);
                return new UserResult(current, settings);
            }

            var scim = ScimResourceValidator.Validate(result.Resource, _userType);
            var write = await ToWriteAsync(scim, tenant, orgUnits, cancellationToken, current);
            try
            {
                var written = await NotFoundAs404(id, () => users.ReplaceAsync(tenant.Id, id, write, current.Version, cancellationToken));
                request.HttpContext.Response.Headers.ETag = UserMapping.ETag(written.Version);
                return new UserResult(written, settings);
            }
            catch (ScimException conflict) when (conflict.Status == StatusCodes.Status412PreconditionFailed && expected is null)
            {
                if (attempt >= MaxPatchAttempts)
                {
                    throw new ScimException(StatusCodes.Status409Conflict, null, "The user kept changing under concurrent writes; retry the request.");
                }

                // A short random pause spreads writers that collided, so they do not collide again in lock step.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), cancellationToken);
            }
        }
    }

    /// <summary>
    /// DELETE passes If-Match on to the users service, which checks it under the user's row lock: reading and checking
    /// here first would let a write land between the check and the delete, and that newer version be deleted over.
    /// </summary>
    private static async Task<IResult> DeleteAsync(string id, ScimTenant tenant, HttpRequest request, UsersClient users, CancellationToken cancellationToken)
    {
        var expected = ParseIfMatch(request);
        if (!UsersClient.IsValidId(id))
        {
            throw NotFound(id);
        }

        bool deleted;
        try
        {
            // A tag that names no version of ours (-1) can never match; sent as it is, it still fails under the lock.
            deleted = await users.DeleteAsync(tenant.Id, id, expected, cancellationToken);
        }
        catch (ScimException e) when (e.Status == StatusCodes.Status412PreconditionFailed)
        {
            throw ScimException.PreconditionFailed("The user has changed since the version named in If-Match.");
        }

        return deleted ? TypedResults.NoContent() : throw NotFound(id);
    }

    /// <summary>
    /// The users service's write body, with the default unit resolved through orgunits, except when the write keeps
    /// the unit <paramref name="current"/> already has: then its projection is reused, which spares PATCH (Entra's and
    /// Okta's deactivations above all) one call. Only a unit a user is being moved to must be enabled: a user whose
    /// unit was disabled since can still be deactivated or edited in place (a PUT, which does not read the user first,
    /// reads it through <paramref name="loadCurrent"/> only when the unit turns out disabled).
    /// A unit whose external id was cleared in orgunits has no department to show, so such a user's SCIM form has none:
    /// a PATCH that does not set one (a deactivation above all) or a PUT without one keeps that unit rather than
    /// failing on the required department, which would leave a leaver active. Setting a department moves the user as
    /// usual; leaving it out is refused for every other user, as on create.
    /// </summary>
    private static async Task<JsonObject> ToWriteAsync(
        JsonObject scim,
        ScimTenant tenant,
        OrgUnitsClient orgUnits,
        CancellationToken cancellationToken,
        UserRecord? current = null,
        Func<Task<UserRecord?>>? loadCurrent = null)
    {
        var department = UserMapping.RequireAttributes(scim, departmentOptional: current is not null || loadCurrent is not null);
        if (department is null)
        {
            current ??= await loadCurrent!();
            return current?.DefaultUnit is { ExternalId: null, Name: { } unitName } withoutExternalId
                ? UserMapping.ToWrite(scim, new UnitSnapshot(withoutExternalId.Id, null, unitName, withoutExternalId.Enabled ?? true, null), tenant)
                : throw UserMapping.DepartmentRequired();
        }

        if (current?.DefaultUnit is { ExternalId: { Length: > 0 } kept, Name: { } name } unchanged
            && string.Equals(kept, department, StringComparison.OrdinalIgnoreCase))
        {
            return UserMapping.ToWrite(scim, new UnitSnapshot(unchanged.Id, kept, name, unchanged.Enabled ?? true, null), tenant);
        }

        var unit = await orgUnits.ResolveAsync(tenant.Id, department, cancellationToken);
        if (unit is { ExternalId: { Length: > 0 } externalId })
        {
            if (!unit.Enabled && loadCurrent is not null)
            {
                current ??= await loadCurrent();
            }

            if (unit.Enabled || current?.DefaultUnit?.Id == unit.Id)
            {
                return UserMapping.ToWrite(scim, new UnitSnapshot(unit.Id, externalId, unit.Name, unit.Enabled, unit.Version), tenant);
            }
        }

        throw ScimException.InvalidValue(
            $"{ScimConstants.EnterpriseUserSchema}:department '{Clip(department)}' is not the external id of an enabled org unit of this tenant.");
    }

    private static async Task<UserRecord> NotFoundAs404(string id, Func<Task<UserRecord>> call)
    {
        try
        {
            return await call();
        }
        catch (ScimException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            throw NotFound(id);
        }
        catch (ScimException e) when (e.Status == StatusCodes.Status412PreconditionFailed)
        {
            throw ScimException.PreconditionFailed("The user has changed since the version named in If-Match.");
        }
    }

    /// <summary>
    /// <c>If-Match</c> (RFC 9110 §13.1.1): null when absent or <c>*</c> (the resource exists is all it asks), else the
    /// versions named; a tag that names no version of ours can never match.
    /// </summary>
    private static IReadOnlyList<long>? ParseIfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        var versions = new List<long>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "*")
            {
                return null;
            }

            var tag = part.StartsWith("W/", StringComparison.Ordinal) ? part[2..] : part;
            if (tag.Length >= 2 && tag[0] == '"' && tag[^1] == '"')
            {
                tag = tag[1..^1];
            }

            versions.Add(long.TryParse(tag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : -1);
        }

        return versions;
    }

    private static void CheckPrecondition(IReadOnlyList<long>? expected, long version)
    {
        if (expected is not null && !expected.Contains(version))
        {
            throw ScimException.PreconditionFailed($"The user is at version {UserMapping.ETag(version)}; If-Match names another version.");
        }
    }

    private static ScimException NotFound(string id) => ScimException.NotFound($"There is no user '{Clip(id)}'.");

    private static string Clip(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
