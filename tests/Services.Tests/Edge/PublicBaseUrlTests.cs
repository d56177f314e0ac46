using System.Net;
using System.Text.Json.Nodes;
using Microservices.ScimEdge.Api;
using Microservices.ScimEdge.Api.Scim;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Scim;
using static Microservices.Services.Tests.Scim.ScimTestTenant;

namespace Microservices.Services.Tests.Edge;

/// <summary>
/// The system with <c>Scim:PublicBaseUrl</c> on another host than the edge listens on, as behind the regional ingress:
/// every test system elsewhere uses the edge's own URL, where a link built from the Host header would look right too.
/// </summary>
public abstract class PublicBaseUrlFixture(StoreEngine engine) : EdgeSystemFixture(engine)
{
    public const string PublicBase = "https://scim.uk.sheassure.net/v1/scim";

    protected override void Configure(string service, IDictionary<string, string?> settings)
    {
        if (service == ScimEdgeApp.ServiceName)
        {
            // A trailing slash as an operator may write it; links must not get a double slash from it.
            settings[ScimSettings.PublicBaseUrlKey] = PublicBase + "/";
        }
    }
}

public sealed class SqlitePublicBaseUrlFixture() : PublicBaseUrlFixture(StoreEngine.Sqlite);

public sealed class PostgresPublicBaseUrlFixture() : PublicBaseUrlFixture(StoreEngine.Postgres);

public abstract class PublicBaseUrlTests(PublicBaseUrlFixture fixture)
{
    private const string PublicBase = PublicBaseUrlFixture.PublicBase;

    [Fact]
    public async Task UsersAndGroups_LocationMetaLocationAndRefs_ComeFromThePublicBaseUrlNeverTheHostHeader()
    {
        using var t = await CreateAsync(fixture.System);

        using var post = await SendAsync(t, HttpMethod.Post, "Users", Json(NewUser()));
        var created = await ReadAsync(post);
        Assert.True(post.StatusCode == HttpStatusCode.Created, created.ToJsonString());
        var userId = created["id"]!.GetValue<string>();
        var userUrl = $"{PublicBase}/Users/{userId}";
        Assert.Equal(userUrl, post.Headers.Location!.ToString());
        Assert.Equal(userUrl, created["meta"]!["location"]!.GetValue<string>());

        using (var get = await SendAsync(t, HttpMethod.Get, $"Users/{userId}"))
        {
            Assert.Equal(userUrl, (await ReadAsync(get))["meta"]!["location"]!.GetValue<string>());
        }

        using (var list = await SendAsync(t, HttpMethod.Get, "Users"))
        {
            Assert.Equal(userUrl, (await ReadAsync(list))["Resources"]![0]!["meta"]!["location"]!.GetValue<string>());
        }

        using var groupPost = await SendAsync(t, HttpMethod.Post, "Groups", Json(NewGroup("Linked " + Guid.NewGuid().ToString("N")[..8], userId)));
        var group = await ReadAsync(groupPost);
        Assert.True(groupPost.StatusCode == HttpStatusCode.Created, group.ToJsonString());
        var groupId = group["id"]!.GetValue<string>();
        var groupUrl = $"{PublicBase}/Groups/{groupId}";
        Assert.Equal(groupUrl, groupPost.Headers.Location!.ToString());
        Assert.Equal(groupUrl, group["meta"]!["location"]!.GetValue<string>());
        Assert.Equal(userUrl, group["members"]![0]!["$ref"]!.GetValue<string>());

        using (var groupGet = await SendAsync(t, HttpMethod.Get, $"Groups/{groupId}"))
        {
            var fetched = await ReadAsync(groupGet);
            Assert.Equal(groupUrl, fetched["meta"]!["location"]!.GetValue<string>());
            Assert.Equal(userUrl, fetched["members"]![0]!["$ref"]!.GetValue<string>());
        }

        var member = await t.WaitForUserAsync(userId, u => u["groups"] is JsonArray { Count: > 0 }, "the user's group");
        Assert.Equal(groupUrl, member["groups"]![0]!["$ref"]!.GetValue<string>());
        Assert.Equal(userUrl, member["meta"]!["location"]!.GetValue<string>());

        using var resourceType = await SendAsync(t, HttpMethod.Get, "ResourceTypes/User");
        Assert.Equal($"{PublicBase}/ResourceTypes/User", (await ReadAsync(resourceType))["meta"]!["location"]!.GetValue<string>());
    }

    /// <summary>Every request claims another host, directly and through the forwarding headers a proxy would add.</summary>
    private static Task<HttpResponseMessage> SendAsync(ScimTestTenant t, HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Host = "attacker.example";
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "attacker.example");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "http");
        return t.Scim.SendAsync(request);
    }
}

public sealed class PublicBaseUrlTestsOnSqlite(SqlitePublicBaseUrlFixture fixture) : PublicBaseUrlTests(fixture), IClassFixture<SqlitePublicBaseUrlFixture>;

public sealed class PublicBaseUrlTestsOnPostgres(PostgresPublicBaseUrlFixture fixture) : PublicBaseUrlTests(fixture), IClassFixture<PostgresPublicBaseUrlFixture>;
