using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim;
using Microservices.Services.Tests.Edge;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Users.Api.Domain;
using TestUsers = Microservices.Services.Tests.Users.UsersClient;

namespace Microservices.Services.Tests.Scim;

/// <summary>
/// A fresh tenant for SCIM Group tests: an API key, a root org unit (admin routes), users seeded through the users
/// service's internal API (SCIM /Users is written elsewhere), and helpers for SCIM and admin role calls.
/// </summary>
internal sealed class GroupTestTenant : IDisposable
{
    private readonly HttpClient _users;
    private UnitSnapshot _root = null!;

    private GroupTestTenant(RunningSystem system, string tenant, string key)
    {
        System = system;
        Tenant = tenant;
        Admin = system.AdminClient();
        Scim = system.ScimClient(key);
        _users = system.InternalClient("users", tenant);
    }

    public RunningSystem System { get; }

    public string Tenant { get; }

    public HttpClient Admin { get; }

    public HttpClient Scim { get; }

    public static async Task<GroupTestTenant> CreateAsync(RunningSystem system)
    {
        using var admin = system.AdminClient();
        var tenant = await EdgeTestApi.CreateTenantAsync(admin);
        var (_, key) = await EdgeTestApi.CreateKeyAsync(admin, tenant);
        var created = new GroupTestTenant(system, tenant, key);
        using var unit = await created.Admin.PostAsJsonAsync($"tenants/{tenant}/orgunits", new { name = "Head Office", externalId = "ROOT" });
        Assert.Equal(HttpStatusCode.Created, unit.StatusCode);
        var body = (await unit.Content.ReadFromJsonAsync<JsonObject>())!;
        created._root = new UnitSnapshot(body["id"]!.GetValue<string>(), "ROOT", "Head Office", true, body["version"]?.GetValue<long>());
        return created;
    }

    public static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Creates <paramref name="count"/> users (in batches) and returns their ids.</summary>
    public async Task<List<string>> CreateUsersAsync(int count)
    {
        var prefix = Unique("u");
        var writes = Enumerable.Range(0, count)
            .Select(i => TestUsers.Sample(string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i:D5}")) with { DefaultUnit = _root })
            .ToList();
        foreach (var chunk in writes.Chunk(500))
        {
            using var response = await _users.PostAsJsonAsync("/internal/users/batch", new UsersBatch([.. chunk]), TestUsers.Json);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        var ids = new List<string>();
        for (var start = 1; ids.Count < count; start += 1000)
        {
            var filter = Uri.EscapeDataString($"userName sw \"{prefix}\"");
            var page = (await _users.GetFromJsonAsync<UserList>($"/internal/users?filter={filter}&startIndex={start}&count=1000", TestUsers.Json))!;
            Assert.NotEmpty(page.Items);
            ids.AddRange(page.Items.Select(u => u.Id));
        }

        Assert.Equal(count, ids.Count);
        return ids;
    }

    public async Task<string> CreateUserAsync() => (await CreateUsersAsync(1))[0];

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var json = body as string ?? JsonSerializer.Serialize(body, JsonSerializerOptions.Web);
            request.Content = new StringContent(json, Encoding.UTF8, ScimConstants.MediaType);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await Scim.SendAsync(request);
    }

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode}: {text}");
        Assert.Equal(ScimConstants.MediaType, response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!.AsObject();
    }

    public static object GroupBody(string displayName, IEnumerable<string>? members = null, string? externalId = null) => new Dictionary<string, object?>
    {
        ["schemas"] = new[] { ScimConstants.GroupSchema },
        ["displayName"] = displayName,
        ["externalId"] = externalId,
        ["members"] = (members ?? []).Select(m => new { value = m }).ToArray(),
    };

    public static object Patch(params object[] operations) => new
    {
        schemas = new[] { ScimConstants.PatchOpSchema },
        Operations = operations,
    };

    public static object AddMembers(IEnumerable<string> ids, string op = "add") =>
        new { op, path = "members", value = ids.Select(id => new Dictionary<string, string?> { ["value"] = id, ["$ref"] = null }).ToArray() };

    public static object RemoveMembersByValue(IEnumerable<string> ids) =>
        new { op = "Remove", path = "members", value = ids.Select(id => new { value = id }).ToArray() };

    public static object RemoveMemberByFilter(string id) => new { op = "remove", path = $"members[value eq \"{id}\"]" };

    public async Task<JsonObject> CreateGroupAsync(string displayName, IEnumerable<string>? members = null, string? externalId = null)
    {
        using var response = await SendAsync(HttpMethod.Post, "Groups", GroupBody(displayName, members, externalId));
        return await JsonAsync(response, HttpStatusCode.Created);
    }

    public async Task<JsonObject> GetGroupAsync(string id, string query = "")
    {
        using var response = await SendAsync(HttpMethod.Get, $"Groups/{id}{query}");
        return await JsonAsync(response, HttpStatusCode.OK);
    }

    public async Task<List<string>> MembersAsync(string id) =>
        [.. ((await GetGroupAsync(id))["members"]?.AsArray() ?? []).Select(m => m!["value"]!.GetValue<string>()).Order(StringComparer.Ordinal)];

    public async Task PatchOkAsync(string id, object patch)
    {
        using var response = await SendAsync(HttpMethod.Patch, $"Groups/{id}", patch);
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<JsonObject> CreateRoleAsync(string name, string? externalId, object? permissions = null)
    {
        using var response = await Admin.PostAsJsonAsync($"tenants/{Tenant}/roles", new { name, externalId, permissions });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task<JsonObject> GetRoleAsync(string id)
    {
        using var response = await Admin.GetAsync($"tenants/{Tenant}/roles/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task<List<string>> RoleMembersAsync(string roleId)
    {
        using var response = await Admin.GetAsync($"tenants/{Tenant}/roles/{roleId}/members");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return [.. body["items"]!.AsArray().Select(i => i!["userId"]!.GetValue<string>())];
    }

    public void Dispose()
    {
        Admin.Dispose();
        Scim.Dispose();
        _users.Dispose();
    }
}
