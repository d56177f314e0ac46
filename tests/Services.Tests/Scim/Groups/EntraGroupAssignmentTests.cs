using System.Net;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Scim.Groups;

/// <summary>Entra's provisioning of assigned groups: match by displayName, create or adopt, batched member PATCHes, delete.</summary>
public abstract class EntraGroupAssignmentTests(SystemFixture fixture)
{
    [Fact]
    public async Task ListGroups_FilterDisplayNameEqAbsent_ReturnsEmptyList()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        await t.CreateGroupAsync(GroupTestTenant.Unique("Other"));

        using var response = await t.SendAsync(HttpMethod.Get, $"Groups?excludedAttributes=members&filter={Uri.EscapeDataString("displayName eq \"Nobody\"")}");
        var list = await GroupTestTenant.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal(0, list["totalResults"]!.GetValue<int>());
        Assert.Empty(list["Resources"]!.AsArray());
    }

    [Fact]
    public async Task CreateGroup_WithEntraObjectId_KeepsItAsExternalIdAndFiltersByIt()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var objectId = Guid.NewGuid().ToString();
        var group = await t.CreateGroupAsync(GroupTestTenant.Unique("Entra"), externalId: objectId);

        using var response = await t.SendAsync(HttpMethod.Get, $"Groups?filter={Uri.EscapeDataString($"externalId eq \"{objectId}\"")}");
        var list = await GroupTestTenant.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal(objectId, group["externalId"]!.GetValue<string>());
        Assert.Equal(group["id"]!.GetValue<string>(), list["Resources"]!.AsArray().Single()!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task PatchGroup_ThreeBatchesOfHundredThenRemovalsBothWays_MembersAsExpected()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var users = await t.CreateUsersAsync(300);
        var id = (await t.CreateGroupAsync(GroupTestTenant.Unique("Batches"), externalId: Guid.NewGuid().ToString()))["id"]!.GetValue<string>();

        foreach (var batch in users.Chunk(100))
        {
            await t.PatchOkAsync(id, GroupTestTenant.Patch(GroupTestTenant.AddMembers(batch, "Add")));
        }

        Assert.Equal(users.Order(StringComparer.Ordinal), await t.MembersAsync(id));

        await t.PatchOkAsync(id, GroupTestTenant.Patch(GroupTestTenant.RemoveMembersByValue(users[..10])));
        await t.PatchOkAsync(id, GroupTestTenant.Patch(GroupTestTenant.RemoveMemberByFilter(users[10])));

        Assert.Equal(users[11..].Order(StringComparer.Ordinal), await t.MembersAsync(id));
    }

    [Fact]
    public async Task PatchGroup_ThousandMembersInOneRequest_AllAdded()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var users = await t.CreateUsersAsync(1000);
        var group = await t.CreateGroupAsync(GroupTestTenant.Unique("Thousand"));
        var id = group["id"]!.GetValue<string>();

        await t.PatchOkAsync(id, GroupTestTenant.Patch(GroupTestTenant.AddMembers(users, "Add")));

        Assert.Equal(users.Order(StringComparer.Ordinal), await t.MembersAsync(id));
        // One roles transaction: the version moved by exactly one.
        var role = await t.GetRoleAsync(id);
        Assert.Equal(group["meta"]!["version"]!.GetValue<string>(), $"W/\"{role["version"]!.GetValue<long>() - 1}\"");
    }

    [Fact]
    public async Task PatchGroup_RedundantAddAndRemove_AreNoOps()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var users = await t.CreateUsersAsync(3);
        var group = await t.CreateGroupAsync(GroupTestTenant.Unique("Redundant"), users[..2]);
        var id = group["id"]!.GetValue<string>();

        using var add = await t.SendAsync(HttpMethod.Patch, $"Groups/{id}", GroupTestTenant.Patch(GroupTestTenant.AddMembers([users[0]], "Add")));
        using var remove = await t.SendAsync(HttpMethod.Patch, $"Groups/{id}", GroupTestTenant.Patch(GroupTestTenant.RemoveMembersByValue([users[2]])));

        Assert.Equal(HttpStatusCode.NoContent, add.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);
        Assert.Equal(group["meta"]!["version"]!.GetValue<string>(), remove.Headers.ETag!.ToString());
        Assert.Equal(users[..2].Order(StringComparer.Ordinal), await t.MembersAsync(id));
    }

    [Fact]
    public async Task GetGroup_ExcludedAttributesMembers_HasNoMembersWhileDefaultHasThem()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var users = await t.CreateUsersAsync(2);
        var id = (await t.CreateGroupAsync(GroupTestTenant.Unique("Excluded"), users))["id"]!.GetValue<string>();

        var without = await t.GetGroupAsync(id, "?excludedAttributes=members");
        var with = await t.GetGroupAsync(id);
        using var listResponse = await t.SendAsync(HttpMethod.Get, $"Groups?excludedAttributes=members&filter={Uri.EscapeDataString($"id eq \"{id}\"")}");
        var list = await GroupTestTenant.JsonAsync(listResponse, HttpStatusCode.OK);

        Assert.Null(without["members"]);
        Assert.NotNull(without["displayName"]);
        Assert.Equal(2, with["members"]!.AsArray().Count);
        Assert.Null(list["Resources"]!.AsArray().Single()!["members"]);
    }

    [Fact]
    public async Task DeleteGroup_CreatedBySCIM_RoleIsGoneAndGroupIs404()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var user = await t.CreateUserAsync();
        var id = (await t.CreateGroupAsync(GroupTestTenant.Unique("Created"), [user]))["id"]!.GetValue<string>();

        using var deleted = await t.SendAsync(HttpMethod.Delete, $"Groups/{id}");
        using var after = await t.SendAsync(HttpMethod.Get, $"Groups/{id}");
        using var role = await t.Admin.GetAsync($"tenants/{t.Tenant}/roles/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, role.StatusCode);
    }

    [Fact]
    public async Task DeleteGroup_Adopted_RoleAndPermissionsStayScimMembershipsGoAnd404()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var role = await t.CreateRoleAsync("Auditors", "AUDITORS", new { audits = "Allow" });
        var roleId = role["id"]!.GetValue<string>();
        var users = await t.CreateUsersAsync(2);
        using var rolesService = t.System.InternalClient("roles", t.Tenant);
        using (var adminAdd = await rolesService.PostAsync(
            $"/internal/roles/{roleId}/members",
            new StringContent($"{{\"userIds\":[\"{users[0]}\"]}}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, adminAdd.StatusCode);
        }

        var group = await t.CreateGroupAsync("AUDITORS", [users[1]], Guid.NewGuid().ToString());
        Assert.Equal(roleId, group["id"]!.GetValue<string>());

        using var deleted = await t.SendAsync(HttpMethod.Delete, $"Groups/{roleId}");
        using var after = await t.SendAsync(HttpMethod.Get, $"Groups/{roleId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        var kept = await t.GetRoleAsync(roleId);
        Assert.Equal("Auditors", kept["name"]!.GetValue<string>());
        Assert.Equal("Allow", kept["permissions"]!["audits"]!.GetValue<string>());
        Assert.Equal([users[0]], await t.RoleMembersAsync(roleId));
    }

    [Fact]
    public async Task ReplaceGroup_Put_ReplacesNameAndMembers()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var users = await t.CreateUsersAsync(3);
        var group = await t.CreateGroupAsync(GroupTestTenant.Unique("Put"), users[..2]);
        var id = group["id"]!.GetValue<string>();
        var name = GroupTestTenant.Unique("Put renamed");

        using var response = await t.SendAsync(HttpMethod.Put, $"Groups/{id}", GroupTestTenant.GroupBody(name, [users[2]]), group["meta"]!["version"]!.GetValue<string>());
        var replaced = await GroupTestTenant.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal(name, replaced["displayName"]!.GetValue<string>());
        Assert.Equal([users[2]], await t.MembersAsync(id));
    }

    [Fact]
    public async Task SearchGroups_PostDotSearch_FiltersAndPages()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var prefix = GroupTestTenant.Unique("Search");
        for (var i = 0; i < 3; i++)
        {
            await t.CreateGroupAsync($"{prefix}-{i}");
        }

        using var response = await t.SendAsync(HttpMethod.Post, "Groups/.search", new
        {
            schemas = new[] { Microservices.Scim.ScimConstants.SearchRequestSchema },
            filter = $"displayName sw \"{prefix}\"",
            startIndex = 2,
            count = 1,
            sortBy = "displayName",
        });
        var list = await GroupTestTenant.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal(3, list["totalResults"]!.GetValue<int>());
        Assert.Equal(2, list["startIndex"]!.GetValue<int>());
        Assert.Equal($"{prefix}-1", list["Resources"]!.AsArray().Single()!["displayName"]!.GetValue<string>());
    }
}

public sealed class EntraGroupAssignmentTestsOnSqlite(SqliteSystemFixture fixture) : EntraGroupAssignmentTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class EntraGroupAssignmentTestsOnPostgres(PostgresSystemFixture fixture) : EntraGroupAssignmentTests(fixture), IClassFixture<PostgresSystemFixture>;
