using System.Net;
using Microservices.Services.Tests.Edge;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Scim.Groups;

/// <summary>What /Groups refuses, with the SCIM error it answers, and that a refused request changes nothing.</summary>
public abstract class GroupErrorTests(SystemFixture fixture)
{
    [Fact]
    public async Task PatchGroup_UnknownMemberAmongKnown_400InvalidValueNamingItAndNothingApplied()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var users = await t.CreateUsersAsync(3);
        var name = GroupTestTenant.Unique("Strict");
        var group = await t.CreateGroupAsync(name, [users[0]]);
        var id = group["id"]!.GetValue<string>();
        var unknown = Guid.NewGuid().ToString();

        using var response = await t.SendAsync(HttpMethod.Patch, $"Groups/{id}", GroupTestTenant.Patch(
            GroupTestTenant.RemoveMemberByFilter(users[0]),
            GroupTestTenant.AddMembers([users[1], unknown, users[2]]),
            new { op = "replace", path = "displayName", value = name + "-x" }));

        var error = await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalidValue", error.GetProperty("scimType").GetString());
        Assert.Contains(unknown, error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var after = await t.GetGroupAsync(id);
        Assert.Equal(name, after["displayName"]!.GetValue<string>());
        Assert.Equal([users[0]], await t.MembersAsync(id));
        Assert.Equal(group["meta"]!["version"]!.GetValue<string>(), after["meta"]!["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateGroup_UnknownMember_400AndNoRoleCreated()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var name = GroupTestTenant.Unique("NoRole");

        using var response = await t.SendAsync(HttpMethod.Post, "Groups", GroupTestTenant.GroupBody(name, ["not-a-user"]));

        var error = await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalidValue", error.GetProperty("scimType").GetString());
        using var list = await t.SendAsync(HttpMethod.Get, $"Groups?filter={Uri.EscapeDataString($"displayName eq \"{name}\"")}");
        Assert.Equal(0, (await GroupTestTenant.JsonAsync(list, HttpStatusCode.OK))["totalResults"]!.GetValue<int>());
    }

    [Fact]
    public async Task RenameGroup_ToOtherGroupsNameInOtherCase_409UniquenessByPatchAndPut()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var taken = GroupTestTenant.Unique("Taken");
        await t.CreateGroupAsync(taken);
        var id = (await t.CreateGroupAsync(GroupTestTenant.Unique("Mine")))["id"]!.GetValue<string>();

        using var patch = await t.SendAsync(HttpMethod.Patch, $"Groups/{id}", GroupTestTenant.Patch(new { op = "replace", path = "displayName", value = taken.ToUpperInvariant() }));
        using var put = await t.SendAsync(HttpMethod.Put, $"Groups/{id}", GroupTestTenant.GroupBody(taken.ToLowerInvariant()));

        Assert.Equal("uniqueness", (await EdgeTestApi.AssertScimErrorAsync(patch, HttpStatusCode.Conflict)).GetProperty("scimType").GetString());
        Assert.Equal("uniqueness", (await EdgeTestApi.AssertScimErrorAsync(put, HttpStatusCode.Conflict)).GetProperty("scimType").GetString());
    }

    [Fact]
    public async Task CreateGroup_NameAlreadyLinked_409Uniqueness()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var name = GroupTestTenant.Unique("Twice");
        await t.CreateGroupAsync(name);

        using var response = await t.SendAsync(HttpMethod.Post, "Groups", GroupTestTenant.GroupBody(name.ToUpperInvariant()));

        Assert.Equal("uniqueness", (await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.Conflict)).GetProperty("scimType").GetString());
    }

    [Fact]
    public async Task PatchGroup_StaleIfMatch_412AndNothingApplied()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var users = await t.CreateUsersAsync(2);
        var group = await t.CreateGroupAsync(GroupTestTenant.Unique("Stale"));
        var id = group["id"]!.GetValue<string>();
        var stale = group["meta"]!["version"]!.GetValue<string>();
        await t.PatchOkAsync(id, GroupTestTenant.Patch(GroupTestTenant.AddMembers([users[0]])));

        using var patch = await t.SendAsync(HttpMethod.Patch, $"Groups/{id}", GroupTestTenant.Patch(GroupTestTenant.AddMembers([users[1]])), stale);
        using var noOp = await t.SendAsync(HttpMethod.Patch, $"Groups/{id}", GroupTestTenant.Patch(GroupTestTenant.AddMembers([users[0]])), stale);
        using var delete = await t.SendAsync(HttpMethod.Delete, $"Groups/{id}", ifMatch: stale);

        await EdgeTestApi.AssertScimErrorAsync(patch, HttpStatusCode.PreconditionFailed);
        await EdgeTestApi.AssertScimErrorAsync(noOp, HttpStatusCode.PreconditionFailed);
        await EdgeTestApi.AssertScimErrorAsync(delete, HttpStatusCode.PreconditionFailed);
        Assert.Equal([users[0]], await t.MembersAsync(id));
    }

    [Theory]
    [InlineData("displayName xx \"a\"")]
    [InlineData("name eq \"a\"")]
    [InlineData("displayName eq")]
    [InlineData("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"a\"")]
    public async Task ListGroups_BadFilter_400InvalidFilter(string filter)
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);

        using var response = await t.SendAsync(HttpMethod.Get, $"Groups?filter={Uri.EscapeDataString(filter)}");

        Assert.Equal("invalidFilter", (await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.BadRequest)).GetProperty("scimType").GetString());
    }

    [Theory]
    [InlineData("POST", "{\"displayName\":")]
    [InlineData("POST", "[1,2]")]
    [InlineData("PATCH", "{\"Operations\": [")]
    public async Task WriteGroup_BadJson_400InvalidSyntax(string method, string body)
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var id = (await t.CreateGroupAsync(GroupTestTenant.Unique("Json")))["id"]!.GetValue<string>();

        using var response = await t.SendAsync(new HttpMethod(method), method == "POST" ? "Groups" : $"Groups/{id}", body);

        Assert.Equal("invalidSyntax", (await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.BadRequest)).GetProperty("scimType").GetString());
    }

    [Fact]
    public async Task CreateGroup_MissingDisplayName_400InvalidValue()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);

        using var response = await t.SendAsync(HttpMethod.Post, "Groups", new { schemas = new[] { Microservices.Scim.ScimConstants.GroupSchema }, members = Array.Empty<object>() });

        Assert.Equal("invalidValue", (await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.BadRequest)).GetProperty("scimType").GetString());
    }

    [Fact]
    public async Task EveryRoute_UnknownId_404()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var id = Guid.NewGuid().ToString();

        using var get = await t.SendAsync(HttpMethod.Get, $"Groups/{id}");
        using var put = await t.SendAsync(HttpMethod.Put, $"Groups/{id}", GroupTestTenant.GroupBody(GroupTestTenant.Unique("x")));
        using var patch = await t.SendAsync(HttpMethod.Patch, $"Groups/{id}", GroupTestTenant.Patch(new { op = "replace", path = "displayName", value = "y" }));
        using var delete = await t.SendAsync(HttpMethod.Delete, $"Groups/{id}");
        using var pathy = await t.SendAsync(HttpMethod.Get, "Groups/..%2F..%2Finternal");

        foreach (var response in new[] { get, put, patch, delete, pathy })
        {
            await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task PatchGroup_MoreMembersInOneOperationThanTheLimit_400NamingTheLimit()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var id = (await t.CreateGroupAsync(GroupTestTenant.Unique("Limit")))["id"]!.GetValue<string>();
        var ids = Enumerable.Range(0, 1001).Select(i => "u" + i).ToList();

        using var response = await t.SendAsync(HttpMethod.Patch, $"Groups/{id}", GroupTestTenant.Patch(GroupTestTenant.AddMembers(ids)));

        var error = await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("1000", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await t.MembersAsync(id));
    }

    [Fact]
    public async Task OtherTenant_ForeignGroupAndUser_404OnEveryRouteHiddenFromListAndUserRefused()
    {
        using var a = await GroupTestTenant.CreateAsync(fixture.System);
        using var b = await GroupTestTenant.CreateAsync(fixture.System);
        var userOfA = await a.CreateUserAsync();
        var name = GroupTestTenant.Unique("A only");
        var groupOfA = (await a.CreateGroupAsync(name, [userOfA]))["id"]!.GetValue<string>();
        var groupOfB = (await b.CreateGroupAsync(GroupTestTenant.Unique("B")))["id"]!.GetValue<string>();

        using var get = await b.SendAsync(HttpMethod.Get, $"Groups/{groupOfA}");
        using var put = await b.SendAsync(HttpMethod.Put, $"Groups/{groupOfA}", GroupTestTenant.GroupBody(GroupTestTenant.Unique("x")));
        using var patch = await b.SendAsync(HttpMethod.Patch, $"Groups/{groupOfA}", GroupTestTenant.Patch(GroupTestTenant.RemoveMemberByFilter(userOfA)));
        using var delete = await b.SendAsync(HttpMethod.Delete, $"Groups/{groupOfA}");
        using var list = await b.SendAsync(HttpMethod.Get, "Groups");
        using var addForeign = await b.SendAsync(HttpMethod.Patch, $"Groups/{groupOfB}", GroupTestTenant.Patch(GroupTestTenant.AddMembers([userOfA])));

        foreach (var response in new[] { get, put, patch, delete })
        {
            await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.NotFound);
        }

        var listed = await GroupTestTenant.JsonAsync(list, HttpStatusCode.OK);
        Assert.Equal([groupOfB], listed["Resources"]!.AsArray().Select(g => g!["id"]!.GetValue<string>()));
        Assert.Equal("invalidValue", (await EdgeTestApi.AssertScimErrorAsync(addForeign, HttpStatusCode.BadRequest)).GetProperty("scimType").GetString());
        Assert.Equal([userOfA], await a.MembersAsync(groupOfA));
        Assert.Equal(name, (await a.GetGroupAsync(groupOfA))["displayName"]!.GetValue<string>());
    }
}

public sealed class GroupErrorTestsOnSqlite(SqliteSystemFixture fixture) : GroupErrorTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class GroupErrorTestsOnPostgres(PostgresSystemFixture fixture) : GroupErrorTests(fixture), IClassFixture<PostgresSystemFixture>;
