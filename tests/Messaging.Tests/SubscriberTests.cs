using System.Text.Json;
using Microservices.Messaging.Tests.Infrastructure;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Messaging.Tests;

/// <summary>The consumer side alone: CloudEvents posted to its route as a sidecar would, and its subscription contract.</summary>
public abstract class SubscriberTests(StoreEngine engine) : IAsyncLifetime
{
    private const string Route = "events/widgets";

    private readonly TestDatabases _databases = new(engine);
    private TestNode? _consumer;

    private TestNode Consumer => _consumer!;

    public async Task InitializeAsync() =>
        _consumer = await TestHosts.StartConsumerAsync(null, TestHosts.Settings(_databases, await _databases.CreateAsync("consumer")));

    public async Task DisposeAsync()
    {
        if (_consumer is not null)
        {
            await _consumer.StopAsync();
        }

        await _databases.DisposeAsync();
    }

    [Fact]
    public async Task Post_SameCloudEventTwice_TakesEffectOnce()
    {
        var cloudEvent = Probe.CloudEvent(Guid.NewGuid().ToString(), TestHosts.BumpedType, "w-twice", 1, 9);

        var first = await Probe.PostCloudEventAsync(Consumer, Route, cloudEvent);
        var second = await Probe.PostCloudEventAsync(Consumer, Route, cloudEvent);

        Assert.Equal((200, """{"status":"SUCCESS"}"""), first);
        Assert.Equal((200, """{"status":"SUCCESS"}"""), second);
        Assert.Equal(1, await Probe.EffectsAsync(Consumer.Database, "w-twice"));
        Assert.Equal(9, (await Probe.ProjectionAsync(Consumer.Database, "w-twice"))!.Total);
    }

    [Fact]
    public async Task Post_SameCloudEventConcurrently_TakesEffectOnce()
    {
        var cloudEvent = Probe.CloudEvent(Guid.NewGuid().ToString(), TestHosts.BumpedType, "w-race", 1, 3);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Probe.PostCloudEventAsync(Consumer, Route, cloudEvent)));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Equal(1, await Probe.EffectsAsync(Consumer.Database, "w-race"));
    }

    [Fact]
    public async Task Post_OutOfOrder_EndsInNewestStateAndTombstoneHolds()
    {
        async Task Post(string type, long version, long total) =>
            Assert.Equal(200, (await Probe.PostCloudEventAsync(Consumer, Route, Probe.CloudEvent(Guid.NewGuid().ToString(), type, "w-order", version, total))).Status);

        await Post(TestHosts.BumpedType, 3, 30);
        await Post(TestHosts.BumpedType, 1, 10);
        await Post(TestHosts.BumpedType, 2, 20);
        Assert.Equal(new ProjectionRow("w-order", 3, 30, null), await Probe.ProjectionAsync(Consumer.Database, "w-order"));

        await Post(TestHosts.DeletedType, 5, 30);
        await Post(TestHosts.BumpedType, 4, 40);

        var projection = await Probe.ProjectionAsync(Consumer.Database, "w-order");
        Assert.Equal((5L, 30L), (projection!.Version, projection.Total));
        Assert.NotNull(projection.DeletedAt);
        Assert.Equal(5, await Probe.EffectsAsync(Consumer.Database, "w-order"));
    }

    [Theory]
    [InlineData("""{"aggregateId":"w-poison","payload":{}}""")]
    [InlineData("""{"aggregateId":"w-poison","aggregateVersion":1,"payload":{"total":"not a number"}}""")]
    [InlineData("\"just a string\"")]
    public async Task Post_PoisonData_AnswersDrop(string data)
    {
        var answer = await Probe.PostCloudEventAsync(Consumer, Route, Probe.CloudEvent(Guid.NewGuid().ToString(), TestHosts.BumpedType, "w-poison", 1, 1, data));

        Assert.Equal((200, """{"status":"DROP"}"""), answer);
        Assert.Equal(0, await Probe.EffectsAsync(Consumer.Database, "w-poison"));
    }

    [Fact]
    public async Task Post_UnknownTypeVersion_AnswersDrop()
    {
        var answer = await Probe.PostCloudEventAsync(Consumer, Route, Probe.CloudEvent(Guid.NewGuid().ToString(), "widget.bumped.v9", "w-v9", 1, 1));

        Assert.Equal((200, """{"status":"DROP"}"""), answer);
        Assert.Equal(0, await Probe.EffectsAsync(Consumer.Database, "w-v9"));
    }

    [Fact]
    public async Task Post_TransientFailure_Answers500RetryAndNothingIsRecorded()
    {
        var id = Guid.NewGuid().ToString();
        Consumer.Script.Answer("w-transient", "500");

        var failed = await Probe.PostCloudEventAsync(Consumer, Route, Probe.CloudEvent(id, TestHosts.BumpedType, "w-transient", 1, 6));
        var retried = await Probe.PostCloudEventAsync(Consumer, Route, Probe.CloudEvent(id, TestHosts.BumpedType, "w-transient", 1, 6));

        Assert.Equal((500, """{"status":"RETRY"}"""), failed);
        Assert.Equal(200, retried.Status);
        Assert.Equal(1, await Probe.EffectsAsync(Consumer.Database, "w-transient"));
    }

    [Fact]
    public async Task Post_WithoutInternalToken_Refused()
    {
        using var client = new HttpClient { BaseAddress = Consumer.Url };
        using var content = new StringContent(Probe.CloudEvent(Guid.NewGuid().ToString(), TestHosts.BumpedType, "w-anon", 1, 1), System.Text.Encoding.UTF8, "application/cloudevents+json");

        using var response = await client.PostAsync(new Uri(Route, UriKind.Relative), content);

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal(0, await Probe.EffectsAsync(Consumer.Database, "w-anon"));
    }

    [Fact]
    public async Task Subscribe_ConsumerHost_DeclaresTopicRouteAndDeadLetterTopic()
    {
        using var client = Consumer.Client();

        var json = await client.GetStringAsync(new Uri("dapr/subscribe", UriKind.Relative));

        // Pinned: this is what a Dapr sidecar (and the direct-mode relay) reads to route deliveries. Dapr.AspNetCore
        // writes "pubsubName" and a route without the leading slash; the sidecar reads keys case-insensitively.
        var subscriptions = JsonDocument.Parse(json).RootElement.EnumerateArray()
            .Select(s => (
                PubSub: s.GetProperty("pubsubName").GetString(),
                Topic: s.GetProperty("topic").GetString(),
                Route: s.GetProperty("route").GetString(),
                DeadLetter: s.TryGetProperty("deadLetterTopic", out var d) ? d.GetString() : null))
            .OrderBy(s => s.Topic, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(
            [
                ("scim-pubsub", "widgets", "events/widgets", "widgets-deadletter"),
                ("scim-pubsub", "widgets-deadletter", "events/widgets-deadletter", null),
            ],
            subscriptions);
    }
}

public sealed class SubscriberTestsOnSqlite() : SubscriberTests(StoreEngine.Sqlite);

public sealed class SubscriberTestsOnPostgres() : SubscriberTests(StoreEngine.Postgres);
