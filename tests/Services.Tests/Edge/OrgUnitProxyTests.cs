using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microservices.OrgUnits.Api;

namespace Microservices.Services.Tests.Edge;

/// <summary>
/// The admin org unit routes land in the orgunits service for the tenant named in the admin URL. Written against
/// the orgunits internal API contract; where the body formats are the service's business, the tests compare the
/// edge's answer with the service's own answer to the same request.
/// </summary>
public abstract class OrgUnitProxyTests(EdgeSystemFixture fixture)
{
    private readonly HttpClient _admin = fixture.System.AdminClient();

    [Fact]
    public async Task CreateOrgUnit_ThroughTheEdge_LandsInOrgUnitsForThatTenantOnly()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var other = await EdgeTestApi.CreateTenantAsync(_admin);

        using var created = await _admin.PostAsJsonAsync($"tenants/{tenant}/orgunits", new { name = "Head Office", externalId = "HQ" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var unit = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = unit.GetProperty("id").GetString()!;
        Assert.Equal("Head Office", unit.GetProperty("name").GetString());
        Assert.Equal("HQ", unit.GetProperty("externalId").GetString());
        if (created.Headers.Location is { } location)
        {
            Assert.Equal($"/admin/v1/tenants/{tenant}/orgunits/{id}", location.OriginalString);
        }

        using var own = fixture.System.InternalClient(OrgUnitsApp.ServiceName, tenant);
        using var direct = await own.GetAsync($"/internal/orgunits/{id}");
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal("Head Office", (await direct.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());

        using var foreign = fixture.System.InternalClient(OrgUnitsApp.ServiceName, other);
        using var hidden = await foreign.GetAsync($"/internal/orgunits/{id}");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        using var hiddenViaEdge = await _admin.GetAsync($"tenants/{other}/orgunits/{id}");
        Assert.Equal(HttpStatusCode.NotFound, hiddenViaEdge.StatusCode);
    }

    [Fact]
    public async Task GetAndListOrgUnits_ThroughTheEdge_AnswerAsTheServiceDoes()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var id = await CreateUnitAsync(tenant, "Operations", "OPS");
        using var own = fixture.System.InternalClient(OrgUnitsApp.ServiceName, tenant);

        using var viaEdge = await _admin.GetAsync($"tenants/{tenant}/orgunits/{id}");
        using var direct = await own.GetAsync($"/internal/orgunits/{id}");

        Assert.Equal(HttpStatusCode.OK, viaEdge.StatusCode);
        Assert.Equal(await direct.Content.ReadAsStringAsync(), await viaEdge.Content.ReadAsStringAsync());
        Assert.Equal(direct.Headers.ETag, viaEdge.Headers.ETag);
        Assert.Equal(direct.Content.Headers.ContentType?.MediaType, viaEdge.Content.Headers.ContentType?.MediaType);

        using var list = await _admin.GetAsync($"tenants/{tenant}/orgunits");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains(id, await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PatchOrgUnit_WithIfMatch_UpdatesTheUnit()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var id = await CreateUnitAsync(tenant, "Warehouse", "WH");
        var ifMatch = await CurrentIfMatchAsync(tenant, id);

        using var request = new HttpRequestMessage(HttpMethod.Patch, $"tenants/{tenant}/orgunits/{id}") { Content = JsonContent.Create(new { name = "Main Warehouse" }) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        using var patched = await _admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        using var own = fixture.System.InternalClient(OrgUnitsApp.ServiceName, tenant);
        var read = await own.GetFromJsonAsync<JsonElement>($"/internal/orgunits/{id}");
        Assert.Equal("Main Warehouse", read.GetProperty("name").GetString());
    }

    [Fact]
    public async Task PatchOrgUnit_StaleIfMatch_ForwardsPreconditionFailed()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var id = await CreateUnitAsync(tenant, "Depot", "DEPOT");

        using var request = new HttpRequestMessage(HttpMethod.Patch, $"tenants/{tenant}/orgunits/{id}") { Content = JsonContent.Create(new { name = "Renamed" }) };
        request.Headers.TryAddWithoutValidation("If-Match", "\"stale-version-0\"");
        using var patched = await _admin.SendAsync(request);

        await EdgeTestApi.AssertProblemAsync(patched, HttpStatusCode.PreconditionFailed);
        using var own = fixture.System.InternalClient(OrgUnitsApp.ServiceName, tenant);
        var read = await own.GetFromJsonAsync<JsonElement>($"/internal/orgunits/{id}");
        Assert.Equal("Depot", read.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"name\": \"\"}")]
    [InlineData("{\"name\": \"Orphan\", \"parentId\": \"00000000-0000-0000-0000-000000000000\"}")]
    public async Task CreateOrgUnit_Refused_ForwardsTheServiceProblemUnchanged(string body)
    {
        var viaEdgeTenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var directTenant = await EdgeTestApi.CreateTenantAsync(_admin);
        using var own = fixture.System.InternalClient(OrgUnitsApp.ServiceName, directTenant);

        using var viaEdge = await _admin.PostAsync($"tenants/{viaEdgeTenant}/orgunits", new StringContent(body, Encoding.UTF8, "application/json"));
        using var direct = await own.PostAsync("/internal/orgunits", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.True((int)direct.StatusCode is >= 400 and < 500, $"orgunits should refuse {body}, answered {(int)direct.StatusCode}");
        Assert.Equal(direct.StatusCode, viaEdge.StatusCode);
        Assert.Equal("application/problem+json", viaEdge.Content.Headers.ContentType?.MediaType);
        Assert.Equal(WithoutTraceId(await direct.Content.ReadAsStringAsync()), WithoutTraceId(await viaEdge.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task CreateBatch_ThroughTheEdge_HasTheSameEffectAsDirect()
    {
        var body = "{\"units\":[{\"name\":\"Head Office\",\"externalId\":\"HQ\"},{\"name\":\"North\",\"externalId\":\"N\",\"parentExternalId\":\"HQ\"},{\"name\":\"South\",\"externalId\":\"S\",\"parentExternalId\":\"HQ\"}]}";

        var (viaEdge, direct) = await CompareAsync("orgunits/batch", "/internal/orgunits/batch", new StringContent(body, Encoding.UTF8, "application/json"), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, direct.Status);
        Assert.Equal(direct, viaEdge);
        Assert.Equal("(HQ|Head Office),(N|North),(S|South)", viaEdge.Units);
    }

    [Fact]
    public async Task Import_ThroughTheEdge_StreamsTheCsvAndHasTheSameEffectAsDirect()
    {
        // The import re-keys existing units (docs/orgunits.md), so both tenants get the same tree first.
        var units = new StringBuilder("{\"units\":[{\"name\":\"Head Office\"}");
        var csv = new StringBuilder("path,externalId\nHead Office,HQ\n");
        for (var i = 0; i < 2000; i++)
        {
            units.Append(System.Globalization.CultureInfo.InvariantCulture, $",{{\"name\":\"Unit {i}\",\"parentExternalId\":\"ROOT\"}}");
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"Head Office / Unit {i},U{i}\n");
        }

        units.Append("]}");
        var seed = units.ToString().Replace("{\"name\":\"Head Office\"}", "{\"name\":\"Head Office\",\"externalId\":\"ROOT\"}", StringComparison.Ordinal);
        var viaEdgeTenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var directTenant = await EdgeTestApi.CreateTenantAsync(_admin);
        using var own = fixture.System.InternalClient(OrgUnitsApp.ServiceName, directTenant);
        using var ownViaEdgeTenant = fixture.System.InternalClient(OrgUnitsApp.ServiceName, viaEdgeTenant);
        foreach (var client in new[] { own, ownViaEdgeTenant })
        {
            using var seeded = await client.PostAsync("/internal/orgunits/batch", new StringContent(seed, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, seeded.StatusCode);
        }

        using var viaEdge = await _admin.PostAsync($"tenants/{viaEdgeTenant}/orgunits/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        using var direct = await own.PostAsync("/internal/orgunits/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(direct.StatusCode, viaEdge.StatusCode);
        var viaEdgeUnits = await UnitsAsync(viaEdgeTenant);
        Assert.Equal(await UnitsAsync(directTenant), viaEdgeUnits);
        Assert.Contains("(HQ|Head Office)", viaEdgeUnits, StringComparison.Ordinal);
        Assert.Contains("(U1999|Unit 1999)", viaEdgeUnits, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_BodyOverKestrelsDefaultButUnderTheServiceCap_ReachesTheServiceThroughTheEdge()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        await CreateHeadOfficeAsync(tenant);

        // 35 MB, chunked: past Kestrel's 30 MB default, which the edge applied until its bulk routes took the
        // service's 50 MB cap. The service reads it all and answers with its own report (the cell is too long).
        using var content = new OrgUnits.GeneratedCsvContent("path,externalId\nHead Office,\"", new string('x', 1024 * 1024), 35);
        using var response = await _admin.PostAsync($"tenants/{tenant}/orgunits/import", content);

        var problem = await EdgeTestApi.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("the file was not imported", problem.GetProperty("title").GetString());
        Assert.Equal(2, problem.GetProperty("errors")[0].GetProperty("line").GetInt64());
        Assert.Equal("(HQ|Head Office)", await UnitsAsync(tenant));
    }

    [Fact]
    public async Task Import_BodyOverTheCap_Returns413AndChangesNothing()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        await CreateHeadOfficeAsync(tenant);

        // A good row first, then 51 MB streamed without a Content-Length: refused as a whole, wherever the cap trips.
        using var content = new OrgUnits.GeneratedCsvContent("path,externalId\nHead Office,HQ-2\nHead Office,\"", new string('x', 1024 * 1024), 51);
        using var response = await _admin.PostAsync($"tenants/{tenant}/orgunits/import", content);

        await EdgeTestApi.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("(HQ|Head Office)", await UnitsAsync(tenant));
    }

    [Theory]
    [InlineData("POST", "orgunits")]
    [InlineData("POST", "orgunits/batch")]
    [InlineData("POST", "orgunits/import")]
    [InlineData("GET", "orgunits")]
    [InlineData("GET", "orgunits/6c1c0d6e-2f5e-4b8a-9d59-3f2a1d0c9b7e")]
    [InlineData("PATCH", "orgunits/6c1c0d6e-2f5e-4b8a-9d59-3f2a1d0c9b7e")]
    public async Task OrgUnitRoutes_UnknownTenant_Return404(string method, string route)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), $"tenants/{EdgeTestApi.NewTenantId()}/{route}");
        if (method != "GET")
        {
            request.Content = new StringContent("{\"name\":\"x\"}", Encoding.UTF8, "application/json");
        }

        using var response = await _admin.SendAsync(request);

        var problem = await EdgeTestApi.AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("tenant not found", problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("GET", "orgunits/bad%20id")]
    [InlineData("GET", "orgunits/a.b")]
    [InlineData("PATCH", "orgunits/a.b")]
    public async Task OrgUnitRoutes_MalformedId_Return404WithoutCallingTheService(string method, string route)
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        using var request = new HttpRequestMessage(new HttpMethod(method), $"tenants/{tenant}/{route}");
        if (method != "GET")
        {
            request.Content = new StringContent("{\"name\":\"x\"}", Encoding.UTF8, "application/json");
        }

        using var response = await _admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<string> CreateUnitAsync(string tenant, string name, string externalId)
    {
        using var created = await _admin.PostAsJsonAsync($"tenants/{tenant}/orgunits", new { name, externalId });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<string> CurrentIfMatchAsync(string tenant, string id)
    {
        using var response = await _admin.GetAsync($"tenants/{tenant}/orgunits/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (response.Headers.ETag is { } etag)
        {
            return etag.ToString();
        }

        var version = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetRawText();
        return new EntityTagHeaderValue($"\"{version}\"").ToString();
    }

    /// <summary>Sends the same request via the edge (one fresh tenant) and directly (another); returns status and resulting units of each.</summary>
    private async Task<(Outcome ViaEdge, Outcome Direct)> CompareAsync(string adminRoute, string internalRoute, HttpContent viaEdgeBody, HttpContent directBody)
    {
        var viaEdgeTenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var directTenant = await EdgeTestApi.CreateTenantAsync(_admin);
        using var own = fixture.System.InternalClient(OrgUnitsApp.ServiceName, directTenant);

        using var viaEdge = await _admin.PostAsync($"tenants/{viaEdgeTenant}/{adminRoute}", viaEdgeBody);
        using var direct = await own.PostAsync(internalRoute, directBody);

        return (
            new Outcome(viaEdge.StatusCode, await UnitsAsync(viaEdgeTenant)),
            new Outcome(direct.StatusCode, await UnitsAsync(directTenant)));
    }

    /// <summary>The tenant's units as "(externalId|name)" pairs in order, read from the service itself.</summary>
    private async Task CreateHeadOfficeAsync(string tenant)
    {
        using var created = await _admin.PostAsync($"tenants/{tenant}/orgunits", new StringContent("{\"name\":\"Head Office\",\"externalId\":\"HQ\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private async Task<string> UnitsAsync(string tenant)
    {
        using var own = fixture.System.InternalClient(OrgUnitsApp.ServiceName, tenant);
        var text = await own.GetStringAsync("/internal/orgunits");
        var root = JsonDocument.Parse(text).RootElement;
        var items = root.ValueKind == JsonValueKind.Array ? root : root.EnumerateObject().First(p => p.Value.ValueKind == JsonValueKind.Array).Value;
        return string.Join(',', items.EnumerateArray()
            .Select(u => $"({u.GetProperty("externalId").GetString()}|{u.GetProperty("name").GetString()})")
            .Order(StringComparer.Ordinal));
    }

    private static string WithoutTraceId(string problem)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(problem)!.AsObject();
        node.Remove("traceId");
        node.Remove("instance");
        return node.ToJsonString();
    }

    private sealed record Outcome(HttpStatusCode Status, string Units);
}

public sealed class OrgUnitProxyTestsOnSqlite(SqliteEdgeFixture fixture) : OrgUnitProxyTests(fixture), IClassFixture<SqliteEdgeFixture>;

public sealed class OrgUnitProxyTestsOnPostgres(PostgresEdgeFixture fixture) : OrgUnitProxyTests(fixture), IClassFixture<PostgresEdgeFixture>;

/// <summary>With the orgunits service unreachable, every proxied route answers 503 promptly: no hang, no 500.</summary>
public abstract class OrgUnitsUnavailableTests(EdgeSystemFixture fixture)
{
    private readonly HttpClient _admin = fixture.System.AdminClient();

    [Theory]
    [InlineData("POST", "orgunits")]
    [InlineData("POST", "orgunits/batch")]
    [InlineData("POST", "orgunits/import")]
    [InlineData("GET", "orgunits")]
    [InlineData("GET", "orgunits/6c1c0d6e-2f5e-4b8a-9d59-3f2a1d0c9b7e")]
    [InlineData("PATCH", "orgunits/6c1c0d6e-2f5e-4b8a-9d59-3f2a1d0c9b7e")]
    public async Task OrgUnitRoute_ServiceDown_Returns503Problem(string method, string route)
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        using var request = new HttpRequestMessage(new HttpMethod(method), $"tenants/{tenant}/{route}");
        if (method != "GET")
        {
            request.Content = new StringContent("{\"name\":\"x\"}", Encoding.UTF8, "application/json");
        }

        using var response = await _admin.SendAsync(request);

        await EdgeTestApi.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task TenantAndKeyRoutes_ServiceDown_StillWork()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);

        var (_, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);

        using var scim = fixture.System.ScimClient(key);
        using var response = await scim.GetAsync("NoSuchResource");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

public sealed class OrgUnitsUnavailableTestsOnSqlite(SqliteOrgUnitsDownFixture fixture) : OrgUnitsUnavailableTests(fixture), IClassFixture<SqliteOrgUnitsDownFixture>;

public sealed class OrgUnitsUnavailableTestsOnPostgres(PostgresOrgUnitsDownFixture fixture) : OrgUnitsUnavailableTests(fixture), IClassFixture<PostgresOrgUnitsDownFixture>;
