using System.Net;
using Microservices.ScimEdge.Api;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Edge;

namespace Microservices.Services.Tests.Scim.Groups;

/// <summary>The edge pointing at a roles or users address where nothing answers: 503 SCIM errors, nothing half-written.</summary>
public abstract class GroupServiceDownFixture(StoreEngine engine, string deadService) : EdgeSystemFixture(engine)
{
    protected override void Configure(string service, IDictionary<string, string?> settings)
    {
        if (service == ScimEdgeApp.ServiceName)
        {
            settings[$"Services:{deadService}:BaseUrl"] = DeadUrl();
        }
    }
}

public sealed class SqliteRolesDownFixture() : GroupServiceDownFixture(StoreEngine.Sqlite, "Roles");

public sealed class PostgresRolesDownFixture() : GroupServiceDownFixture(StoreEngine.Postgres, "Roles");

public sealed class SqliteUsersDownFixture() : GroupServiceDownFixture(StoreEngine.Sqlite, "Users");

public sealed class PostgresUsersDownFixture() : GroupServiceDownFixture(StoreEngine.Postgres, "Users");

public abstract class GroupRolesDownTests(EdgeSystemFixture fixture)
{
    [Fact]
    public async Task ListAndCreateGroups_RolesUnreachable_503ScimErrorWithRetryAfter()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);

        using var list = await t.SendAsync(HttpMethod.Get, "Groups");
        using var create = await t.SendAsync(HttpMethod.Post, "Groups", GroupTestTenant.GroupBody(GroupTestTenant.Unique("Down")));

        await EdgeTestApi.AssertScimErrorAsync(list, HttpStatusCode.ServiceUnavailable);
        await EdgeTestApi.AssertScimErrorAsync(create, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(list.Headers.RetryAfter);
    }
}

public abstract class GroupUsersDownTests(EdgeSystemFixture fixture)
{
    [Fact]
    public async Task PatchAddMembers_UsersUnreachable_503AndMembersUnchanged()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var user = await t.CreateUserAsync();
        var id = (await t.CreateGroupAsync(GroupTestTenant.Unique("NoUsers")))["id"]!.GetValue<string>();

        using var patch = await t.SendAsync(HttpMethod.Patch, $"Groups/{id}", GroupTestTenant.Patch(GroupTestTenant.AddMembers([user])));

        await EdgeTestApi.AssertScimErrorAsync(patch, HttpStatusCode.ServiceUnavailable);
        Assert.Empty(await t.MembersAsync(id));
    }
}

public sealed class GroupRolesDownTestsOnSqlite(SqliteRolesDownFixture fixture) : GroupRolesDownTests(fixture), IClassFixture<SqliteRolesDownFixture>;

public sealed class GroupRolesDownTestsOnPostgres(PostgresRolesDownFixture fixture) : GroupRolesDownTests(fixture), IClassFixture<PostgresRolesDownFixture>;

public sealed class GroupUsersDownTestsOnSqlite(SqliteUsersDownFixture fixture) : GroupUsersDownTests(fixture), IClassFixture<SqliteUsersDownFixture>;

public sealed class GroupUsersDownTestsOnPostgres(PostgresUsersDownFixture fixture) : GroupUsersDownTests(fixture), IClassFixture<PostgresUsersDownFixture>;
