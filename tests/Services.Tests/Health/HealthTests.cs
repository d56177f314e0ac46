using System.Net;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Health;

public abstract class HealthTests(SystemFixture fixture)
{
    [Theory]
    [InlineData("scim-edge")]
    [InlineData("users")]
    [InlineData("roles")]
    [InlineData("orgunits")]
    public async Task Ready_EveryService_AnswersOkWithoutCredentials(string service)
    {
        using var client = new HttpClient { BaseAddress = fixture.System.Urls[service] };

        using var live = await client.GetAsync("/healthz/live");
        using var ready = await client.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Theory]
    [InlineData("users")]
    [InlineData("roles")]
    [InlineData("orgunits")]
    public async Task InternalRoute_WithoutToken_IsRefused(string service)
    {
        using var client = new HttpClient { BaseAddress = fixture.System.Urls[service] };

        using var response = await client.GetAsync("/dapr/subscribe");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
    // Wrong, not missing: near misses a byte-wise or length-first comparison could get wrong, and another real secret.
    private static readonly Dictionary<string, string> _wrongTokens = new()
    {
        ["same length, one character off"] = RunningSystem.InternalToken[..^1] + (RunningSystem.InternalToken[^1] == 'x' ? 'y' : 'x'),
        ["the token with more after it"] = RunningSystem.InternalToken + "x",
        ["a prefix of the token"] = RunningSystem.InternalToken[..^4],
        ["the token in another case"] = RunningSystem.InternalToken.ToUpperInvariant(),
        ["another secret of the system"] = RunningSystem.AdminToken,
    };

    public static TheoryData<string, string> WrongTokens()
    {
        var data = new TheoryData<string, string>();
        foreach (var service in new[] { "users", "roles", "orgunits" })
        {
            foreach (var label in _wrongTokens.Keys)
            {
                data.Add(service, label);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WrongTokens))]
    public async Task InternalRoute_WithWrongToken_IsRefused(string service, string label)
    {
        var token = _wrongTokens[label];
        using var client = new HttpClient { BaseAddress = fixture.System.Urls[service] };
        client.DefaultRequestHeaders.Add("dapr-api-token", token);
        client.DefaultRequestHeaders.Add("x-tenant-id", "t-" + Guid.NewGuid().ToString("N"));

        using var route = await client.GetAsync($"/internal/{service}");
        using var subscribe = await client.GetAsync("/dapr/subscribe");

        Assert.Equal(HttpStatusCode.Unauthorized, route.StatusCode);
        Assert.Equal("application/problem+json", route.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, subscribe.StatusCode);
    }

    [Fact]
    public async Task InternalWrite_WithWrongToken_ChangesNothing()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N");
        using var wrong = new HttpClient { BaseAddress = fixture.System.Urls["orgunits"] };
        wrong.DefaultRequestHeaders.Add("dapr-api-token", RunningSystem.AdminToken);
        wrong.DefaultRequestHeaders.Add("x-tenant-id", tenant);

        using var refused = await wrong.PostAsync("/internal/orgunits", new StringContent("{\"name\":\"Head Office\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var own = fixture.System.InternalClient("orgunits", tenant);
        Assert.Equal("{\"items\":[]}", await own.GetStringAsync("/internal/orgunits"));
    }
}

public sealed class HealthTestsOnSqlite(SqliteSystemFixture fixture) : HealthTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class HealthTestsOnPostgres(PostgresSystemFixture fixture) : HealthTests(fixture), IClassFixture<PostgresSystemFixture>;
