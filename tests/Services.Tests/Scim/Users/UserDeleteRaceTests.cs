using System.Net;
using System.Text.Json.Nodes;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Edge;
using Microservices.Users.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Microservices.Services.Tests.Scim.ScimTestTenant;

namespace Microservices.Services.Tests.Scim.Users;

/// <summary>
/// The system with a hook in front of the users service's <c>DELETE /internal/users/{id}</c>: a test can make another
/// write land after the edge has taken a SCIM DELETE and before the users service deletes, the window a DELETE that
/// checks If-Match and then deletes unconditionally leaves open. Real hosts, real stores; only the timing is forced.
/// </summary>
public abstract class UserDeleteRaceFixture(StoreEngine engine) : EdgeSystemFixture(engine)
{
    /// <summary>Runs (with the user id) before the users service handles a DELETE of a user; null for none.</summary>
    public Func<string, Task>? BeforeUserDelete { get; set; }

    protected override void ConfigureHost(string service, WebApplicationBuilder builder)
    {
        if (service == UsersApp.ServiceName)
        {
            builder.Services.AddSingleton<IStartupFilter>(new HookFilter(this));
        }
    }

    private sealed class HookFilter(UserDeleteRaceFixture fixture) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) =>
            {
                if (HttpMethods.IsDelete(context.Request.Method)
                    && context.Request.Path.StartsWithSegments("/internal/users", out var rest)
                    && fixture.BeforeUserDelete is { } hook)
                {
                    await hook(rest.Value!.TrimStart('/'));
                }

                await following(context);
            });
            next(app);
        };
    }
}

public sealed class SqliteUserDeleteRaceFixture() : UserDeleteRaceFixture(StoreEngine.Sqlite);

public sealed class PostgresUserDeleteRaceFixture() : UserDeleteRaceFixture(StoreEngine.Postgres);

public abstract class UserDeleteRaceTests(UserDeleteRaceFixture fixture)
{
    [Fact]
    public async Task Delete_IfMatchAndAWriteLandsBeforeTheDelete_412AndTheNewerVersionSurvives()
    {
        using var t = await CreateAsync(fixture.System);
        var user = await t.CreateUserAsync(NewUser());
        var id = user["id"]!.GetValue<string>();
        var read = user["meta"]!["version"]!.GetValue<string>();
        var meanwhile = HttpStatusCode.InternalServerError;
        fixture.BeforeUserDelete = async target =>
        {
            if (target != id)
            {
                return;
            }

            // Once: the concurrent writer, through the public API like a second IdP job.
            fixture.BeforeUserDelete = null;
            using var patch = await t.Scim.PatchAsync($"Users/{id}", Patch(Op("replace", "title", JsonValue.Create("Changed meanwhile"))));
            meanwhile = patch.StatusCode;
        };

        try
        {
            using var delete = new HttpRequestMessage(HttpMethod.Delete, $"Users/{id}");
            delete.Headers.TryAddWithoutValidation("If-Match", read);
            using var response = await t.Scim.SendAsync(delete);
            await AssertErrorAsync(response, HttpStatusCode.PreconditionFailed);
        }
        finally
        {
            fixture.BeforeUserDelete = null;
        }

        Assert.Equal(HttpStatusCode.OK, meanwhile);
        var after = await t.GetUserAsync(id);
        Assert.Equal("Changed meanwhile", after["title"]!.GetValue<string>());
        Assert.True(after["active"]!.GetValue<bool>());
        Assert.True((await t.AdminUserAsync(id)).GetProperty("person").GetProperty("current").GetBoolean());

        // Naming the version now current, the delete goes through.
        using (var current = new HttpRequestMessage(HttpMethod.Delete, $"Users/{id}"))
        {
            current.Headers.TryAddWithoutValidation("If-Match", after["meta"]!["version"]!.GetValue<string>());
            using var response = await t.Scim.SendAsync(current);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        using var gone = await t.Scim.GetAsync($"Users/{id}");
        await AssertErrorAsync(gone, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_IfMatchNamingNoVersionOrAnUnknownUser_412Or404AndNothingDeleted()
    {
        using var t = await CreateAsync(fixture.System);
        var user = await t.CreateUserAsync(NewUser());
        var id = user["id"]!.GetValue<string>();

        using (var garbage = new HttpRequestMessage(HttpMethod.Delete, $"Users/{id}"))
        {
            garbage.Headers.TryAddWithoutValidation("If-Match", "W/\"abc\"");
            using var response = await t.Scim.SendAsync(garbage);
            await AssertErrorAsync(response, HttpStatusCode.PreconditionFailed);
        }

        using (var unknown = new HttpRequestMessage(HttpMethod.Delete, $"Users/{Guid.NewGuid()}"))
        {
            unknown.Headers.TryAddWithoutValidation("If-Match", user["meta"]!["version"]!.GetValue<string>());
            using var response = await t.Scim.SendAsync(unknown);
            await AssertErrorAsync(response, HttpStatusCode.NotFound);
        }

        Assert.Equal(user["meta"]!["version"]!.GetValue<string>(), (await t.GetUserAsync(id))["meta"]!["version"]!.GetValue<string>());

        using (var any = new HttpRequestMessage(HttpMethod.Delete, $"Users/{id}"))
        {
            any.Headers.TryAddWithoutValidation("If-Match", "*");
            using var response = await t.Scim.SendAsync(any);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
    }
}

public sealed class UserDeleteRaceTestsOnSqlite(SqliteUserDeleteRaceFixture fixture) : UserDeleteRaceTests(fixture), IClassFixture<SqliteUserDeleteRaceFixture>;

public sealed class UserDeleteRaceTestsOnPostgres(PostgresUserDeleteRaceFixture fixture) : UserDeleteRaceTests(fixture), IClassFixture<PostgresUserDeleteRaceFixture>;
