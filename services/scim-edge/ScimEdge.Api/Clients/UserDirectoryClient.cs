namespace Microservices.ScimEdge.Api.Clients;

/// <summary>
/// The one users-service call the Groups endpoints need: which of some ids are not users of the tenant
/// (<c>POST /internal/users/exists</c>). It will be folded into the users client.
/// </summary>
public sealed class UserDirectoryClient(HttpClient http)
{
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
