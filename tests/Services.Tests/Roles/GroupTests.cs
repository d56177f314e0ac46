using System.Net;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Roles;

/// <summary>The SCIM-facing routes: roles as Groups, created, adopted, listed, changed and deleted.</summary>
public abstract class GroupTests(SystemFixture fixture)
{
    [Fact]
    public async Task CreateGroup_NewDisplayName_CreatesScimRoleWithEveryPermissionDenied()
    {
        using var client = fixture.Client(RolesApi.NewTenant());

        using var response = await client.SendJsonAsync(HttpMethod.Post, "/internal/groups", new { displayName = "Site Managers", externalId = "entra-oid-1", members = new[] { "u2", "u1", "u2" } });
        var group = await response.JsonAsync(HttpStatusCode.Created);

        Assert.Equal("Site Managers", group["displayName"]!.GetValue<string>());
        Assert.Equal("entra-oid-1", group["externalId"]!.GetValue<string>());
        Assert.False(group["adopted"]!.GetValue<bool>());
        Assert.Equal(["u1", "u2"], group["members"].Strings());
        Assert.Equal($"/internal/groups/{group.Id()}", response.Headers.Location?.ToString());
        var role = await client.GetJsonAsync($"/internal/roles/{group.Id()}");
        Assert.Equal("Site Managers", role["name"]!.GetValue<string>());
        Assert.Equal("Site Managers", role["externalId"]!.GetValue<string>());
        Assert.Equal("scim", role["origin"]!.GetValue<string>());
        Assert.True(role["scimLinked"]!.GetValue<bool>());
        Assert.All(role["permissions"]!.AsObject(), p => Assert.Equal("Deny", p.Value!.GetValue<string>()));
        RolesApi.AssertEveryModule(role["permissions"], "Deny");
        var members = await client.GetJsonAsync($"/internal/roles/{group.Id()}/members");
        Assert.All(members["items"]!.AsArray(), m => Assert.Equal("scim", m!["source"]!.GetValue<string>()));
    }

    [Fact]
    public async Task CreateGroup_RoleWithMatchingExternalIdInOtherCase_AdoptsKeepingNameAndPermissions()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var role = await client.CreateRoleAsync("Health & Safety", "HS-Team", new { incidents = "Allow", reports = "Allow" });

        using var response = await client.SendJsonAsync(HttpMethod.Post, "/internal/groups", new { displayName = "hs-team", externalId = "oid-9", members = new[] { "u1" } });
        var group = await response.JsonAsync(HttpStatusCode.Created);

        Assert.True(group["adopted"]!.GetValue<bool>());
        Assert.Equal(role.Id(), group.Id());
        Assert.Equal("HS-Team", group["displayName"]!.GetValue<string>());
        var adopted = await client.GetJsonAsync($"/internal/roles/{role.Id()}");
        Assert.Equal("Health & Safety", adopted["name"]!.GetValue<string>());
        Assert.Equal("oid-9", adopted["groupExternalId"]!.GetValue<string>());
        Assert.Equal("admin", adopted["origin"]!.GetValue<string>());
        Assert.True(adopted["scimLinked"]!.GetValue<bool>());
        Assert.Equal(role["permissions"]!.ToJsonString(), adopted["permissions"]!.ToJsonString());
        Assert.Equal(["u1"], await client.MembersAsync(group.Id()));
    }

    [Fact]
    public async Task CreateGroup_AlreadyLinked_Returns409Uniqueness()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        await client.CreateGroupAsync("Linked");

        using var again = await client.SendJsonAsync(HttpMethod.Post, "/internal/groups", new { displayName = "LINKED", members = new[] { "u9" } });
        var (scimType, field) = await again.ProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal("uniqueness", scimType);
        Assert.Equal("displayName", field);
        var list = await client.GetJsonAsync("/internal/groups?members=true");
        var only = Assert.Single(list["items"]!.AsArray());
        Assert.Empty(only!["members"].Strings());
    }

    [Fact]
    public async Task ListGroups_FilterDisplayNameEq_MatchesCaseInsensitively()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var wanted = await client.CreateGroupAsync("Night Shift");
        await client.CreateGroupAsync("Day Shift");

        var list = await client.GetJsonAsync($"/internal/groups?filter={Uri.EscapeDataString("displayName eq \"night SHIFT\"")}");

        Assert.Equal(1, list["totalResults"]!.GetValue<int>());
        Assert.Equal(wanted.Id(), Assert.Single(list["items"]!.AsArray())!.Id());
    }

    [Theory]
    [InlineData("externalId eq \"oid-b\"", "B")]
    [InlineData("externalId eq \"OID-B\"", "")]
    [InlineData("displayName eq \"a\" or displayName eq \"C\"", "A,C")]
    [InlineData("displayName sw \"b\" and externalId eq \"oid-b\"", "B")]
    [InlineData("not (displayName eq \"A\") and externalId pr", "B")]
    [InlineData("externalId ne \"oid-a\"", "B,C")]
    [InlineData("externalId eq null", "C")]
    [InlineData("displayName co \"a\" or displayName ew \"C\"", "A,C")]
    [InlineData("displayName gt \"A\"", "B,C")]
    [InlineData("members.value eq \"u2\"", "A,B")]
    [InlineData("members[value eq \"u3\"]", "B")]
    [InlineData("created ge \"2000-01-01T00:00:00Z\" and lastModified lt \"2100-01-01T00:00:00Z\"", "A,B,C")]
    public async Task ListGroups_Filter_SelectsTheMatchingGroups(string filter, string expected)
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        await client.CreateGroupAsync("A", ["u1", "u2"], "oid-a");
        await client.CreateGroupAsync("B", ["u2", "u3"], "oid-b");
        await client.CreateGroupAsync("C");
        await client.CreateRoleAsync("Not for SCIM");

        var list = await client.GetJsonAsync($"/internal/groups?members=false&filter={Uri.EscapeDataString(filter)}");

        var names = list["items"]!.AsArray().Select(g => g!["displayName"]!.GetValue<string>()).Order(StringComparer.Ordinal);
        Assert.Equal(expected, string.Join(',', names));
        Assert.Equal(list["items"]!.AsArray().Count, list["totalResults"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("name eq \"x\"")]
    [InlineData("displayName eq")]
    [InlineData("displayName eq 42")]
    [InlineData("created gt \"yesterday\"")]
    [InlineData("created co \"2020\"")]
    [InlineData("members.value gt \"u1\"")]
    [InlineData("members[display eq \"x\"]")]
    [InlineData("meta.created gt \"2020-01-01T00:00:00Z\"")]
    [InlineData("((((((((((((((((((((((((((((((((((displayName eq \"x\"))))))))))))))))))))))))))))))))))")]
    public async Task ListGroups_UnsupportedOrMalformedFilter_Returns400InvalidFilter(string filter)
    {
        using var client = fixture.Client(RolesApi.NewTenant());

        using var response = await client.GetAsync($"/internal/groups?filter={Uri.EscapeDataString(filter)}");
        var (scimType, field) = await response.ProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal("invalidFilter", scimType);
        Assert.Equal("filter", field);
    }

    [Fact]
    public async Task ListGroups_MembersFalse_OmitsMembersTrueIncludesThem()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        await client.CreateGroupAsync("Crew", ["u1", "u2"]);

        var without = await client.GetJsonAsync("/internal/groups?members=false");
        var with = await client.GetJsonAsync("/internal/groups?members=true");

        Assert.False(Assert.Single(without["items"]!.AsArray())!.AsObject().ContainsKey("members"));
        Assert.Equal(["u1", "u2"], Assert.Single(with["items"]!.AsArray())!["members"].Strings());
    }

    [Fact]
    public async Task ListGroups_Paging_IsStableAndTotalIsExact()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var created = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await client.CreateGroupAsync($"G{i}")).Id());
        }

        var seen = new List<string>();
        for (var start = 1; start <= 7; start += 3)
        {
            var page = await client.GetJsonAsync($"/internal/groups?startIndex={start}&count=3&members=false");
            Assert.Equal(7, page["totalResults"]!.GetValue<int>());
            Assert.Equal(start, page["startIndex"]!.GetValue<int>());
            seen.AddRange(page["items"]!.AsArray().Select(g => g!.Id()));
        }

        var countOnly = await client.GetJsonAsync("/internal/groups?count=0");
        var beyond = await client.GetJsonAsync("/internal/groups?startIndex=50");
        Assert.Equal(created, seen);
        Assert.Equal(7, countOnly["totalResults"]!.GetValue<int>());
        Assert.Empty(countOnly["items"]!.AsArray());
        Assert.Empty(beyond["items"]!.AsArray());
    }

    [Fact]
    public async Task ListGroups_SortByDisplayNameDescending_OrdersCaseInsensitively()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        await client.CreateGroupAsync("beta");
        await client.CreateGroupAsync("Alpha");
        await client.CreateGroupAsync("GAMMA");

        var list = await client.GetJsonAsync("/internal/groups?sortBy=displayName&sortOrder=descending&members=false");

        Assert.Equal(["GAMMA", "beta", "Alpha"], list["items"]!.AsArray().Select(g => g!["displayName"]!.GetValue<string>()));
    }

    [Fact]
    public async Task GetGroup_ReturnsETagAndMembersUnlessExcluded()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var group = await client.CreateGroupAsync("Readers", ["u1"]);

        using var full = await client.GetAsync($"/internal/groups/{group.Id()}");
        var body = await full.JsonAsync(HttpStatusCode.OK);
        var lean = await client.GetJsonAsync($"/internal/groups/{group.Id()}?members=false");

        Assert.Equal("W/\"1\"", full.Headers.ETag?.ToString());
        Assert.Equal(["u1"], body["members"].Strings());
        Assert.False(lean.AsObject().ContainsKey("members"));
        Assert.Equal("Readers", lean["displayName"]!.GetValue<string>());
        Assert.True(DateTimeOffset.Parse(lean["created"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task GetGroup_RoleWithoutExternalIdOrUnknown_Returns404()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var role = await client.CreateRoleAsync("Hidden");

        await client.GetJsonAsync($"/internal/groups/{role.Id()}", HttpStatusCode.NotFound);
        await client.GetJsonAsync($"/internal/groups/{Guid.NewGuid()}", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutGroup_ReplacesMembersSetWiseAndRenames()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var group = await client.CreateGroupAsync("Before", ["u1", "u2", "u3"], "oid-1");

        using var response = await client.SendJsonAsync(HttpMethod.Put, $"/internal/groups/{group.Id()}", new { displayName = "After", members = new[] { "u3", "u4" } }, ifMatch: "W/\"1\"");
        var put = await response.JsonAsync(HttpStatusCode.OK);

        Assert.Equal("After", put["displayName"]!.GetValue<string>());
        Assert.Null(put["externalId"]);
        Assert.Equal(["u3", "u4"], put["members"].Strings());
        Assert.Equal(2, put["version"]!.GetValue<long>());
        Assert.Equal(["u3", "u4"], await client.MembersAsync(group.Id()));
        Assert.Equal("After", (await client.GetJsonAsync($"/internal/roles/{group.Id()}"))["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task PutGroup_WithoutMembers_Returns400()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var group = await client.CreateGroupAsync("Kept", ["u1"]);

        using var response = await client.SendJsonAsync(HttpMethod.Put, $"/internal/groups/{group.Id()}", new { displayName = "Kept" });
        var (_, field) = await response.ProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal("members", field);
        Assert.Equal(["u1"], await client.MembersAsync(group.Id()));
    }

    [Fact]
    public async Task PatchGroup_ReplaceRemoveAddAndRename_AppliedInThatOrderInOneRequest()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var group = await client.CreateGroupAsync("Patch me", ["u1", "u2", "u3"]);

        // replace -> {u2,u3,u4}; remove u3,u4 -> {u2}; add u4,u5 -> {u2,u4,u5}
        var change = await client.PatchGroupAsync(group.Id(), new
        {
            displayName = "Patched",
            externalId = "oid-7",
            replaceMembers = new[] { "u2", "u3", "u4" },
            removeMembers = new[] { "u3", "u4" },
            addMembers = new[] { "u4", "u5" },
        });

        Assert.Equal(["u2", "u4", "u5"], await client.MembersAsync(group.Id()));
        Assert.Equal(3, change["membersAdded"]!.GetValue<int>());
        Assert.Equal(3, change["membersRemoved"]!.GetValue<int>());
        Assert.Equal(2, change["version"]!.GetValue<long>());
        var renamed = await client.GetJsonAsync($"/internal/groups/{group.Id()}?members=false");
        Assert.Equal("Patched", renamed["displayName"]!.GetValue<string>());
        Assert.Equal("oid-7", renamed["externalId"]!.GetValue<string>());
    }

    [Fact]
    public async Task PatchGroup_AddExistingAndRemoveAbsent_AreNoOpsThatKeepTheVersion()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var group = await client.CreateGroupAsync("Entra style", ["u1"]);

        var change = await client.PatchGroupAsync(group.Id(), new { displayName = "Entra style", addMembers = new[] { "u1" }, removeMembers = new[] { "ghost" } });

        Assert.Equal(0, change["membersAdded"]!.GetValue<int>());
        Assert.Equal(0, change["membersRemoved"]!.GetValue<int>());
        Assert.Equal(1, change["version"]!.GetValue<long>());
        Assert.Equal(["u1"], await client.MembersAsync(group.Id()));
    }

    [Fact]
    public async Task PatchGroup_RenameOntoAnotherRolesExternalIdInOtherCase_Returns409AndAppliesNothing()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        await client.CreateRoleAsync("Admin role", "Finance");
        var group = await client.CreateGroupAsync("Ops", ["u1"]);

        using var response = await client.SendJsonAsync(HttpMethod.Patch, $"/internal/groups/{group.Id()}", new { displayName = "FINANCE", addMembers = new[] { "u2" }, removeMembers = new[] { "u1" } });
        var (scimType, field) = await response.ProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal("uniqueness", scimType);
        Assert.Equal("displayName", field);
        var after = await client.GetJsonAsync($"/internal/groups/{group.Id()}");
        Assert.Equal("Ops", after["displayName"]!.GetValue<string>());
        Assert.Equal(["u1"], after["members"].Strings());
        Assert.Equal(1, after["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task PatchGroup_RenameChangingOnlyCase_IsAllowed()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var group = await client.CreateGroupAsync("quality");

        await client.PatchGroupAsync(group.Id(), new { displayName = "Quality" });

        Assert.Equal("Quality", (await client.GetJsonAsync($"/internal/groups/{group.Id()}"))["displayName"]!.GetValue<string>());
    }

    [Fact]
    public async Task PatchGroup_IfMatch_StaleIs412AndChangesNothing()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var group = await client.CreateGroupAsync("Guarded");
        await client.PatchGroupAsync(group.Id(), new { addMembers = new[] { "u1" } });

        using var stale = await client.SendJsonAsync(HttpMethod.Patch, $"/internal/groups/{group.Id()}", new { addMembers = new[] { "u2" } }, ifMatch: "W/\"1\"");
        using var current = await client.SendJsonAsync(HttpMethod.Patch, $"/internal/groups/{group.Id()}", new { addMembers = new[] { "u3" } }, ifMatch: "W/\"2\"");
        using var staleDelete = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/internal/groups/{group.Id()}") { Headers = { { "If-Match", "W/\"2\"" } } });

        var (scimType, _) = await stale.ProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("invalidVers", scimType);
        await current.JsonAsync(HttpStatusCode.OK);
        await staleDelete.ProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(["u1", "u3"], await client.MembersAsync(group.Id()));
    }

    [Fact]
    public async Task DeleteGroup_ScimCreated_DeletesRoleAndMemberships()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var group = await client.CreateGroupAsync("Temporary", ["u1"]);

        using var response = await client.DeleteAsync($"/internal/groups/{group.Id()}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await client.GetJsonAsync($"/internal/groups/{group.Id()}", HttpStatusCode.NotFound);
        await client.GetJsonAsync($"/internal/roles/{group.Id()}", HttpStatusCode.NotFound);
        Assert.Empty((await client.GetJsonAsync("/internal/users/u1/roles"))["items"]!.AsArray());
        using var again = await client.DeleteAsync($"/internal/groups/{group.Id()}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        // The name is free: a new POST creates a new role.
        var recreated = await client.CreateGroupAsync("Temporary");
        Assert.NotEqual(group.Id(), recreated.Id());
        Assert.False(recreated["adopted"]!.GetValue<bool>());
    }

    [Fact]
    public async Task DeleteGroup_Adopted_DetachesKeepingRolePermissionsAndAdminMembers_ThenPostAdoptsAgain()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var role = await client.CreateRoleAsync("Fire wardens", "Wardens", new { incidents = "Allow" });
        using (var admin = await client.SendJsonAsync(HttpMethod.Post, $"/internal/roles/{role.Id()}/members", new { userIds = new[] { "admin-user", "both-user" } }))
        {
            await admin.JsonAsync(HttpStatusCode.OK);
        }

        var group = await client.CreateGroupAsync("wardens", ["scim-user", "both-user"], "oid-w");
        Assert.True(group["adopted"]!.GetValue<bool>());

        using var response = await client.DeleteAsync($"/internal/groups/{group.Id()}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await client.GetJsonAsync($"/internal/groups/{group.Id()}", HttpStatusCode.NotFound);
        var kept = await client.GetJsonAsync($"/internal/roles/{role.Id()}");
        Assert.Equal("Wardens", kept["externalId"]!.GetValue<string>());
        Assert.Null(kept["groupExternalId"]);
        Assert.False(kept["scimLinked"]!.GetValue<bool>());
        Assert.True(kept["scimDetached"]!.GetValue<bool>());
        Assert.Equal("Allow", kept["permissions"]!["incidents"]!.GetValue<string>());
        var members = await client.GetJsonAsync($"/internal/roles/{role.Id()}/members");
        Assert.Equal(["admin-user", "both-user"], members["items"]!.AsArray().Select(m => m!["userId"]!.GetValue<string>()));
        var list = await client.GetJsonAsync("/internal/groups");
        Assert.Equal(0, list["totalResults"]!.GetValue<int>());

        var readopted = await client.CreateGroupAsync("WARDENS", ["scim-user"]);

        Assert.True(readopted["adopted"]!.GetValue<bool>());
        Assert.Equal(role.Id(), readopted.Id());
        Assert.Equal(["admin-user", "both-user", "scim-user"], readopted["members"].Strings().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task OtherTenant_SeesNoneOfTheGroupsAndMayUseTheSameNames()
    {
        using var mine = fixture.Client(RolesApi.NewTenant());
        using var theirs = fixture.Client(RolesApi.NewTenant());
        var group = await mine.CreateGroupAsync("Shared name", ["u1"]);
        var role = await mine.CreateRoleAsync("Admin made", "ADMIN-MADE");

        foreach (var id in new[] { group.Id(), role.Id() })
        {
            await theirs.GetJsonAsync($"/internal/groups/{id}", HttpStatusCode.NotFound);
            await theirs.GetJsonAsync($"/internal/roles/{id}", HttpStatusCode.NotFound);
            await theirs.GetJsonAsync($"/internal/roles/{id}/members", HttpStatusCode.NotFound);
            using (var put = await theirs.SendJsonAsync(HttpMethod.Put, $"/internal/groups/{id}", new { displayName = "x", members = Array.Empty<string>() }))
            {
                Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
            }

            using (var patch = await theirs.SendJsonAsync(HttpMethod.Patch, $"/internal/groups/{id}", new { addMembers = new[] { "intruder" } }))
            {
                Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
            }

            using (var patchRole = await theirs.SendJsonAsync(HttpMethod.Patch, $"/internal/roles/{id}", new { name = "x" }))
            {
                Assert.Equal(HttpStatusCode.NotFound, patchRole.StatusCode);
            }

            using var delete = await theirs.DeleteAsync($"/internal/groups/{id}");
            Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        }

        Assert.Equal(0, (await theirs.GetJsonAsync("/internal/groups"))["totalResults"]!.GetValue<int>());
        Assert.Empty((await theirs.GetJsonAsync("/internal/users/u1/roles"))["items"]!.AsArray());
        var same = await theirs.CreateGroupAsync("Shared name");
        Assert.False(same["adopted"]!.GetValue<bool>());
        await theirs.CreateRoleAsync("Admin made", "admin-made");
        Assert.Equal(["u1"], await mine.MembersAsync(group.Id()));
    }

    [Fact]
    public async Task UserRoles_ListsTheUsersRolesThatExistForScim()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var a = await client.CreateGroupAsync("Zulu", ["u1"]);
        var b = await client.CreateGroupAsync("alpha", ["u1", "u2"]);
        var hidden = await client.CreateRoleAsync("No external id");
        using (var add = await client.SendJsonAsync(HttpMethod.Post, $"/internal/roles/{hidden.Id()}/members", new { userIds = new[] { "u1" } }))
        {
            await add.JsonAsync(HttpStatusCode.OK);
        }

        var roles = await client.GetJsonAsync("/internal/users/u1/roles");

        var items = roles["items"]!.AsArray();
        Assert.Equal([b.Id(), a.Id()], items.Select(i => i!.Id()));
        Assert.Equal(["alpha", "Zulu"], items.Select(i => i!["display"]!.GetValue<string>()));
    }

    [Fact]
    public async Task RemoveUser_DropsTheUsersMembershipsEverywhereAndBumpsThoseRoles()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var a = await client.CreateGroupAsync("A", ["gone", "stays"]);
        var b = await client.CreateGroupAsync("B", ["gone"]);
        var c = await client.CreateGroupAsync("C", ["stays"]);

        using var response = await client.DeleteAsync("/internal/users/gone/roles");
        var body = await response.JsonAsync(HttpStatusCode.OK);
        using var again = await client.DeleteAsync("/internal/users/gone/roles");

        Assert.Equal(2, body["membershipsRemoved"]!.GetValue<int>());
        Assert.Equal(0, (await again.JsonAsync(HttpStatusCode.OK))["membershipsRemoved"]!.GetValue<int>());
        Assert.Equal(["stays"], await client.MembersAsync(a.Id()));
        Assert.Empty(await client.MembersAsync(b.Id()));
        Assert.Equal(2, (await client.GetJsonAsync($"/internal/groups/{a.Id()}"))["version"]!.GetValue<long>());
        Assert.Equal(1, (await client.GetJsonAsync($"/internal/groups/{c.Id()}"))["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task Batch_CreatesGroupsWithMembers_AndAClashWritesNothing()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        await client.CreateRoleAsync("Existing", "EXISTING");

        using var ok = await client.SendJsonAsync(HttpMethod.Post, "/internal/groups/batch", new
        {
            groups = new object[]
            {
                new { displayName = "Batch 1", members = new[] { "u1", "u2" } },
                new { displayName = "Batch 2", externalId = "oid-2", members = new[] { "u2" } },
            },
        });
        using var clash = await client.SendJsonAsync(HttpMethod.Post, "/internal/groups/batch", new
        {
            groups = new object[]
            {
                new { displayName = "Batch 3", members = new[] { "u3" } },
                new { displayName = "existing", members = Array.Empty<string>() },
            },
        });

        Assert.Equal(2, (await ok.JsonAsync(HttpStatusCode.OK))["created"]!.GetValue<int>());
        await clash.ProblemAsync(HttpStatusCode.Conflict);
        var list = await client.GetJsonAsync("/internal/groups?members=true&sortBy=displayName");
        var items = list["items"]!.AsArray();
        Assert.Equal(["Batch 1", "Batch 2", "EXISTING"], items.Select(g => g!["displayName"]!.GetValue<string>()));
        Assert.Equal(["u1", "u2"], items[0]!["members"].Strings());
        Assert.Equal("oid-2", items[1]!["externalId"]!.GetValue<string>());
        var role = await client.GetJsonAsync($"/internal/roles/{items[0]!.Id()}");
        Assert.All(role["permissions"]!.AsObject(), p => Assert.Equal("Deny", p.Value!.GetValue<string>()));
        RolesApi.AssertEveryModule(role["permissions"], "Deny");
        Assert.Empty((await client.GetJsonAsync("/internal/users/u3/roles"))["items"]!.AsArray());
    }

    [Fact]
    public async Task ScimRoutes_NeverChangePermissions()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var role = await client.CreateRoleAsync("Keeps", "KEEPS", new { documents = "Allow" });
        var group = await client.CreateGroupAsync("keeps", ["u1"]);

        await client.PatchGroupAsync(group.Id(), new { displayName = "Keeps 2", addMembers = new[] { "u2" } });
        using (var put = await client.SendJsonAsync(HttpMethod.Put, $"/internal/groups/{group.Id()}", new { displayName = "Keeps 3", members = new[] { "u3" } }))
        {
            await put.JsonAsync(HttpStatusCode.OK);
        }

        using var withPermissions = await client.SendRawAsync(HttpMethod.Patch, $"/internal/groups/{group.Id()}", "{\"permissions\":{\"documents\":\"Deny\"}}");
        await withPermissions.JsonAsync(HttpStatusCode.OK);
        var after = await client.GetJsonAsync($"/internal/roles/{role.Id()}");
        Assert.Equal(role["permissions"]!.ToJsonString(), after["permissions"]!.ToJsonString());
        Assert.Equal("Keeps", after["name"]!.GetValue<string>());
        Assert.Equal("Keeps 3", after["externalId"]!.GetValue<string>());
    }

    [Fact]
    public async Task ListGroups_ResponseShape_HasTheDocumentedFields()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        await client.CreateGroupAsync("Shape", ["u1"], "oid-s");

        var list = await client.GetJsonAsync("/internal/groups");

        var group = Assert.Single(list["items"]!.AsArray())!.AsObject();
        Assert.Equal(["created", "displayName", "externalId", "id", "lastModified", "members", "version"], group.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(System.Text.Json.JsonValueKind.Number, list["totalResults"]!.GetValueKind());
    }
}

public sealed class GroupTestsOnSqlite(SqliteSystemFixture fixture) : GroupTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class GroupTestsOnPostgres(PostgresSystemFixture fixture) : GroupTests(fixture), IClassFixture<PostgresSystemFixture>;
