using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim.Errors;

namespace Microservices.ScimEdge.Api.Clients;

/// <summary>A user as the users service's internal API returns it (its record plus the person projection).</summary>
public sealed record UserRecord(
    string Id,
    string UserName,
    string? ExternalId,
    string? DisplayName,
    string GivenName,
    string FamilyName,
    string? MiddleName,
    string? HonorificPrefix,
    string? HonorificSuffix,
    string? FormattedName,
    string? Email,
    IReadOnlyList<UserEmail> Emails,
    bool Active,
    string? UserType,
    string AccessType,
    bool IsManager,
    string PreferredLanguage,
    string? Locale,
    string TimeZone,
    string DateFormat,
    string? Title,
    UserUnit? DefaultUnit,
    string? Department,
    string? EmployeeNumber,
    string? PersonReference,
    string? WorkPhone,
    string? MobilePhone,
    JsonObject? Attributes,
    long Version,
    DateTime Created,
    DateTime LastModified,
    IReadOnlyList<UserRole> Roles);

public sealed record UserEmail(string Value, string? Type, bool Primary);

/// <summary>The user's default unit as the users service's projection knows it (no version: events own that).</summary>
public sealed record UserUnit(string Id, string? ExternalId, string? Name, bool? Enabled);

public sealed record UserRole(string Id, string Display);

public sealed record UserPage(long TotalResults, int StartIndex, IReadOnlyList<UserRecord> Items);

/// <summary>
/// The users service's internal API (<c>/internal/users...</c>). The typed methods serve SCIM: a refusal of the
/// service becomes a <see cref="ScimException"/> carrying its status, scimType and detail; the raw ones serve the
/// admin proxy.
/// </summary>
public sealed class UsersClient(HttpClient http)
{
    private static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web);

    /// <summary>The user, or null when the tenant has no such (undeleted) user.</summary>
    public async Task<UserRecord?> GetAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        if (!IsValidId(id))
        {
            return null;
        }

        // SCIM never shows the person register record: the service leaves it out (and its join).
        using var response = await SendAsync(ServiceCall.Create(HttpMethod.Get, "internal/users/" + id + "?person=false", tenant), cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync<UserRecord>(response, cancellationToken);
    }

    public async Task<UserRecord> CreateAsync(string tenant, JsonObject write, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(ServiceCall.Create(HttpMethod.Post, "internal/users", tenant, JsonContent.Create(write)), cancellationToken);
        return await ReadAsync<UserRecord>(response, cancellationToken);
    }

    /// <summary>Replaces the user; <paramref name="version"/>, when given, must be current (else 412 as a <see cref="ScimException"/>).</summary>
    public async Task<UserRecord> ReplaceAsync(string tenant, string id, JsonObject write, long? version, CancellationToken cancellationToken)
    {
        if (!IsValidId(id))
        {
            throw NotFound(id);
        }

        var request = ServiceCall.Create(HttpMethod.Put, "internal/users/" + id, tenant, JsonContent.Create(write));
        if (version is { } v)
        {
            request.Headers.TryAddWithoutValidation("If-Match", string.Create(CultureInfo.InvariantCulture, $"W/\"{v}\""));
        }

        using var response = await SendAsync(request, cancellationToken);
        return await ReadAsync<UserRecord>(response, cancellationToken);
    }

    /// <summary>
    /// False when the tenant has no such (undeleted) user. <paramref name="versions"/>, when given, go as If-Match and
    /// are checked by the service under the user's row lock (none current → 412 as a <see cref="ScimException"/>).
    /// </summary>
    public async Task<bool> DeleteAsync(string tenant, string id, IReadOnlyList<long>? versions, CancellationToken cancellationToken)
    {
        if (!IsValidId(id))
        {
            return false;
        }

        var request = ServiceCall.Create(HttpMethod.Delete, "internal/users/" + id, tenant);
        if (versions is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", string.Join(", ", versions.Select(v => string.Create(CultureInfo.InvariantCulture, $"W/\"{v}\""))));
        }

        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return true;
    }

    /// <summary>A page of users; <paramref name="filter"/> and <paramref name="sortBy"/> use the domain field names.</summary>
    public async Task<UserPage> ListAsync(string tenant, string? filter, string? sortBy, bool descending, int startIndex, int count, CancellationToken cancellationToken)
    {
        var query = new List<string>
        {
            "startIndex=" + startIndex.ToString(CultureInfo.InvariantCulture),
            "count=" + count.ToString(CultureInfo.InvariantCulture),
            "person=false",
        };
        if (filter is not null)
        {
            query.Add("filter=" + Uri.EscapeDataString(filter));
        }

        if (sortBy is not null)
        {
            query.Add("sortBy=" + Uri.EscapeDataString(sortBy));
            query.Add("sortOrder=" + (descending ? "descending" : "ascending"));
        }

        using var response = await SendAsync(ServiceCall.Create(HttpMethod.Get, "internal/users?" + string.Join('&', query), tenant), cancellationToken);
        return await ReadAsync<UserPage>(response, cancellationToken);
    }

    /// <summary>Admin proxy: the list route with the caller's query as written.</summary>
    public Task<HttpResponseMessage> ListRawAsync(string tenant, QueryString query, CancellationToken cancellationToken) =>
        SendAsync(ServiceCall.Create(HttpMethod.Get, "internal/users" + query.ToUriComponent(), tenant), cancellationToken);

    /// <summary>Admin proxy: one user with its person record, with the caller's query (e.g. <c>includeDeleted</c>) as written.</summary>
    public Task<HttpResponseMessage> GetRawAsync(string tenant, string id, QueryString query, CancellationToken cancellationToken) =>
        SendAsync(ServiceCall.Create(HttpMethod.Get, "internal/users/" + id + query.ToUriComponent(), tenant), cancellationToken);

    /// <summary>Admin proxy: the tenant's job-title picklist.</summary>
    public Task<HttpResponseMessage> JobTitlesRawAsync(string tenant, CancellationToken cancellationToken) =>
        SendAsync(ServiceCall.Create(HttpMethod.Get, "internal/job-titles", tenant), cancellationToken);

    /// <summary>User ids are UUID-like tokens; anything else could climb the path and never names a user.</summary>
    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static ScimException NotFound(string id) => ScimException.NotFound($"There is no user '{Truncate(id)}'.");

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(_json, cancellationToken)
            ?? throw new ServiceUnavailableException(ServiceApp.Users.AppId, "it answered an empty body");
    }

    /// <summary>The service's problem document (status, scimType, detail) becomes the SCIM error of the same meaning.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceProblem.ToScimExceptionAsync(response, ServiceApp.Users.AppId, cancellationToken);
        }
    }

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    /// <summary>The users service's bound on one exists call.</summary>
    public const int MaxIdsPerCall = 10_000;

    /// <summary>The ids among <paramref name="ids"/> that are not users of <paramref name="tenant"/>, in input order.</summary>
    public async Task<IReadOnlyList<string>> MissingAsync(string tenant, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var missing = new List<string>();
        foreach (var chunk in ids.Chunk(MaxIdsPerCall))
        {
            using var request = ServiceCall.Create(HttpMethod.Post, "internal/users/exists", tenant, JsonContent.Create(new ExistsRequest(chunk)));
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ServiceProblem.ToScimExceptionAsync(response, ServiceApp.Users.AppId, cancellationToken);
            }

            var body = await response.Content.ReadFromJsonAsync<ExistsResponse>(cancellationToken)
                ?? throw new ServiceUnavailableException(ServiceApp.Users.AppId, "it answered an empty body");
            missing.AddRange(body.Missing);
        }

        return missing;
    }

    private sealed record ExistsRequest(IReadOnlyList<string> Ids);

    private sealed record ExistsResponse(IReadOnlyList<string> Missing);
}
