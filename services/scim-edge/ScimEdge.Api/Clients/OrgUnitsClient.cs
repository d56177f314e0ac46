using System.Net;
using Microsoft.Extensions.Options;

namespace Microservices.ScimEdge.Api.Clients;

/// <summary>An org unit as the orgunits service's internal API returns it.</summary>
public sealed record OrgUnit(
    string Id,
    string Name,
    string? ExternalId,
    string? ParentId,
    bool Enabled,
    string? Path,
    int Depth,
    long Version,
    DateTimeOffset Created,
    DateTimeOffset LastModified);

/// <summary>
/// What a user write carries of its default unit (the users service keeps a projection of it); <c>Version</c> is the
/// orgunits version when the unit was just resolved, null when it comes from the users projection itself.
/// <c>ExternalId</c> is null only for a kept unit whose external id was cleared since.
/// </summary>
public sealed record UnitSnapshot(string Id, string? ExternalId, string Name, bool Enabled, long? Version);

/// <summary>
/// The orgunits service's internal API (<c>/internal/orgunits...</c>). Every method names the tenant it acts for.
/// The admin proxy methods return the raw response (status and problem body are forwarded unchanged, the body is
/// streamed); <see cref="ResolveAsync"/> is the typed form the SCIM endpoints use.
/// </summary>
public sealed class OrgUnitsClient(HttpClient http, IOptions<OrgUnitsProxyOptions> options)
{
    // Imports and batches stream the caller's body through and write up to 100,000 units: they get their own bound.
    private readonly TimeSpan _bulkTimeout = options.Value.ImportTimeout;

    public Task<HttpResponseMessage> CreateAsync(string tenant, HttpContent body, CancellationToken cancellationToken) =>
        SendAsync(ServiceCall.Create(HttpMethod.Post, "internal/orgunits", tenant, body), cancellationToken);

    public Task<HttpResponseMessage> CreateBatchAsync(string tenant, HttpContent body, CancellationToken cancellationToken) =>
        SendAsync(ServiceCall.Create(HttpMethod.Post, "internal/orgunits/batch", tenant, body, _bulkTimeout), cancellationToken);

    /// <summary>Lists units; <paramref name="query"/> (paging, filters) is passed on as the caller wrote it.</summary>
    public Task<HttpResponseMessage> ListAsync(string tenant, QueryString query, CancellationToken cancellationToken) =>
        SendAsync(ServiceCall.Create(HttpMethod.Get, "internal/orgunits" + query.ToUriComponent(), tenant), cancellationToken);

    public Task<HttpResponseMessage> GetAsync(string tenant, string id, CancellationToken cancellationToken) =>
        SendAsync(ServiceCall.Create(HttpMethod.Get, UnitPath(id), tenant), cancellationToken);

    public Task<HttpResponseMessage> PatchAsync(string tenant, string id, HttpContent body, string? ifMatch, CancellationToken cancellationToken)
    {
        var request = ServiceCall.Create(HttpMethod.Patch, UnitPath(id), tenant, body);
        if (!string.IsNullOrEmpty(ifMatch))
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return SendAsync(request, cancellationToken);
    }

    public Task<HttpResponseMessage> ImportAsync(string tenant, HttpContent csv, CancellationToken cancellationToken) =>
        SendAsync(ServiceCall.Create(HttpMethod.Post, "internal/orgunits/import", tenant, csv, _bulkTimeout), cancellationToken);

    /// <summary>The unit with this external id in the tenant, or null when there is none.</summary>
    public async Task<OrgUnit?> ResolveAsync(string tenant, string externalId, CancellationToken cancellationToken)
    {
        using var request = ServiceCall.Create(HttpMethod.Get, "internal/orgunits/resolve?externalId=" + Uri.EscapeDataString(externalId), tenant);
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            // A refusal becomes the SCIM error of the same meaning, a failure 503: never an unhandled 500.
            throw await ServiceProblem.ToScimExceptionAsync(response, ServiceApp.OrgUnits.AppId, cancellationToken);
        }

        return await response.Content.ReadFromJsonAsync<OrgUnit>(cancellationToken);
    }

    /// <summary>Org unit ids are UUID-like tokens; anything else could climb the path (<c>..</c>) and never names a unit.</summary>
    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string UnitPath(string id) =>
        IsValidId(id) ? "internal/orgunits/" + id : throw new ArgumentException("not an org unit id", nameof(id));

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
}
