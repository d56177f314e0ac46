using System.Diagnostics;
using System.Net.Http.Json;
using Microservices.Messaging.Tests.Infrastructure;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Messaging.Tests;

/// <summary>
/// Dapr mode through the real DaprClient against a fake sidecar's gRPC publish endpoint on loopback, and the trace
/// context of a change carried into the event in direct mode.
/// </summary>
public abstract class DaprModeTests(StoreEngine engine) : IAsyncLifetime
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string TraceState = "assure=t61rcWkgMzE";
    private static readonly string _requestTraceparent = $"00-{TraceId}-00f067aa0ba902b7-01";

    private readonly TestDatabases _databases = new(engine);
    private readonly List<TestNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.StopAsync();
        }

        await _databases.DisposeAsync();
    }

    [Fact]
    public async Task Publish_DaprMode_SendsCloudEventIdTypeAndTraceContextMetadata()
    {
        await using var sidecar = await FakeSidecar.StartAsync();
        var settings = TestHosts.Settings(_databases, await _databases.CreateAsync("producer"));
        settings["Events:Mode"] = "dapr";
        settings["Events:PubSubName"] = "stack-pubsub";
        settings["DAPR_GRPC_ENDPOINT"] = sidecar.GrpcUrl.ToString();
        var producer = await Start(TestHosts.StartProducerAsync(null, settings));

        var bumped = await BumpWithTraceAsync(producer, "w-dapr", 8);

        await Probe.EventuallyAsync(() => Probe.OutboxAsync(producer.Database, "w-dapr"), rows => rows.Single().PublishedAt is not null, "the mark");
        var request = Assert.Single(sidecar.Requests);
        Assert.Equal(("stack-pubsub", TestHosts.Topic, "application/json"), (request.PubsubName, request.Topic, request.DataContentType));
        Assert.Equal(bumped.EventId, request.Metadata["cloudevent.id"]);
        Assert.Equal(TestHosts.BumpedType, request.Metadata["cloudevent.type"]);
        Assert.Equal(TraceId, ActivityContext.Parse(request.Metadata["cloudevent.traceparent"], null).TraceId.ToHexString());
        Assert.Equal(TraceState, request.Metadata["cloudevent.tracestate"]);
        var data = FakeSidecar.Data(request);
        Assert.Equal(("w-dapr", 1L), (data.GetProperty("aggregateId").GetString(), data.GetProperty("aggregateVersion").GetInt64()));
        Assert.Equal(8, data.GetProperty("payload").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Publish_SidecarUnavailable_RetriedUntilAcceptedThenMarked()
    {
        await using var sidecar = await FakeSidecar.StartAsync();
        sidecar.FailNext(2);
        var settings = TestHosts.Settings(_databases, await _databases.CreateAsync("producer"));
        settings["Events:Mode"] = "dapr";
        settings["DAPR_GRPC_ENDPOINT"] = sidecar.GrpcUrl.ToString();
        var producer = await Start(TestHosts.StartProducerAsync(null, settings));

        var bumped = await Probe.BumpAsync(producer, "w-outage", 1);

        var row = (await Probe.EventuallyAsync(() => Probe.OutboxAsync(producer.Database, "w-outage"), rows => rows.Single().PublishedAt is not null, "the mark")).Single();
        Assert.Equal((3L, null), (row.Attempts, row.LastError));
        Assert.Equal(3, sidecar.Requests.Count);
        Assert.All(sidecar.Requests, r => Assert.Equal(bumped.EventId, r.Metadata["cloudevent.id"]));
    }

    [Fact]
    public async Task Publish_DirectMode_TraceContextOfTheChangeReachesConsumer()
    {
        var consumer = await Start(TestHosts.StartConsumerAsync(null, TestHosts.Settings(_databases, await _databases.CreateAsync("consumer"))));
        var settings = TestHosts.Settings(_databases, await _databases.CreateAsync("producer"));
        settings["Events:Subscribers"] = consumer.Url.ToString();
        var producer = await Start(TestHosts.StartProducerAsync(null, settings));

        var bumped = await BumpWithTraceAsync(producer, "w-trace", 1);

        await Probe.EventuallyAsync(() => Probe.ProjectionAsync(consumer.Database, "w-trace"), p => p is not null, "delivery");
        var delivered = Assert.Single(consumer.Log.All);
        Assert.Equal(bumped.EventId, delivered.Id);
        var context = ActivityContext.Parse(delivered.Traceparent!, null);
        Assert.Equal(TraceId, context.TraceId.ToHexString());
        Assert.NotEqual("00f067aa0ba902b7", context.SpanId.ToHexString());
    }

    private static async Task<BumpResponse> BumpWithTraceAsync(TestNode producer, string id, long amount)
    {
        using var client = producer.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"widgets/{id}/bump", UriKind.Relative))
        {
            Content = JsonContent.Create(new BumpRequest(amount)),
        };
        // The test is the upstream caller: HttpClient propagates the current activity's context as traceparent.
        using var caller = new Activity("test-caller").SetParentId(_requestTraceparent);
        caller.TraceStateString = TraceState;
        caller.Start();
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<BumpResponse>())!;
    }

    private async Task<TestNode> Start(Task<TestNode> starting)
    {
        var node = await starting;
        _nodes.Add(node);
        return node;
    }
}

public sealed class DaprModeTestsOnSqlite() : DaprModeTests(StoreEngine.Sqlite);

public sealed class DaprModeTestsOnPostgres() : DaprModeTests(StoreEngine.Postgres);
