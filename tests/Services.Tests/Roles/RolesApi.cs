using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microservices.Roles.Api.Domain;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Roles;

/// <summary>Calls to the roles service's internal API, as the edge will make them.</summary>
internal static class RolesApi
{
    public static string NewTenant() => "t-" + Guid.NewGuid().ToString("N")[..12];

    public static HttpClient Client(this SystemFixture fixture, string tenant) => fixture.System.InternalClient("roles", tenant);

    /// <summary>
    /// Asserts that <paramref name="permissions"/> names every module of the roles service exactly once, each with
    /// <paramref name="access"/>: an "all Deny" check over the values alone would also pass on an empty object.
    /// </summary>
    public static void AssertEveryModule(JsonNode? permissions, string access)
    {
        var granted = permissions!.AsObject();
        Assert.Equal(Modules.All.Select(m => m.Key).Order(StringComparer.Ordinal), granted.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.All(granted, p => Assert.Equal(access, p.Value!.GetValue<string>()));
    }

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string path, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> SendRawAsync(this HttpClient client, HttpMethod method, string path, string body) =>
        client.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") });

    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text.Length == 0 ? "{}" : text)!;
    }

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(path);
        return await response.JsonAsync(expected);
    }

    public static async Task<JsonNode> CreateGroupAsync(this HttpClient client, string displayName, IEnumerable<string>? members = null, string? externalId = null)
    {
        using var response = await client.SendJsonAsync(HttpMethod.Post, "/internal/groups", new { displayName, externalId, members = members?.ToArray() ?? [] });
        return await response.JsonAsync(HttpStatusCode.Created);
    }

    public static async Task<JsonNode> CreateRoleAsync(this HttpClient client, string name, string? externalId = null, object? permissions = null)
    {
        using var response = await client.SendJsonAsync(HttpMethod.Post, "/internal/roles", new { name, externalId, permissions });
        return await response.JsonAsync(HttpStatusCode.Created);
    }

    public static async Task<JsonNode> PatchGroupAsync(this HttpClient client, string id, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.SendJsonAsync(HttpMethod.Patch, $"/internal/groups/{id}", body);
        return await response.JsonAsync(expected);
    }

    public static async Task<string[]> MembersAsync(this HttpClient client, string groupId)
    {
        var group = await client.GetJsonAsync($"/internal/groups/{groupId}?members=true");
        return [.. group["members"]!.AsArray().Select(m => m!.GetValue<string>()).Order(StringComparer.Ordinal)];
    }

    public static string Id(this JsonNode node) => node["id"]!.GetValue<string>();

    public static string[] Strings(this JsonNode? node) =>
        node is null ? [] : [.. node.AsArray().Select(n => n!.GetValue<string>())];

    public static string[] Users(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => $"{prefix}-{i:D6}")];

    /// <summary>The problem document's scimType and field, after asserting the status.</summary>
    public static async Task<(string? ScimType, string? Field)> ProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.JsonAsync(expected);
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString() ?? "", StringComparison.Ordinal);
        return (body["scimType"]?.GetValue<string>(), body["field"]?.GetValue<string>());
    }
}
