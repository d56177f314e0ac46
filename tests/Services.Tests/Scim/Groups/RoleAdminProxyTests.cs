using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Scim.Groups;

/// <summary>The admin roles routes reach roles' /internal/roles for the tenant in the URL, forwarding status and problems.</summary>
public abstract class RoleAdminProxyTests(SystemFixture fixture)
{
    [Fact]
    public async Task CreateGetListRole_ThroughTheEdge_LandsInRolesForThatTenant()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        using var other = await GroupTestTenant.CreateAsync(fixture.System);

        using var created = await t.Admin.PostAsJsonAsync($"tenants/{t.Tenant}/roles", new { name = "Lead", externalId = "LEAD", permissions = new { incidents = "Allow" } });
        var role = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = role["id"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/admin/v1/tenants/{t.Tenant}/roles/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal("W/\"1\"", created.Headers.ETag!.ToString());
        Assert.Equal("Allow", (await t.GetRoleAsync(id))["permissions"]!["incidents"]!.GetValue<string>());
        var list = (await t.Admin.GetFromJsonAsync<JsonObject>($"tenants/{t.Tenant}/roles"))!;
        Assert.Equal([id], list["items"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
        using var hidden = await other.Admin.GetAsync($"tenants/{other.Tenant}/roles/{id}");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }

    [Fact]
    public async Task PatchRole_ClearExternalId_GroupLeavesScimAndSetAgainReturns()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var role = await t.CreateRoleAsync("Lead", "LEAD");
        var id = role["id"]!.GetValue<string>();

        using var cleared = await t.Admin.PatchAsJsonAsync($"tenants/{t.Tenant}/roles/{id}", new Dictionary<string, object?> { ["externalId"] = null });
        using var gone = await t.SendAsync(HttpMethod.Get, $"Groups/{id}");
        using var set = await t.Admin.PatchAsJsonAsync($"tenants/{t.Tenant}/roles/{id}", new { externalId = "LEAD-2", permissions = new { audits = "Deny" } });
        var back = await t.GetGroupAsync(id);

        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("LEAD-2", back["displayName"]!.GetValue<string>());
        Assert.Equal("Deny", (await t.GetRoleAsync(id))["permissions"]!["audits"]!.GetValue<string>());
    }

    [Fact]
    public async Task RoleRoutes_BadInputAndUnknownTenant_ForwardProblems()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        await t.CreateRoleAsync("Lead", "LEAD");

        using var clash = await t.Admin.PostAsJsonAsync($"tenants/{t.Tenant}/roles", new { name = "Other", externalId = "lead" });
        using var bad = await t.Admin.PostAsJsonAsync($"tenants/{t.Tenant}/roles", new { name = "r", permissions = new { payroll = "Allow" } });
        using var noTenant = await t.Admin.GetAsync("tenants/no-such-tenant/roles");

        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        Assert.Equal("application/problem+json", clash.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("permissions.payroll", (await bad.Content.ReadFromJsonAsync<JsonObject>())!["field"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, noTenant.StatusCode);
    }
}

public sealed class RoleAdminProxyTestsOnSqlite(SqliteSystemFixture fixture) : RoleAdminProxyTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class RoleAdminProxyTestsOnPostgres(PostgresSystemFixture fixture) : RoleAdminProxyTests(fixture), IClassFixture<PostgresSystemFixture>;
