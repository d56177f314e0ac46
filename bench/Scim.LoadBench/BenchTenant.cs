using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microservices.Scim.LoadBench;

public sealed record OrgUnit(string Id, string ExternalId, string Name);

/// <summary>A tenant made for the benchmark through the admin API, its key, org units and the users seeded in it.</summary>
public sealed class BenchTenant(HttpClient http, BenchOptions options, string id, string apiKey, IReadOnlyList<OrgUnit> units)
{
    private const int SeedBatch = 5_000;
    private const int MaxRateLimit = 100_000;

    public string Id => id;
    public IReadOnlyList<OrgUnit> Units => units;
    public List<(string Id, string UserName)> Users { get; } = [];

    /// <summary>The active flag the bench last wrote for each of <see cref="Users"/>.</summary>
    public bool[] Active { get; private set; } = [];

    public static async Task<BenchTenant> CreateAsync(HttpClient http, BenchOptions options, string tenantId, int unitCount, CancellationToken cancellationToken)
    {
        await AdminAsync(http, options, HttpMethod.Post, "tenants",
            new JsonObject { ["id"] = tenantId, ["displayName"] = "Benchmark " + tenantId, ["defaultLanguage"] = "en-GB", ["timeZone"] = "Europe/London", ["dateFormat"] = "DD/MM/YYYY" },
            HttpStatusCode.Created, cancellationToken);
        using var key = await AdminAsync(http, options, HttpMethod.Post, $"tenants/{tenantId}/api-keys",
            new JsonObject { ["title"] = "bench", ["description"] = "bench/run.sh" }, HttpStatusCode.Created, cancellationToken);
        // The benchmark measures capacity, so its tenant gets the highest limit the admin API allows; the limiter
        // itself still runs on every request (docs/performance.md).
        (await AdminAsync(http, options, HttpMethod.Put, $"tenants/{tenantId}/rate-limit",
            new JsonObject { ["requestsPerSecond"] = MaxRateLimit, ["burst"] = MaxRateLimit }, HttpStatusCode.OK, cancellationToken)).Dispose();

        var units = new List<OrgUnit>();
        for (var i = 0; i < unitCount; i++)
        {
            var externalId = string.Create(CultureInfo.InvariantCulture, $"BENCH-{i:D2}");
            using var unit = await AdminAsync(http, options, HttpMethod.Post, $"tenants/{tenantId}/orgunits",
                i == 0
                    ? new JsonObject { ["name"] = "Bench unit " + externalId, ["externalId"] = externalId }
                    : new JsonObject { ["name"] = "Bench unit " + externalId, ["externalId"] = externalId, ["parentExternalId"] = units[0].ExternalId },
                HttpStatusCode.Created,
                cancellationToken);
            units.Add(new OrgUnit(unit.RootElement.GetProperty("id").GetString()!, externalId, "Bench unit " + externalId));
        }

        return new BenchTenant(http, options, tenantId, key.RootElement.GetProperty("key").GetString()!, units);
    }

    public HttpRequestMessage Scim(HttpMethod method, string pathAndQuery, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(options.EdgeUrl, "/v1/scim/" + pathAndQuery)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ScimBodies.ScimJson));
        return request;
    }

    public async Task<JsonDocument> ScimAsync(HttpMethod method, string pathAndQuery, HttpContent? content, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var request = Scim(method, pathAndQuery, content);
        return await ExpectAsync(http, request, expected, cancellationToken);
    }

    /// <summary>Sends and parses the answer; any other status than <paramref name="expected"/> throws.</summary>
    public Task<JsonDocument> SendAsync(HttpRequestMessage request, HttpStatusCode expected, CancellationToken cancellationToken) =>
        ExpectAsync(http, request, expected, cancellationToken);

    /// <summary>
    /// Seeds users <paramref name="from"/>..<paramref name="to"/>-1 through the users service's own batch route (the same
    /// validation and invariants as a POST, in one transaction per call), then reads their ids back.
    /// </summary>
    public async Task SeedAsync(int from, int to, CancellationToken cancellationToken)
    {
        for (var start = from; start < to; start += SeedBatch)
        {
            var end = Math.Min(to, start + SeedBatch);
            var users = new JsonArray();
            for (var n = start; n < end; n++)
            {
                var unit = units[n % units.Count];
                var name = ScimBodies.UserName(n);
                users.Add(new JsonObject
                {
                    ["userName"] = name,
                    ["externalId"] = string.Create(CultureInfo.InvariantCulture, $"ext-{n}"),
                    ["displayName"] = string.Create(CultureInfo.InvariantCulture, $"Bench User {n}"),
                    ["givenName"] = "Bench",
                    ["familyName"] = string.Create(CultureInfo.InvariantCulture, $"User {n}"),
                    ["email"] = name,
                    ["emails"] = new JsonArray(new JsonObject { ["value"] = name, ["type"] = "work", ["primary"] = true }),
                    ["active"] = true,
                    ["accessType"] = "full",
                    ["isManager"] = false,
                    ["preferredLanguage"] = "en-GB",
                    ["timeZone"] = "Europe/London",
                    ["dateFormat"] = "DD/MM/YYYY",
                    ["title"] = "Engineer",
                    ["defaultUnit"] = new JsonObject { ["id"] = unit.Id, ["externalId"] = unit.ExternalId, ["name"] = unit.Name, ["enabled"] = true },
                    ["employeeNumber"] = string.Create(CultureInfo.InvariantCulture, $"E{n}"),
                });
            }

            using var request = Internal(HttpMethod.Post, "/internal/users/batch", ScimBodies.Content(new JsonObject { ["users"] = users }.ToJsonString(), "application/json"));
            using var _ = await ExpectAsync(http, request, HttpStatusCode.OK, cancellationToken);
        }

        await ReadUsersAsync(int.MaxValue, cancellationToken);
    }

    /// <summary>The tenant's live users (id, userName) in list order, up to <paramref name="limit"/>, read in pages of 1,000.</summary>
    public async Task ReadUsersAsync(int limit, CancellationToken cancellationToken)
    {
        Users.Clear();
        for (var page = 0; page < 10_000 && Users.Count < limit; page++)
        {
            using var request = Internal(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"/internal/users?startIndex={(page * 1000) + 1}&count=1000"));
            using var list = await ExpectAsync(http, request, HttpStatusCode.OK, cancellationToken);
            var items = list.RootElement.GetProperty("items");
            foreach (var item in items.EnumerateArray())
            {
                Users.Add((item.GetProperty("id").GetString()!, item.GetProperty("userName").GetString()!));
            }

            if (items.GetArrayLength() < 1000)
            {
                break;
            }
        }

        Active = [.. Users.Select(_ => true)];
    }

    private HttpRequestMessage Internal(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(options.UsersUrl, path)) { Content = content };
        request.Headers.Add("dapr-api-token", options.InternalToken);
        request.Headers.Add("x-tenant-id", id);
        return request;
    }

    private static async Task<JsonDocument> AdminAsync(HttpClient http, BenchOptions options, HttpMethod method, string path, JsonObject body, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(options.EdgeUrl, "/admin/v1/" + path))
        {
            Content = ScimBodies.Content(body.ToJsonString(), "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.AdminToken);
        return await ExpectAsync(http, request, expected, cancellationToken);
    }

    private static async Task<JsonDocument> ExpectAsync(HttpClient http, HttpRequestMessage request, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{request.Method} {request.RequestUri?.AbsolutePath}: expected {(int)expected}, got {(int)response.StatusCode}: {text[..Math.Min(text.Length, 500)]}");
        }

        return JsonDocument.Parse(text.Length == 0 ? "{}" : text);
    }
}
