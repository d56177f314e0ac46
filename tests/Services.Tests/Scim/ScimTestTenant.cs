using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Scim;

/// <summary>
/// A fresh tenant with an API key and org units, made through the admin API as an operator would: a root unit
/// (no external id), two usable units with external ids, and one disabled unit. <see cref="Scim"/> is a SCIM
/// client authenticated by the tenant's key.
/// </summary>
public sealed class ScimTestTenant : IDisposable
{
    private ScimTestTenant(RunningSystem system, string id, string key, string rootUnitId, IReadOnlyDictionary<string, string> unitIds)
    {
        Id = id;
        Key = key;
        RootUnitId = rootUnitId;
        UnitIds = unitIds;
        Admin = system.AdminClient();
        Scim = system.ScimClient(key);
    }

    public const string Sales = "SALES";
    public const string Support = "SUPPORT";
    public const string Closed = "CLOSED";

    public string Id { get; }

    public string Key { get; }

    public string RootUnitId { get; }

    /// <summary>Org unit id by external id (<see cref="Sales"/>, <see cref="Support"/>, <see cref="Closed"/>).</summary>
    public IReadOnlyDictionary<string, string> UnitIds { get; }

    public HttpClient Admin { get; }

    public HttpClient Scim { get; }

    /// <summary>How long <see cref="WaitForUserAsync"/> waits for an event-driven projection to show.</summary>
    public static readonly TimeSpan ProjectionDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Creates the tenant with the given defaults (a user created without those attributes gets them).</summary>
    public static async Task<ScimTestTenant> CreateAsync(
        RunningSystem system, string defaultLanguage = "en-GB", string timeZone = "Europe/London", string dateFormat = "DD/MM/YYYY")
    {
        using var admin = system.AdminClient();
        var id = "t-" + Guid.NewGuid().ToString("N");
        using (var tenant = await admin.PostAsJsonAsync("tenants", new { id, displayName = "Tenant " + id, defaultLanguage, timeZone, dateFormat }))
        {
            Assert.Equal(HttpStatusCode.Created, tenant.StatusCode);
        }

        string key;
        using (var created = await admin.PostAsJsonAsync($"tenants/{id}/api-keys", new { title = "scim" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        }

        var root = await CreateUnitAsync(admin, id, new { name = "Root" });
        var units = new Dictionary<string, string>();
        foreach (var externalId in new[] { Sales, Support, Closed })
        {
            units[externalId] = await CreateUnitAsync(admin, id, new { name = externalId + " unit", externalId, parentId = root });
        }

        using (var disable = await admin.PatchAsJsonAsync($"tenants/{id}/orgunits/{units[Closed]}", new { enabled = false }))
        {
            Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        }

        return new ScimTestTenant(system, id, key, root, units);
    }

    /// <summary>A minimal valid SCIM User (the required attributes plus an email and title), as a mutable object.</summary>
    public static JsonObject NewUser(string? userName = null, string department = Sales) => new()
    {
        ["schemas"] = new JsonArray(ScimConstants.UserSchema, ScimConstants.EnterpriseUserSchema),
        ["userName"] = userName ?? $"u{Guid.NewGuid():N}@example.com",
        ["name"] = new JsonObject { ["givenName"] = "Ada", ["familyName"] = "Lovelace" },
        ["emails"] = new JsonArray(new JsonObject { ["value"] = "ada@example.com", ["type"] = "work", ["primary"] = true }),
        ["title"] = "Engineer",
        ["active"] = true,
        [ScimConstants.EnterpriseUserSchema] = new JsonObject { ["department"] = department },
    };

    public static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, ScimConstants.MediaType);

    public static StringContent Patch(params JsonNode[] operations) => Json(new JsonObject
    {
        ["schemas"] = new JsonArray(ScimConstants.PatchOpSchema),
        ["Operations"] = new JsonArray(operations),
    });

    public static JsonObject Op(string op, string? path, JsonNode? value)
    {
        var operation = new JsonObject { ["op"] = op };
        if (path is not null)
        {
            operation["path"] = path;
        }

        if (value is not null)
        {
            operation["value"] = value;
        }

        return operation;
    }

    /// <summary>POSTs <paramref name="user"/> and returns the created resource (asserting 201).</summary>
    public async Task<JsonObject> CreateUserAsync(JsonObject user)
    {
        using var response = await Scim.PostAsync("Users", Json(user));
        var body = await ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        return body;
    }

    public async Task<JsonObject> GetUserAsync(string id)
    {
        using var response = await Scim.GetAsync($"Users/{id}");
        var body = await ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        return body;
    }

    /// <summary>
    /// GETs the SCIM user until <paramref name="done"/> holds, at most <see cref="ProjectionDeadline"/>: what the users
    /// service learns from events (role memberships) shows a little after the write that caused it.
    /// </summary>
    public async Task<JsonObject> WaitForUserAsync(string id, Func<JsonObject, bool> done, string what)
    {
        var until = DateTime.UtcNow + ProjectionDeadline;
        while (true)
        {
            var user = await GetUserAsync(id);
            if (done(user))
            {
                return user;
            }

            Assert.True(DateTime.UtcNow < until, $"{what} did not show within {ProjectionDeadline.TotalSeconds:0} s: {user.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    /// <summary>A SCIM Group body as Okta and Entra POST it.</summary>
    public static JsonObject NewGroup(string displayName, params string[] members) => new()
    {
        ["schemas"] = new JsonArray(ScimConstants.GroupSchema),
        ["displayName"] = displayName,
        ["members"] = new JsonArray([.. members.Select(m => (JsonNode)new JsonObject { ["value"] = m })]),
    };

    /// <summary>The users service's record (with its person) through the admin API.</summary>
    public async Task<JsonElement> AdminUserAsync(string id)
    {
        using var response = await Admin.GetAsync($"tenants/{Id}/users/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Reads a SCIM response body, asserting the SCIM media type.</summary>
    public static async Task<JsonObject> ReadAsync(HttpResponseMessage response)
    {
        Assert.Equal(ScimConstants.MediaType, response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>Asserts a SCIM error with <paramref name="status"/> and <paramref name="scimType"/>; returns its detail.</summary>
    public static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string? scimType = null)
    {
        var body = await ReadAsync(response);
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body.ToJsonString()}");
        Assert.Equal(ScimConstants.ErrorSchema, body["schemas"]![0]!.GetValue<string>());
        Assert.Equal(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), body["status"]!.GetValue<string>());
        if (scimType is not null)
        {
            Assert.Equal(scimType, body["scimType"]?.GetValue<string>());
        }

        return body["detail"]!.GetValue<string>();
    }

    public void Dispose()
    {
        Admin.Dispose();
        Scim.Dispose();
    }

    private static async Task<string> CreateUnitAsync(HttpClient admin, string tenant, object unit)
    {
        using var response = await admin.PostAsJsonAsync($"tenants/{tenant}/orgunits", unit);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
