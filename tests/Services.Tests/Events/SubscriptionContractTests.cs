using System.Text.Json.Nodes;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Services.Tests.Roles;

namespace Microservices.Services.Tests.Events;

/// <summary>Pins what each domain service tells Dapr (and the direct relay) it subscribes to.</summary>
public abstract class SubscriptionContractTests(SystemFixture fixture)
{
    [Theory]
    [InlineData("users", "role-memberships:events/role-memberships:role-memberships-deadletter|role-memberships-deadletter:events/role-memberships-deadletter:|orgunits:events/orgunits:orgunits-deadletter|orgunits-deadletter:events/orgunits-deadletter:")]
    [InlineData("roles", "users:events/users:users-deadletter|users-deadletter:events/users-deadletter:")]
    [InlineData("orgunits", "")]
    public async Task DaprSubscribe_EachService_ListsItsTopicsRoutesAndDeadLetters(string service, string expected)
    {
        using var client = fixture.System.InternalClient(service);

        var subscriptions = (await client.GetJsonAsync("/dapr/subscribe")).AsArray();

        Assert.All(subscriptions, s => Assert.Equal("scim-pubsub", s!["pubsubName"]!.GetValue<string>()));
        var actual = subscriptions
            .Select(s => $"{s!["topic"]}:{Route(s)}:{s["deadLetterTopic"]?.GetValue<string>()}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected.Split('|', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal), actual);
    }

    private static string? Route(JsonNode subscription) =>
        subscription["route"]?.GetValue<string>() ?? subscription["routes"]?["default"]?.GetValue<string>();
}

public sealed class SubscriptionContractTestsOnSqlite(SqliteSystemFixture fixture) : SubscriptionContractTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class SubscriptionContractTestsOnPostgres(PostgresSystemFixture fixture) : SubscriptionContractTests(fixture), IClassFixture<PostgresSystemFixture>;
