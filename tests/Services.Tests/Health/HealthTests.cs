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
}

public sealed class HealthTestsOnSqlite(SqliteSystemFixture fixture) : HealthTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class HealthTestsOnPostgres(PostgresSystemFixture fixture) : HealthTests(fixture), IClassFixture<PostgresSystemFixture>;
