using System.Net;
using System.Text.Json.Nodes;
using Microservices.Scim.Errors;

namespace Microservices.ScimEdge.Api.Clients;

/// <summary>A role as SCIM sees it (roles' <c>/internal/groups</c> routes); <see cref="Members"/> is null when not asked for.</summary>
public sealed record RoleGroup(
    string Id,
    string DisplayName,
    string? ExternalId,
    IReadOnlyList<string>? Members,
    long Version,
    DateTimeOffset Created,
    DateTimeOffset LastModified,
    bool? Adopted = null);

public sealed record RoleGroupWrite(string DisplayName, string? ExternalId, IReadOnlyList<string> Members);

public sealed record RoleGroupPage(int TotalResults, int StartIndex, IReadOnlyList<RoleGroup> Items);

public sealed record RoleGroupPatchResult(string Id, long Version, int MembersAdded, int MembersRemoved);

/// <summary>What a group list asks the roles service for; names are the roles service's (docs/roles-service.md).</summary>
public sealed record RoleGroupQuery(string? Filter, int StartIndex, int Count, string? SortBy, string? SortOrder, bool Members);

/// <summary>
/// The roles service's internal API. The group methods are typed and turn problem answers into
/// <see cref="ScimException"/> (status and <c>scimType</c> as roles wrote them); the role methods serve the admin
/// proxy and return the raw response so status and problem bodies are forwarded unchanged.
/// </summary>
public sealed class RolesClient(HttpClient http)
{
    // A PATCH or PUT of many members is one roles transaction; give it more than an ordinary call.
    private static readonly TimeSpan _writeTimeout = TimeSpan.FromSeconds(30);

    public async Task<RoleGroup> CreateGroupAsync(string tenant, RoleGroupWrite group, CancellationToken cancellationToken)
    {
        using var request = ServiceCall.Create(HttpMethod.Post, "internal/groups", tenant, JsonContent.Create(group), _writeTimeout);
        return await ReadAsync<RoleGroup>(request, null, cancellationToken);
    }

    public async Task<RoleGroupPage> ListGroupsAsync(string tenant, RoleGroupQuery query, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string?>>
        {
            new("startIndex", query.StartIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("count", query.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("members", query.Members ? "true" : "false"),
        };
        if (query.Filter is not null)
        {
            parameters.Add(new("filter", query.Filter));
        }

        if (query.SortBy is not null)
        {
            parameters.Add(new("sortBy", query.SortBy));
            parameters.Add(new("sortOrder", query.SortOrder));
        }

        var path = "internal/groups" + QueryString.Create(parameters).ToUriComponent();
        using var request = ServiceCall.Create(HttpMethod.Get, path, tenant);
        return await ReadAsync<RoleGroupPage>(request, null, cancellationToken);
    }

    /// <summary>The group, or null when the tenant has no such group (unknown id, another tenant's, not for SCIM).</summary>
    public async Task<RoleGroup?> GetGroupAsync(string tenant, string id, bool members, CancellationToken cancellationToken)
    {
        if (!IsValidId(id))
        {
            return null;
        }

        using var request = ServiceCall.Create(HttpMethod.Get, GroupPath(id) + (members ? "?members=true" : "?members=false"), tenant);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        return await ReadBodyAsync<RoleGroup>(response, id, cancellationToken);
    }

    public async Task<RoleGroup> ReplaceGroupAsync(string tenant, string id, RoleGroupWrite group, string? ifMatch, CancellationToken cancellationToken)
    {
        using var request = ServiceCall.Create(HttpMethod.Put, GroupPath(id), tenant, JsonContent.Create(group), _writeTimeout);
        AddIfMatch(request, ifMatch);
        return await ReadAsync<RoleGroup>(request, id, cancellationToken);
    }

    /// <summary>One roles transaction: rename / externalId, then replaceMembers, removeMembers, addMembers.</summary>
    public async Task<RoleGroupPatchResult> PatchGroupAsync(string tenant, string id, JsonObject patch, string? ifMatch, CancellationToken cancellationToken)
    {
        using var request = ServiceCall.Create(HttpMethod.Patch, GroupPath(id), tenant, JsonContent.Create(patch), _writeTimeout);
        AddIfMatch(request, ifMatch);
        return await ReadAsync<RoleGroupPatchResult>(request, id, cancellationToken);
    }

    public async Task DeleteGroupAsync(string tenant, string id, string? ifMatch, CancellationToken cancellationToken)
    {
        using var request = ServiceCall.Create(HttpMethod.Delete, GroupPath(id), tenant, timeout: _writeTimeout);
        AddIfMatch(request, ifMatch);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync(response, id, cancellationToken);
        }
    }

    public Task<HttpResponseMessage> CreateRoleAsync(string tenant, HttpContent body, CancellationToken cancellationToken) =>
        SendRawAsync(ServiceCall.Create(HttpMethod.Post, "internal/roles", tenant, body), cancellationToken);

    public Task<HttpResponseMessage> ListRolesAsync(string tenant, CancellationToken cancellationToken) =>
        SendRawAsync(ServiceCall.Create(HttpMethod.Get, "internal/roles", tenant), cancellationToken);

    public Task<HttpResponseMessage> GetRoleAsync(string tenant, string id, CancellationToken cancellationToken) =>
        SendRawAsync(ServiceCall.Create(HttpMethod.Get, RolePath(id), tenant), cancellationToken);

    public Task<HttpResponseMessage> PatchRoleAsync(string tenant, string id, HttpContent body, string? ifMatch, CancellationToken cancellationToken)
    {
        var request = ServiceCall.Create(HttpMethod.Patch, RolePath(id), tenant, body);
        AddIfMatch(request, ifMatch);
        return SendRawAsync(request, cancellationToken);
    }

    public Task<HttpResponseMessage> GetRoleMembersAsync(string tenant, string id, CancellationToken cancellationToken) =>
        SendRawAsync(ServiceCall.Create(HttpMethod.Get, RolePath(id) + "/members", tenant), cancellationToken);

    /// <summary>Role ids are UUIDs; roles treats a route id over 64 characters as naming nothing, and path characters never name a role.</summary>
    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string GroupPath(string id) =>
        IsValidId(id) ? "internal/groups/" + id : throw ScimException.NotFound($"There is no group '{Shorten(id)}'.");

    private static string RolePath(string id) =>
        IsValidId(id) ? "internal/roles/" + id : throw new ArgumentException("not a role id", nameof(id));

    private static void AddIfMatch(HttpRequestMessage request, string? ifMatch)
    {
        if (!string.IsNullOrEmpty(ifMatch))
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
    }

    private async Task<T> ReadAsync<T>(HttpRequestMessage request, string? id, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken);
        return await ReadBodyAsync<T>(response, id, cancellationToken);
    }

    private static async Task<T> ReadBodyAsync<T>(HttpResponseMessage response, string? id, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync(response, id, cancellationToken);
        }

        return await response.Content.ReadFromJsonAsync<T>(cancellationToken)
            ?? throw new ServiceUnavailableException(ServiceApp.Roles.AppId, "it answered an empty body");
    }

    private static async Task<ScimException> FailureAsync(HttpResponseMessage response, string? id, CancellationToken cancellationToken) =>
        response.StatusCode == HttpStatusCode.NotFound && id is not null
            ? ScimException.NotFound($"There is no group '{Shorten(id)}'.")
            : await ServiceProblem.ToScimExceptionAsync(response, ServiceApp.Roles.AppId, cancellationToken);

    private static string Shorten(string id) => id.Length <= 64 ? id : id[..64] + "…";

    private Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
}
