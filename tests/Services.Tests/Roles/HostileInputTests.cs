using System.Net;
using System.Text;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Roles;

/// <summary>Malformed, oversized and hostile requests get a problem document with a 4xx, never a 500, and write nothing.</summary>
public abstract class HostileInputTests(SystemFixture fixture)
{
    public static TheoryData<string, string, string, int> Bodies => new()
    {
        { "POST", "/internal/groups", "{", 400 },
        { "POST", "/internal/groups", "[]", 400 },
        { "POST", "/internal/groups", "null", 400 },
        { "POST", "/internal/groups", "{\"displayName\":5}", 400 },
        { "POST", "/internal/groups", "{\"displayName\":\"a\\u0000b\"}", 400 },
        { "POST", "/internal/groups", "{\"displayName\":\"\\ud800\"}", 400 },
        { "POST", "/internal/groups", "{\"displayName\":\"tab\\there\"}", 400 },
        { "POST", "/internal/groups", "{\"displayName\":\"x\",\"members\":[null]}", 400 },
        { "POST", "/internal/groups", "{\"displayName\":\"x\",\"members\":\"u1\"}", 400 },
        { "POST", "/internal/groups", "{\"displayName\":\"x\",\"members\":[{\"value\":\"u1\"}]}", 400 },
        { "POST", "/internal/groups", "{\"displayName\":\"x\",\"members\":[\"\\u0000\"]}", 400 },
        { "POST", "/internal/groups", "{\"displayName\":\"" + new string('x', 10_000) + "\"}", 400 },
        { "POST", "/internal/groups", "{\"displayName\":\"x\",\"externalId\":\"" + new string('y', 300) + "\"}", 400 },
        { "POST", "/internal/groups", new string('[', 2000) + new string(']', 2000), 400 },
        { "POST", "/internal/groups/batch", "{\"groups\":[null]}", 400 },
        { "POST", "/internal/groups/batch", "{\"groups\":[{\"displayName\":\"a\"},{\"displayName\":\"A\"}]}", 409 },
        { "POST", "/internal/groups/batch", "{}", 400 },
        { "POST", "/internal/roles", "{\"name\":\"r\",\"permissions\":[\"Allow\"]}", 400 },
        { "POST", "/internal/roles", "{\"name\":\"r\",\"permissions\":{\"incidents\":1}}", 400 },
        { "POST", "/internal/roles", "{\"name\":[\"r\"]}", 400 },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Write_HostileBody_Returns4xxProblemAndWritesNothing(string method, string path, string body, int status)
    {
        using var client = fixture.Client(RolesApi.NewTenant());

        using var response = await client.SendRawAsync(new HttpMethod(method), path, body);

        await response.ProblemAsync((HttpStatusCode)status);
        Assert.Equal(0, (await client.GetJsonAsync("/internal/groups"))["totalResults"]!.GetValue<int>());
        Assert.Equal(0, (await client.GetJsonAsync("/internal/roles"))["totalResults"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("{\"addMembers\":[1,2]}")]
    [InlineData("{\"displayName\":null}")]
    [InlineData("{\"displayName\":\"\"}")]
    [InlineData("{\"replaceMembers\":{}}")]
    [InlineData("{\"addMembers\":[\"ok\"],\"removeMembers\":[\"\\udc00\"]}")]
    public async Task PatchGroup_HostileBody_Returns400AndChangesNothing(string body)
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var group = await client.CreateGroupAsync("Target", ["u1"]);

        using var response = await client.SendRawAsync(HttpMethod.Patch, $"/internal/groups/{group.Id()}", body);

        await response.ProblemAsync(HttpStatusCode.BadRequest);
        var after = await client.GetJsonAsync($"/internal/groups/{group.Id()}");
        Assert.Equal(["u1"], after["members"].Strings());
        Assert.Equal("Target", after["displayName"]!.GetValue<string>());
        Assert.Equal(1, after["version"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("/internal/groups?startIndex=abc", 400)]
    [InlineData("/internal/groups?count=99999999999", 400)]
    [InlineData("/internal/groups?count=1e3", 400)]
    [InlineData("/internal/groups?sortBy=nonsense", 400)]
    [InlineData("/internal/groups?sortBy=displayName%3B%20DROP%20TABLE%20roles", 400)]
    [InlineData("/internal/groups?sortOrder=sideways", 400)]
    [InlineData("/internal/groups?members=maybe", 400)]
    [InlineData("/internal/groups?filter=displayName%20eq%20%22x%22%27%3B%20DROP%20TABLE%20roles%3B%20--", 400)]
    [InlineData("/internal/groups?filter=displayName%20eq%20%22%5Cu0000%22", 400)]
    [InlineData("/internal/groups?filter=displayName%20eq%20%22%5Cud800%22", 400)]
    [InlineData("/internal/groups?filter=id%20eq%20%22%27%20OR%201%3D1%20--%22", 200)]
    [InlineData("/internal/groups/a%01b", 404)]
    [InlineData("/internal/groups/%F0%9F%98%80?members=true", 404)]
    [InlineData("/internal/groups/'%20OR%20'1'%3D'1", 404)]
    [InlineData("/internal/roles/a%01b", 404)]
    [InlineData("/internal/roles/a%01b/members", 404)]
    [InlineData("/internal/users/a%01b/roles", 400)]
    [InlineData("/internal/nothing-here", 404)]
    public async Task Read_HostileQuery_ReturnsProblemNever500(string path, int status)
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        await client.CreateGroupAsync("Present");

        using var response = await client.GetAsync(path);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        if (status == 200)
        {
            // The quote is data in a parameter: it matches no id, and the filter does not widen to every row.
            Assert.Equal(0, (await response.JsonAsync(HttpStatusCode.OK))["totalResults"]!.GetValue<int>());
        }
        else
        {
            await response.ProblemAsync((HttpStatusCode)status);
        }
    }

    [Theory]
    [InlineData("/internal/groups/%00")]
    [InlineData("/internal/users/%00/roles")]
    public async Task Read_NulInPath_IsRefusedByTheServerBeforeTheApp(string path)
    {
        using var client = fixture.Client(RolesApi.NewTenant());

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Write_WrongContentType_Returns415Problem()
    {
        using var client = fixture.Client(RolesApi.NewTenant());

        using var response = await client.PostAsync("/internal/groups", new StringContent("{\"displayName\":\"x\"}", Encoding.UTF8, "text/plain"));

        await response.ProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task AnyRoute_WithoutTenantHeader_Returns400()
    {
        using var client = fixture.System.InternalClient("roles");

        using var response = await client.GetAsync("/internal/groups");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task PatchGroup_TooManyMembersInOneList_Returns400()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var group = await client.CreateGroupAsync("Flooded");

        var response = await client.SendJsonAsync(HttpMethod.Patch, $"/internal/groups/{group.Id()}", new { addMembers = RolesApi.Users("f", 100_001) });

        var (_, field) = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("addMembers", field);
        Assert.Empty(await client.MembersAsync(group.Id()));
    }
}

public sealed class HostileInputTestsOnSqlite(SqliteSystemFixture fixture) : HostileInputTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class HostileInputTestsOnPostgres(PostgresSystemFixture fixture) : HostileInputTests(fixture), IClassFixture<PostgresSystemFixture>;
