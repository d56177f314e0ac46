using System.Net;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Services.Tests.Roles;

namespace Microservices.Services.Tests.Scim.Groups;

/// <summary>Okta's Push Groups as it drives /Groups: list to link, create, membership PATCHes, rename, link to a role.</summary>
public abstract class OktaPushGroupsTests(SystemFixture fixture)
{
    [Fact]
    public async Task ListGroups_RolesWithAndWithoutExternalId_OnlyRolesWithExternalIdAppear()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var linkable = await t.CreateRoleAsync("Site managers", "SITE-MANAGERS");
        await t.CreateRoleAsync("Hand made", null);

        using var response = await t.SendAsync(HttpMethod.Get, "Groups?startIndex=1&count=100");
        var list = await GroupTestTenant.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal(1, list["totalResults"]!.GetValue<int>());
        var group = list["Resources"]!.AsArray().Single()!;
        Assert.Equal(linkable["id"]!.GetValue<string>(), group["id"]!.GetValue<string>());
        Assert.Equal("SITE-MANAGERS", group["displayName"]!.GetValue<string>());
        Assert.Equal("Group", group["meta"]!["resourceType"]!.GetValue<string>());
        Assert.Equal($"W/\"{linkable["version"]}\"", group["meta"]!["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateGroup_NewNameEmptyMembers_CreatesRoleWithEveryPermissionDeny()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var name = GroupTestTenant.Unique("Okta Group");

        using var response = await t.SendAsync(HttpMethod.Post, "Groups", GroupTestTenant.GroupBody(name));
        var group = await GroupTestTenant.JsonAsync(response, HttpStatusCode.Created);

        var id = group["id"]!.GetValue<string>();
        Assert.Equal(name, group["displayName"]!.GetValue<string>());
        Assert.Empty(group["members"]!.AsArray());
        Assert.Equal(new Uri(fixture.System.ScimBaseUrl, "Groups/" + id).ToString().TrimEnd('/'), response.Headers.Location!.ToString());
        Assert.Equal(group["meta"]!["version"]!.GetValue<string>(), response.Headers.ETag!.ToString());
        var role = await t.GetRoleAsync(id);
        Assert.Equal(name, role["name"]!.GetValue<string>());
        Assert.Equal(name, role["externalId"]!.GetValue<string>());
        Assert.Equal("scim", role["origin"]!.GetValue<string>());
        Assert.All(role["permissions"]!.AsObject(), p => Assert.Equal("Deny", p.Value!.GetValue<string>()));
        RolesApi.AssertEveryModule(role["permissions"], "Deny");
    }

    [Fact]
    public async Task PatchGroup_RemoveByFilterAndAddByValueInOneRequest_AppliesBoth()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var users = await t.CreateUsersAsync(4);
        var group = await t.CreateGroupAsync(GroupTestTenant.Unique("Push"), users[..2]);
        var id = group["id"]!.GetValue<string>();

        await t.PatchOkAsync(id, GroupTestTenant.Patch(
            GroupTestTenant.RemoveMemberByFilter(users[0]),
            GroupTestTenant.AddMembers([users[2], users[3]])));

        Assert.Equal(users[1..].Order(StringComparer.Ordinal), await t.MembersAsync(id));
        var fetched = await t.GetGroupAsync(id);
        var member = fetched["members"]!.AsArray().First()!;
        Assert.Equal("User", member["type"]!.GetValue<string>());
        Assert.EndsWith("/Users/" + member["value"]!.GetValue<string>(), member["$ref"]!.GetValue<string>());
    }

    [Fact]
    public async Task PatchGroup_OktaRenameWithIdAndDisplayName_RenamesAndKeepsMembers()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var user = await t.CreateUserAsync();
        var group = await t.CreateGroupAsync(GroupTestTenant.Unique("Before"), [user]);
        var id = group["id"]!.GetValue<string>();
        var renamed = GroupTestTenant.Unique("After");

        using var response = await t.SendAsync(HttpMethod.Patch, $"Groups/{id}", GroupTestTenant.Patch(new { op = "replace", value = new { id, displayName = renamed } }));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var fetched = await t.GetGroupAsync(id);
        Assert.Equal(renamed, fetched["displayName"]!.GetValue<string>());
        Assert.Equal([user], await t.MembersAsync(id));
        Assert.Equal(fetched["meta"]!["version"]!.GetValue<string>(), response.Headers.ETag!.ToString());
        Assert.NotEqual(group["meta"]!["version"]!.GetValue<string>(), response.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task CreateGroup_DisplayNameOfExistingRole_AdoptsItWithPermissionsUntouched()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var role = await t.CreateRoleAsync("Safety lead", "SAFETY", new { incidents = "Allow", audits = "Deny" });
        var user = await t.CreateUserAsync();

        // Okta links by name: the external id in another case still names the same role.
        var group = await t.CreateGroupAsync("safety", [user]);

        Assert.Equal(role["id"]!.GetValue<string>(), group["id"]!.GetValue<string>());
        Assert.Equal("SAFETY", group["displayName"]!.GetValue<string>());
        var after = await t.GetRoleAsync(role["id"]!.GetValue<string>());
        Assert.Equal("Safety lead", after["name"]!.GetValue<string>());
        Assert.Equal(role["permissions"]!.ToJsonString(), after["permissions"]!.ToJsonString());
        Assert.True(after["scimLinked"]!.GetValue<bool>());
        Assert.Equal([user], await t.RoleMembersAsync(role["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ListGroups_FilterDisplayNameEqAfterPush_FindsTheLinkedGroup()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var name = GroupTestTenant.Unique("Linked");
        var group = await t.CreateGroupAsync(name);

        using var response = await t.SendAsync(HttpMethod.Get, $"Groups?filter={Uri.EscapeDataString($"displayName eq \"{name.ToUpperInvariant()}\"")}");
        var list = await GroupTestTenant.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal(group["id"]!.GetValue<string>(), list["Resources"]!.AsArray().Single()!["id"]!.GetValue<string>());
    }
}

public sealed class OktaPushGroupsTestsOnSqlite(SqliteSystemFixture fixture) : OktaPushGroupsTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class OktaPushGroupsTestsOnPostgres(PostgresSystemFixture fixture) : OktaPushGroupsTests(fixture), IClassFixture<PostgresSystemFixture>;
