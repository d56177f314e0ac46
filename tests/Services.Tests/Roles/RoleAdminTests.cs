using System.Net;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Roles;

/// <summary>The admin routes: roles with names, external ids and permissions (the Edit Role screen).</summary>
public abstract class RoleAdminTests(SystemFixture fixture)
{
    [Fact]
    public async Task CreateRole_PartialPermissions_GivenModulesSetOthersInherit()
    {
        using var client = fixture.Client(RolesApi.NewTenant());

        using var response = await client.SendJsonAsync(HttpMethod.Post, "/internal/roles", new { name = "Safety lead", externalId = "SAFETY", permissions = new { incidents = "Allow", Audits = "deny" } });
        var role = await response.JsonAsync(HttpStatusCode.Created);

        Assert.Equal("Safety lead", role["name"]!.GetValue<string>());
        Assert.Equal("SAFETY", role["externalId"]!.GetValue<string>());
        Assert.Equal("admin", role["origin"]!.GetValue<string>());
        Assert.False(role["scimLinked"]!.GetValue<bool>());
        Assert.Equal(1, role["version"]!.GetValue<long>());
        Assert.Equal("W/\"1\"", response.Headers.ETag?.ToString());
        var permissions = role["permissions"]!.AsObject();
        Assert.Equal(11, permissions.Count);
        Assert.Equal("Allow", permissions["incidents"]!.GetValue<string>());
        Assert.Equal("Deny", permissions["audits"]!.GetValue<string>());
        Assert.All(permissions.Where(p => p.Key is not ("incidents" or "audits")), p => Assert.Equal("Inherit", p.Value!.GetValue<string>()));
        var fetched = await client.GetJsonAsync($"/internal/roles/{role.Id()}");
        Assert.Equal(role.ToJsonString(), fetched.ToJsonString());
    }

    [Theory]
    [InlineData("{\"name\":\"r\",\"permissions\":{\"payroll\":\"Allow\"}}", "permissions.payroll")]
    [InlineData("{\"name\":\"r\",\"permissions\":{\"incidents\":\"Maybe\"}}", "permissions.incidents")]
    [InlineData("{\"name\":\"r\",\"permissions\":{\"incidents\":null}}", "permissions.incidents")]
    [InlineData("{\"name\":\"r\",\"permissions\":{\"incidents\":\"Allow\",\"Incidents\":\"Deny\"}}", "permissions.Incidents")]
    [InlineData("{\"externalId\":\"x\"}", "name")]
    [InlineData("{\"name\":\"   \"}", "name")]
    [InlineData("{\"name\":\"r\",\"externalId\":\"\"}", "externalId")]
    public async Task CreateRole_InvalidInput_Returns400NamingTheField(string body, string field)
    {
        using var client = fixture.Client(RolesApi.NewTenant());

        using var response = await client.SendRawAsync(HttpMethod.Post, "/internal/roles", body);
        var (scimType, named) = await response.ProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal("invalidValue", scimType);
        Assert.Equal(field, named);
        var list = await client.GetJsonAsync("/internal/roles");
        Assert.Equal(0, list["totalResults"]!.GetValue<int>());
    }

    [Fact]
    public async Task CreateRole_ExternalIdTakenInOtherCase_Returns409Uniqueness()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        await client.CreateRoleAsync("First", "Managers");

        using var response = await client.SendJsonAsync(HttpMethod.Post, "/internal/roles", new { name = "Second", externalId = "MANAGERS" });
        var (scimType, field) = await response.ProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal("uniqueness", scimType);
        Assert.Equal("externalId", field);
    }

    [Fact]
    public async Task CreateRole_ManyWithoutExternalId_AllAllowed()
    {
        using var client = fixture.Client(RolesApi.NewTenant());

        await client.CreateRoleAsync("One");
        await client.CreateRoleAsync("Two");

        var list = await client.GetJsonAsync("/internal/roles");
        Assert.Equal(2, list["totalResults"]!.GetValue<int>());
    }

    [Fact]
    public async Task PatchRole_PartialPermissionMap_MergesAndBumpsVersion()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var role = await client.CreateRoleAsync("Auditor", "AUD", new { audits = "Allow", reports = "Allow" });

        using var response = await client.SendJsonAsync(HttpMethod.Patch, $"/internal/roles/{role.Id()}", new { name = "Senior auditor", permissions = new { reports = "Deny", training = "Allow" } });
        var patched = await response.JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Senior auditor", patched["name"]!.GetValue<string>());
        Assert.Equal("AUD", patched["externalId"]!.GetValue<string>());
        Assert.Equal(2, patched["version"]!.GetValue<long>());
        var permissions = (await client.GetJsonAsync($"/internal/roles/{role.Id()}"))["permissions"]!;
        Assert.Equal("Allow", permissions["audits"]!.GetValue<string>());
        Assert.Equal("Deny", permissions["reports"]!.GetValue<string>());
        Assert.Equal("Allow", permissions["training"]!.GetValue<string>());
        Assert.Equal("Inherit", permissions["incidents"]!.GetValue<string>());
    }

    [Fact]
    public async Task PatchRole_NothingChanges_KeepsVersion()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var role = await client.CreateRoleAsync("Same", "SAME", new { audits = "Allow" });

        using var response = await client.SendJsonAsync(HttpMethod.Patch, $"/internal/roles/{role.Id()}", new { name = "Same", externalId = "SAME", permissions = new { audits = "Allow" } });
        var patched = await response.JsonAsync(HttpStatusCode.OK);

        Assert.Equal(1, patched["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task PatchRole_NullExternalId_ClearsItAndTheRoleLeavesScim()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var role = await client.CreateRoleAsync("Ops", "OPS");
        await client.GetJsonAsync($"/internal/groups/{role.Id()}");

        using var response = await client.SendJsonAsync(HttpMethod.Patch, $"/internal/roles/{role.Id()}", new { externalId = (string?)null });
        var patched = await response.JsonAsync(HttpStatusCode.OK);

        Assert.Null(patched["externalId"]);
        Assert.Equal("Ops", patched["name"]!.GetValue<string>());
        await client.GetJsonAsync($"/internal/groups/{role.Id()}", HttpStatusCode.NotFound);
        var groups = await client.GetJsonAsync("/internal/groups");
        Assert.Equal(0, groups["totalResults"]!.GetValue<int>());
        // The external id is free again.
        await client.CreateRoleAsync("Other", "ops");
    }

    [Fact]
    public async Task PatchRole_ExternalIdOfAnotherRole_Returns409AndChangesNothing()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        await client.CreateRoleAsync("A", "ALPHA");
        var beta = await client.CreateRoleAsync("B", "BETA");

        using var response = await client.SendJsonAsync(HttpMethod.Patch, $"/internal/roles/{beta.Id()}", new { name = "Renamed", externalId = "alpha" });
        var (scimType, field) = await response.ProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal("uniqueness", scimType);
        Assert.Equal("externalId", field);
        var unchanged = await client.GetJsonAsync($"/internal/roles/{beta.Id()}");
        Assert.Equal("B", unchanged["name"]!.GetValue<string>());
        Assert.Equal(1, unchanged["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task PatchRole_IfMatch_StaleIs412CurrentSucceeds()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var role = await client.CreateRoleAsync("Versioned", "V");

        using var stale = await client.SendJsonAsync(HttpMethod.Patch, $"/internal/roles/{role.Id()}", new { name = "x" }, ifMatch: "W/\"7\"");
        using var current = await client.SendJsonAsync(HttpMethod.Patch, $"/internal/roles/{role.Id()}", new { name = "y" }, ifMatch: "W/\"1\"");

        await stale.ProblemAsync(HttpStatusCode.PreconditionFailed);
        var patched = await current.JsonAsync(HttpStatusCode.OK);
        Assert.Equal("y", patched["name"]!.GetValue<string>());
        Assert.Equal("W/\"2\"", current.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task ListRoles_ReturnsRolesWithAndWithoutExternalIdOfThisTenantOnly()
    {
        var tenant = RolesApi.NewTenant();
        using var client = fixture.Client(tenant);
        using var other = fixture.Client(RolesApi.NewTenant());
        await client.CreateRoleAsync("With", "WITH");
        await client.CreateRoleAsync("Without");
        await client.CreateGroupAsync("FromScim");
        await other.CreateRoleAsync("Elsewhere", "WITH");

        var list = await client.GetJsonAsync("/internal/roles");

        var names = list["items"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["FromScim", "With", "Without"], names);
    }

    [Fact]
    public async Task GetRole_UnknownOrMalformedId_Returns404()
    {
        using var client = fixture.Client(RolesApi.NewTenant());

        await client.GetJsonAsync($"/internal/roles/{Guid.NewGuid()}", HttpStatusCode.NotFound);
        await client.GetJsonAsync($"/internal/roles/{new string('x', 300)}", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AdminMembers_AddListRemove_TrackSourceAndVersion()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var role = await client.CreateRoleAsync("Team", "TEAM");

        using var added = await client.SendJsonAsync(HttpMethod.Post, $"/internal/roles/{role.Id()}/members", new { userIds = new[] { "u1", "u2", "u1" } });
        var change = await added.JsonAsync(HttpStatusCode.OK);
        using var removed = await client.DeleteAsync($"/internal/roles/{role.Id()}/members/u1");
        var removal = await removed.JsonAsync(HttpStatusCode.OK);

        Assert.Equal(2, change["membersAdded"]!.GetValue<int>());
        Assert.Equal(1, removal["membersRemoved"]!.GetValue<int>());
        var members = await client.GetJsonAsync($"/internal/roles/{role.Id()}/members");
        var only = Assert.Single(members["items"]!.AsArray());
        Assert.Equal("u2", only!["userId"]!.GetValue<string>());
        Assert.Equal("admin", only["source"]!.GetValue<string>());
        Assert.Equal(3, (await client.GetJsonAsync($"/internal/roles/{role.Id()}"))["version"]!.GetValue<long>());
    }
}

public sealed class RoleAdminTestsOnSqlite(SqliteSystemFixture fixture) : RoleAdminTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class RoleAdminTestsOnPostgres(PostgresSystemFixture fixture) : RoleAdminTests(fixture), IClassFixture<PostgresSystemFixture>;
