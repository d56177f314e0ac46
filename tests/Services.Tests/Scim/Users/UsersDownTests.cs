using System.Net;
using System.Net.Sockets;
using Microservices.ScimEdge.Api;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Edge;
using static Microservices.Services.Tests.Scim.ScimTestTenant;

namespace Microservices.Services.Tests.Scim.Users;

/// <summary>The edge pointing at a users address where nothing answers: every /Users call is a 503 SCIM error.</summary>
public abstract class UsersDownFixture(StoreEngine engine) : EdgeSystemFixture(engine)
{
    protected override void Configure(string service, IDictionary<string, string?> settings)
    {
        if (service == ScimEdgeApp.ServiceName)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            settings["Services:Users:BaseUrl"] = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
        }
    }
}

public sealed class SqliteUsersDownFixture() : UsersDownFixture(StoreEngine.Sqlite);

public sealed class PostgresUsersDownFixture() : UsersDownFixture(StoreEngine.Postgres);

public abstract class UsersDownTests(EdgeSystemFixture fixture)
{
    [Fact]
    public async Task UsersRoutes_UsersServiceDown_503ScimError()
    {
        using var t = await CreateAsync(fixture.System);

        using var post = await t.Scim.PostAsync("Users", Json(NewUser()));
        await AssertErrorAsync(post, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(post.Headers.RetryAfter);
        using var list = await t.Scim.GetAsync("Users?filter=" + Uri.EscapeDataString("userName eq \"x\""));
        await AssertErrorAsync(list, HttpStatusCode.ServiceUnavailable);
        using var get = await t.Scim.GetAsync($"Users/{Guid.NewGuid()}");
        await AssertErrorAsync(get, HttpStatusCode.ServiceUnavailable);
    }
}

public sealed class UsersDownTestsOnSqlite(SqliteUsersDownFixture fixture) : UsersDownTests(fixture), IClassFixture<SqliteUsersDownFixture>;

public sealed class UsersDownTestsOnPostgres(PostgresUsersDownFixture fixture) : UsersDownTests(fixture), IClassFixture<PostgresUsersDownFixture>;
