using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microservices.Services.Tests.Scim;

namespace Microservices.Services.Tests.Edge;

public abstract class AuditTests(EdgeSystemFixture fixture)
{
    private readonly HttpClient _admin = fixture.System.AdminClient();

    [Fact]
    public async Task ScimRequest_Success_IsRecordedWithCallerRouteAndCorrelationId()
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        var keyId = await OnlyKeyIdAsync(t.Id);
        using var post = new HttpRequestMessage(HttpMethod.Post, "Users") { Content = ScimTestTenant.Json(ScimTestTenant.NewUser()) };
        post.Headers.TryAddWithoutValidation("User-Agent", AuditTestApi.OktaAgent);
        string traceId;
        HttpResponseMessage created;
        using (var trace = AuditTestApi.StartTrace())
        {
            traceId = trace.TraceId.ToHexString();
            created = await t.Scim.SendAsync(post);
        }

        using var disposeCreated = created;
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var userId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var read = new HttpRequestMessage(HttpMethod.Get, $"Users/{userId}");
        read.Headers.TryAddWithoutValidation("User-Agent", AuditTestApi.EntraAgent);
        using (var got = await t.Scim.SendAsync(read))
        {
            Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        }

        var rows = await AuditTestApi.WaitForAsync(_admin, t.Id, r => r.Text("kind") == "scim" && r.Text("resourceId") == userId, 2);
        var create = Assert.Single(rows, r => r.Text("method") == "POST");
        Assert.Equal(201, create.Status());
        Assert.Equal("/Users", create.Text("route"));
        Assert.Equal("Users", create.Text("resourceType"));
        Assert.Equal(t.Id, create.Text("tenantId"));
        Assert.Equal(keyId, create.Text("apiKeyId"));
        Assert.Equal("okta", create.Text("client"));
        Assert.Equal(traceId, create.Text("correlationId"));
        Assert.Null(create.Text("scimType"));
        Assert.True(create.GetProperty("durationMs").GetDouble() >= 0);
        var get = Assert.Single(rows, r => r.Text("method") == "GET");
        Assert.Equal(200, get.Status());
        Assert.Equal("/Users/{id}", get.Text("route"));
        Assert.Equal("entra", get.Text("client"));
        Assert.NotEqual(traceId, get.Text("correlationId"));
        Assert.False(string.IsNullOrEmpty(get.Text("correlationId")));
    }

    [Fact]
    public async Task ScimRequest_Error_IsRecordedWithStatusAndScimType()
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        var user = ScimTestTenant.NewUser();
        await t.CreateUserAsync(user);

        using (var duplicate = await t.Scim.PostAsync("Users", ScimTestTenant.Json(ScimTestTenant.NewUser(user["userName"]!.GetValue<string>()))))
        {
            Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        }

        using (var badFilter = await t.Scim.GetAsync("Users?filter=" + Uri.EscapeDataString("userName eq")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badFilter.StatusCode);
        }

        using (var unknown = await t.Scim.GetAsync("NoSuchEndpoint"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        var errors = await AuditTestApi.WaitForAsync(_admin, t.Id, r => r.Text("kind") == "scim" && r.Status() >= 400, 3);
        var conflict = Assert.Single(errors, r => r.Status() == 409);
        Assert.Equal("uniqueness", conflict.Text("scimType"));
        Assert.Equal("/Users", conflict.Text("route"));
        var invalid = Assert.Single(errors, r => r.Status() == 400);
        Assert.Equal("invalidFilter", invalid.Text("scimType"));
        Assert.Equal("other", invalid.Text("client"));
        var notFound = Assert.Single(errors, r => r.Status() == 404);
        Assert.Null(notFound.Text("scimType"));
        Assert.Null(notFound.Text("resourceType"));
    }

    [Fact]
    public async Task ScimRequest_WithAnInvalidKey_IsRecordedWithoutTenantOrKey()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var (_, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);
        var tampered = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');
        using var scim = new HttpClient { BaseAddress = fixture.System.ScimBaseUrl };
        using var request = EdgeTestApi.ScimRequest(HttpMethod.Get, "Users", "Bearer " + tampered);
        using var trace = AuditTestApi.StartTrace();
        var traceId = trace.TraceId.ToHexString();

        using var response = await scim.SendAsync(request);

        await EdgeTestApi.AssertScimUnauthorizedAsync(response);
        var row = await AuditTestApi.WaitForRowAsync(fixture.Engine, fixture.EdgeConnectionString, traceId);
        Assert.Equal("401", row["status"]);
        Assert.Null(row["tenant_id"]);
        Assert.Null(row["api_key_id"]);
        Assert.Equal("/Users", row["route"]);
        Assert.DoesNotContain(row.Values, v => v is not null && (v.Contains(tampered[6..16], StringComparison.Ordinal) || v.Contains(key[6..16], StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ScimRequest_WithARevokedKey_IsRecordedUnderTheKeysTenantAndId()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var (keyId, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);
        using (var revoke = await _admin.DeleteAsync($"tenants/{tenant}/api-keys/{keyId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using var scim = fixture.System.ScimClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Get, "Users");
        request.Headers.TryAddWithoutValidation("User-Agent", AuditTestApi.EntraAgent);

        using var response = await scim.SendAsync(request);

        // The IdP gets the same answer as for an unknown key; only the audit record knows the difference.
        await EdgeTestApi.AssertScimUnauthorizedAsync(response);
        var row = Assert.Single(await AuditTestApi.WaitForAsync(_admin, tenant, r => r.Text("kind") == "scim"));
        Assert.Equal(401, row.Status());
        Assert.Equal(tenant, row.Text("tenantId"));
        Assert.Equal(keyId, row.Text("apiKeyId"));
        Assert.Equal("entra", row.Text("client"));
        Assert.Equal("/Users", row.Text("route"));
        // The operator's first query when an IdP reports failures finds it, by class and by key.
        Assert.Equal(row.Text("id"), Assert.Single(await ItemsAsync(tenant, "?status=4xx")).Text("id"));
        Assert.Equal(row.Text("id"), Assert.Single(await ItemsAsync(tenant, "?keyId=" + keyId)).Text("id"));
        var rows = await AuditTestApi.ReadTableAsync(fixture.Engine, fixture.EdgeConnectionString);
        Assert.DoesNotContain(rows, r => r.Values.Any(v => v is not null && (v.Contains(key, StringComparison.Ordinal) || v.Contains(key[6..20], StringComparison.Ordinal))));
    }

    [Fact]
    public async Task AuditTable_AfterEveryKindOfRequest_HoldsNoKeyAndNoBody()
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        var marker = "marker" + Guid.NewGuid().ToString("N");
        var user = ScimTestTenant.NewUser($"{marker}@example.com");
        user["title"] = marker + "-title";
        await t.CreateUserAsync(user);
        using (await t.Scim.PostAsync("Users", ScimTestTenant.Json(user)))
        {
        }

        using (var limit = await _admin.PutAsJsonAsync($"tenants/{t.Id}/rate-limit", new { requestsPerSecond = 1, burst = 1 }))
        {
            Assert.Equal(HttpStatusCode.OK, limit.StatusCode);
        }

        // The edge's clock stands still between the two calls, so the second one is refused on any machine.
        using (fixture.Clock.Pause())
        using (await t.Scim.GetAsync("ServiceProviderConfig"))
        using (await t.Scim.GetAsync("ServiceProviderConfig"))
        {
        }

        var wrongKey = t.Key[..^1] + (t.Key[^1] == 'A' ? 'B' : 'A');
        using (var stranger = fixture.System.ScimClient(wrongKey))
        using (await stranger.GetAsync($"Users?filter=userName eq \"{marker}\""))
        {
        }

        await AuditTestApi.WaitForAsync(_admin, t.Id, r => r.Status() == 429);
        await AuditTestApi.WaitForAsync(_admin, t.Id, r => r.Text("kind") == "admin" && r.Text("route") == "/tenants/{tenant}/rate-limit");
        var rows = await AuditTestApi.ReadTableAsync(fixture.Engine, fixture.EdgeConnectionString);

        Assert.Contains(rows, r => r["tenant_id"] == t.Id && r["status"] == "409");
        // Neither key (nor a stretch of either's secret part), nor any value of the bodies, in any column of any row.
        string[] forbidden = [t.Key, t.Key[6..20], wrongKey[^14..], marker, "Lovelace", "ada@example.com"];
        foreach (var row in rows)
        {
            foreach (var (column, value) in row)
            {
                Assert.False(value is not null && forbidden.Any(f => value.Contains(f, StringComparison.Ordinal)), $"column {column} holds '{value}'");
            }
        }
    }

    [Fact]
    public async Task AdminActions_AreRecordedWithTenantAndResource_ReadsAreNot()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var (keyId, _) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);
        using (await _admin.GetAsync($"tenants/{tenant}/api-keys"))
        using (await _admin.DeleteAsync($"tenants/{tenant}/api-keys/{keyId}"))
        using (await _admin.PutAsJsonAsync($"tenants/{tenant}/rate-limit", new { requestsPerSecond = 10, burst = 20 }))
        {
        }

        var rows = await AuditTestApi.WaitForAsync(_admin, tenant, r => r.Text("kind") == "admin", 4);

        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(tenant, r.Text("tenantId")));
        var created = Assert.Single(rows, r => r.Text("route") == "/tenants");
        Assert.Equal(("POST", 201, tenant), (created.Text("method"), created.Status(), created.Text("resourceId")));
        var key = Assert.Single(rows, r => r.Text("route") == "/tenants/{tenant}/api-keys");
        Assert.Equal(("POST", 201, keyId, "api-keys"), (key.Text("method"), key.Status(), key.Text("resourceId"), key.Text("resourceType")));
        var revoked = Assert.Single(rows, r => r.Text("route") == "/tenants/{tenant}/api-keys/{keyId}");
        Assert.Equal(("DELETE", 204, keyId), (revoked.Text("method"), revoked.Status(), revoked.Text("resourceId")));
        var limit = Assert.Single(rows, r => r.Text("route") == "/tenants/{tenant}/rate-limit");
        Assert.Equal(("PUT", 200), (limit.Text("method"), limit.Status()));
    }

    [Fact]
    public async Task AdminActions_OrgUnitCsvImportAndRolePermissionChange_AreRecordedWithTheirResource()
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        var csv = $"id,externalId,name\n{t.UnitIds[ScimTestTenant.Support]},HELPDESK,Helpdesk\n";
        using (var import = await _admin.PostAsync($"tenants/{t.Id}/orgunits/import", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv")))
        {
            Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        }

        string roleId;
        using (var created = await _admin.PostAsJsonAsync($"tenants/{t.Id}/roles", new { name = "Safety lead", permissions = new { incidents = "Allow" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            roleId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        using (var changed = await _admin.PatchAsJsonAsync($"tenants/{t.Id}/roles/{roleId}", new { permissions = new { incidents = "Deny", audits = "Allow" } }))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        var rows = await AuditTestApi.WaitForAsync(
            _admin, t.Id, r => r.Text("kind") == "admin" && (r.Text("route")!.EndsWith("/import", StringComparison.Ordinal) || r.Text("route")!.Contains("/roles", StringComparison.Ordinal)), 3);

        Assert.All(rows, r => Assert.Equal(t.Id, r.Text("tenantId")));
        var imported = Assert.Single(rows, r => r.Text("route") == "/tenants/{tenant}/orgunits/import");
        Assert.Equal(("POST", 200, "orgunits"), (imported.Text("method"), imported.Status(), imported.Text("resourceType")));
        Assert.Null(imported.Text("resourceId"));
        var role = Assert.Single(rows, r => r.Text("route") == "/tenants/{tenant}/roles");
        Assert.Equal(("POST", 201, "roles", roleId), (role.Text("method"), role.Status(), role.Text("resourceType"), role.Text("resourceId")));
        var permissions = Assert.Single(rows, r => r.Text("route") == "/tenants/{tenant}/roles/{id}");
        Assert.Equal(("PATCH", 200, "roles", roleId), (permissions.Text("method"), permissions.Status(), permissions.Text("resourceType"), permissions.Text("resourceId")));
        Assert.Null(permissions.Text("apiKeyId"));
        Assert.Null(permissions.Text("client"));
    }

    [Fact]
    public async Task AuditQuery_OtherTenant_NeverSeesTheRows()
    {
        using var a = await ScimTestTenant.CreateAsync(fixture.System);
        using var b = await ScimTestTenant.CreateAsync(fixture.System);
        var userA = (await a.CreateUserAsync(ScimTestTenant.NewUser()))["id"]!.GetValue<string>();
        var userB = (await b.CreateUserAsync(ScimTestTenant.NewUser()))["id"]!.GetValue<string>();

        var rowsA = await AuditTestApi.WaitForAsync(_admin, a.Id, r => r.Text("resourceId") == userA);
        var rowsB = await AuditTestApi.WaitForAsync(_admin, b.Id, r => r.Text("resourceId") == userB);
        var allA = (await AuditTestApi.PageAsync(_admin, a.Id, "?limit=1000")).GetProperty("items").EnumerateArray().ToList();
        var byResourceB = (await AuditTestApi.PageAsync(_admin, a.Id, "?resourceId=" + userB)).GetProperty("items").EnumerateArray();

        Assert.All(allA, r => Assert.Equal(a.Id, r.Text("tenantId")));
        Assert.DoesNotContain(allA, r => r.Text("resourceId") == userB);
        Assert.Empty(byResourceB);
        Assert.NotEmpty(rowsA);
        Assert.NotEmpty(rowsB);
    }

    [Fact]
    public async Task AuditQuery_Paging_WalksEveryRowOnceNewestFirst()
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        for (var i = 0; i < 7; i++)
        {
            using (await t.Scim.GetAsync("ServiceProviderConfig"))
            {
            }
        }

        await AuditTestApi.WaitForAsync(_admin, t.Id, r => r.Text("route") == "/ServiceProviderConfig", 7);
        var all = (await AuditTestApi.PageAsync(_admin, t.Id, "?limit=1000")).GetProperty("items").EnumerateArray().Select(r => r.Text("id")!).ToList();

        var walked = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await AuditTestApi.PageAsync(_admin, t.Id, "?limit=3" + (cursor is null ? string.Empty : "&cursor=" + cursor));
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 3);
            walked.AddRange(items.Select(r => r.Text("id")!));
            cursor = page.Text("next");
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(all, walked);
        Assert.Equal((all.Count + 2) / 3, pages);
        var times = (await AuditTestApi.PageAsync(_admin, t.Id, "?limit=1000")).GetProperty("items").EnumerateArray().Select(r => r.GetProperty("time").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
    }

    [Fact]
    public async Task AuditQuery_Filters_SelectByStatusResourceKeyAndTime()
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        var (otherKeyId, otherKey) = await EdgeTestApi.CreateKeyAsync(_admin, t.Id);
        var userId = (await t.CreateUserAsync(ScimTestTenant.NewUser()))["id"]!.GetValue<string>();
        using (await t.Scim.GetAsync("Users/" + Guid.NewGuid()))
        using (var other = fixture.System.ScimClient(otherKey))
        using (await other.GetAsync("Users?filter=" + Uri.EscapeDataString("userName eq")))
        {
        }

        await AuditTestApi.WaitForAsync(_admin, t.Id, r => r.Text("apiKeyId") == otherKeyId);
        await AuditTestApi.WaitForAsync(_admin, t.Id, r => r.Status() == 404);

        var clientErrors = await ItemsAsync(t.Id, "?status=4xx");
        var notFound = await ItemsAsync(t.Id, "?status=404");
        var byResource = await ItemsAsync(t.Id, "?resourceId=" + userId);
        var byKey = await ItemsAsync(t.Id, "?keyId=" + otherKeyId);
        var future = await ItemsAsync(t.Id, "?from=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O")));
        var past = await ItemsAsync(t.Id, "?to=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("O")));
        var window = await ItemsAsync(t.Id, $"?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}");

        Assert.Equal(2, clientErrors.Count);
        Assert.All(clientErrors, r => Assert.InRange(r.Status(), 400, 499));
        Assert.Equal(404, Assert.Single(notFound).Status());
        Assert.Equal("POST", Assert.Single(byResource).Text("method"));
        Assert.Equal(400, Assert.Single(byKey).Status());
        Assert.Empty(future);
        Assert.Empty(past);
        Assert.Equal((await ItemsAsync(t.Id, string.Empty)).Count, window.Count);
    }

    [Theory]
    [InlineData("status", "4x")]
    [InlineData("status", "600")]
    [InlineData("limit", "0")]
    [InlineData("limit", "1001")]
    [InlineData("from", "2026-12-04T10:00:00")]
    [InlineData("to", "yesterday")]
    [InlineData("keyId", "not-a-key")]
    [InlineData("cursor", "garbage")]
    [InlineData("client", "ping")]
    public async Task AuditQuery_BadParameter_Returns400NamingIt(string name, string value)
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);

        using var response = await _admin.GetAsync($"tenants/{tenant}/audit?{name}={Uri.EscapeDataString(value)}");

        await EdgeTestApi.AssertValidationProblemAsync(response, name);
    }

    [Fact]
    public async Task AuditQuery_UnknownTenant_Returns404()
    {
        using var response = await _admin.GetAsync($"tenants/{EdgeTestApi.NewTenantId()}/audit");

        await EdgeTestApi.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    private async Task<List<JsonElement>> ItemsAsync(string tenant, string query) =>
        (await AuditTestApi.PageAsync(_admin, tenant, query)).GetProperty("items").EnumerateArray().Where(r => r.Text("kind") == "scim").ToList();

    private async Task<string> OnlyKeyIdAsync(string tenant)
    {
        var keys = await _admin.GetFromJsonAsync<JsonElement>($"tenants/{tenant}/api-keys");
        return Assert.Single(keys.EnumerateArray()).GetProperty("id").GetString()!;
    }
}

public sealed class AuditTestsOnSqlite(SqliteEdgeFixture fixture) : AuditTests(fixture), IClassFixture<SqliteEdgeFixture>;

public sealed class AuditTestsOnPostgres(PostgresEdgeFixture fixture) : AuditTests(fixture), IClassFixture<PostgresEdgeFixture>;
