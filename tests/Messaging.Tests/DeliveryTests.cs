using Microservices.Messaging.Tests.Infrastructure;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microservices.Messaging.Tests;

/// <summary>Outbox → relay (direct mode) → subscriber → inbox, over real HTTP, on each engine.</summary>
public abstract class DeliveryTests(StoreEngine engine) : IAsyncLifetime
{
    private readonly TestDatabases _databases = new(engine);
    private readonly List<TestNode> _nodes = [];
    private string _producerDb = string.Empty;
    private string _consumerDb = string.Empty;

    public async Task InitializeAsync()
    {
        _producerDb = await _databases.CreateAsync("producer");
        _consumerDb = await _databases.CreateAsync("consumer");
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.StopAsync();
        }

        await _databases.DisposeAsync();
    }

    [Fact]
    public async Task Enqueue_WithBusinessChange_DeliveredToSubscriber()
    {
        var (producer, consumer) = await StartPairAsync();

        var bumped = await Probe.BumpAsync(producer, "w-1", 5);

        var projection = await Probe.EventuallyAsync(() => Probe.ProjectionAsync(consumer.Database, "w-1"), p => p is not null, "the projection");
        Assert.Equal(new ProjectionRow("w-1", 1, 5, null), projection);
        var row = Assert.Single(await Probe.EventuallyAsync(() => Probe.OutboxAsync(producer.Database, "w-1"), r => r.All(x => x.PublishedAt is not null), "the mark"));
        Assert.Equal(bumped.EventId, row.Id);
        var delivered = Assert.Single(consumer.Log.All);
        Assert.Equal((bumped.EventId, TestHosts.BumpedType, "producer", "w-1", 1L), (delivered.Id, delivered.Type, delivered.Source, delivered.AggregateId, delivered.AggregateVersion));
        Assert.Equal([(consumer.Url.ToString(), TestHosts.Topic, "delivered")], await Probe.DeliveriesAsync(producer.Database, bumped.EventId));
    }

    [Fact]
    public async Task Enqueue_TransactionRolledBack_PublishesNothing()
    {
        var (producer, consumer) = await StartPairAsync();

        using (var client = producer.Client())
        {
            using var failed = await client.PostAsync(
                new Uri("widgets/w-rolled-back/bump", UriKind.Relative),
                System.Net.Http.Json.JsonContent.Create(new BumpRequest(3, Rollback: true)));
            Assert.Equal(500, (int)failed.StatusCode);
        }

        // A later event that is delivered proves the relay ran past the moment the rolled-back one would have been sent.
        await Probe.BumpAsync(producer, "w-after", 1);
        await Probe.EventuallyAsync(() => Probe.ProjectionAsync(consumer.Database, "w-after"), p => p is not null, "the later event");

        Assert.Empty(await Probe.OutboxAsync(producer.Database, "w-rolled-back"));
        Assert.DoesNotContain(consumer.Log.All, e => e.AggregateId == "w-rolled-back");
        Assert.Null(await Probe.ProjectionAsync(consumer.Database, "w-rolled-back"));
    }

    [Fact]
    public async Task EnqueueMany_InOneTransaction_EveryEventDeliveredOnceLikeSingleEnqueues()
    {
        var (producer, consumer) = await StartPairAsync();
        const int Count = 250;

        // One bulk write (COPY on PostgreSQL, a reused prepared INSERT on SQLite) of Count events for Count widgets.
        var written = await producer.Database.InTransactionAsync((connection, transaction) => Outbox.EnqueueManyAsync(
            connection,
            transaction,
            Enumerable.Range(1, Count).Select(i => new OutgoingEvent(TestHosts.Topic, TestHosts.BumpedType, $"w-many-{i}", 1, new WidgetChanged($"w-many-{i}", 1, i, i)))));
        producer.App.Services.GetRequiredService<OutboxSignal>().Notify();

        Assert.Equal(Count, written);
        var rows = (await Task.WhenAll(Enumerable.Range(1, Count).Select(i => Probe.OutboxAsync(producer.Database, $"w-many-{i}")))).Select(r => Assert.Single(r)).ToList();
        Assert.Equal(Count, rows.Select(r => r.Id).Distinct().Count());
        await Probe.EventuallyAsync(() => Probe.ProjectionAsync(consumer.Database, $"w-many-{Count}"), p => p is not null, "the last bulk event");
        for (var i = 1; i <= Count; i++)
        {
            var projection = await Probe.EventuallyAsync(() => Probe.ProjectionAsync(consumer.Database, $"w-many-{i}"), p => p is not null, $"widget {i}");
            Assert.Equal(new ProjectionRow($"w-many-{i}", 1, i, null), projection);
        }

        var delivered = consumer.Log.All.Where(e => e.AggregateId.StartsWith("w-many-", StringComparison.Ordinal)).ToList();
        Assert.Equal(Count, delivered.Count);
        Assert.Equal(rows.Select(r => r.Id).Order(), delivered.Select(e => e.Id).Order());
    }

    [Fact]
    public async Task EnqueueMany_TransactionRolledBack_PublishesNothing()
    {
        var (producer, consumer) = await StartPairAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => producer.Database.InTransactionAsync<int>(async (connection, transaction) =>
        {
            await Outbox.EnqueueManyAsync(
                connection,
                transaction,
                Enumerable.Range(1, 20).Select(i => new OutgoingEvent(TestHosts.Topic, TestHosts.BumpedType, "w-many-rolled-back", i, new WidgetChanged("w-many-rolled-back", i, i, 1))));
            throw new InvalidOperationException("the business change failed after its events were enqueued");
        }));

        await Probe.BumpAsync(producer, "w-many-after", 1);
        await Probe.EventuallyAsync(() => Probe.ProjectionAsync(consumer.Database, "w-many-after"), p => p is not null, "the later event");
        Assert.Empty(await Probe.OutboxAsync(producer.Database, "w-many-rolled-back"));
        Assert.DoesNotContain(consumer.Log.All, e => e.AggregateId == "w-many-rolled-back");
    }

    [Fact]
    public async Task Relay_SubscriberDownWhileProducing_ConvergesWhenBackWithoutDuplicatingToHealthyOne()
    {
        var healthyDb = await _databases.CreateAsync("healthy");
        var down = await StartConsumerAsync(null, _consumerDb);
        var healthy = await StartConsumerAsync(null, healthyDb);
        var downUrl = down.Url;
        var producer = await StartProducerAsync(_producerDb, [downUrl, healthy.Url]);

        // Both subscribers are known (the relay read their /dapr/subscribe) before one goes away.
        await Probe.BumpAsync(producer, "w-warmup", 1);
        await Probe.EventuallyAsync(() => Probe.ProjectionAsync(down.Database, "w-warmup"), p => p is not null, "warm-up on the first subscriber");
        await down.StopAsync();

        var events = new List<BumpResponse>();
        for (var i = 1; i <= 5; i++)
        {
            events.Add(await Probe.BumpAsync(producer, "w-down", i));
        }

        // The healthy subscriber gets everything while the other is down, and keeps getting each event once even
        // though the relay retries every one of them for the subscriber that is down.
        await Probe.EventuallyAsync(() => Probe.ProjectionAsync(healthy.Database, "w-down"), p => p?.Version == 5, "the healthy subscriber");
        await Probe.EventuallyAsync(() => Probe.OutboxAsync(producer.Database, "w-down"), rows => rows.All(r => r.Attempts >= 3), "several retries");
        Assert.All(events, e => Assert.Equal(1, healthy.Log.Count(e.EventId)));
        Assert.All(await Probe.OutboxAsync(producer.Database, "w-down"), r => Assert.Null(r.PublishedAt));

        var back = await StartConsumerAsync(downUrl, _consumerDb);

        // Retries are not in order (each row has its own backoff), so wait for all of them before looking.
        await Probe.EventuallyAsync(() => Probe.OutboxAsync(producer.Database, "w-down"), rows => rows.All(r => r.PublishedAt is not null), "every row marked");
        var projection = await Probe.ProjectionAsync(back.Database, "w-down");
        Assert.Equal((5, 1 + 2 + 3 + 4 + 5), (projection!.Version, projection.Total));
        Assert.Equal(5, await Probe.EffectsAsync(back.Database, "w-down"));
        Assert.All(events, e => Assert.Equal(1, healthy.Log.Count(e.EventId)));
    }

    [Fact]
    public async Task Relay_SubscriberUnknownAtStart_HoldsEventsUntilItAnswers()
    {
        var consumerUrl = TestHosts.FreeUrl();
        var producer = await StartProducerAsync(_producerDb, [consumerUrl]);

        var bumped = await Probe.BumpAsync(producer, "w-early", 7);
        await Probe.EventuallyAsync(() => Probe.OutboxAsync(producer.Database, "w-early"), rows => rows.Single().Attempts >= 2, "attempts while unknown");
        Assert.Null((await Probe.OutboxAsync(producer.Database, "w-early")).Single().PublishedAt);

        var consumer = await StartConsumerAsync(consumerUrl, _consumerDb);

        var projection = await Probe.EventuallyAsync(() => Probe.ProjectionAsync(consumer.Database, "w-early"), p => p is not null, "late delivery");
        Assert.Equal(7, projection!.Total);
        Assert.Equal(1, consumer.Log.Count(bumped.EventId));
    }

    [Fact]
    public async Task Relay_SubscriberWithoutSubscribeEndpoint_SubscribesToNothingAndBlocksNobody()
    {
        // A configured service that maps no subscriptions answers 404 on /dapr/subscribe, which Dapr reads as "none".
        var bare = await TestHosts.StartBareAsync(TestHosts.Settings(_databases, await _databases.CreateAsync("bare")));
        _nodes.Add(bare);
        var consumer = await StartConsumerAsync(null, _consumerDb);
        var producer = await StartProducerAsync(_producerDb, [bare.Url, consumer.Url]);

        var bumped = await Probe.BumpAsync(producer, "w-bare", 2);

        await Probe.EventuallyAsync(() => Probe.OutboxAsync(producer.Database, "w-bare"), rows => rows.Single().PublishedAt is not null, "the mark");
        Assert.Equal([(consumer.Url.ToString(), TestHosts.Topic, "delivered")], await Probe.DeliveriesAsync(producer.Database, bumped.EventId));
        Assert.Equal(1, (await Probe.OutboxAsync(producer.Database, "w-bare")).Single().Attempts);
    }

    [Fact]
    public async Task Relay_PastRetention_PurgesPublishedRowsAndKeepsUnpublishedOnes()
    {
        var consumer = await StartConsumerAsync(null, _consumerDb);
        consumer.Script.Answer("w-held", [.. Enumerable.Repeat("RETRY", 10_000)]);
        var producer = await StartProducerAsync(_producerDb, [consumer.Url], s =>
        {
            s["Events:Retention"] = "00:00:00.001";
            s["Events:PurgeInterval"] = "00:00:00.100";
        });

        var held = await Probe.BumpAsync(producer, "w-held", 1);
        var done = await Probe.BumpAsync(producer, "w-done", 1);

        await Probe.EventuallyAsync(() => Probe.ProjectionAsync(consumer.Database, "w-done"), p => p is not null, "delivery");
        await Probe.EventuallyAsync(() => Probe.OutboxAsync(producer.Database, "w-done"), rows => rows.Count == 0, "the purge");
        Assert.Empty(await Probe.DeliveriesAsync(producer.Database, done.EventId));
        var kept = Assert.Single(await Probe.OutboxAsync(producer.Database, "w-held"));
        Assert.Equal((held.EventId, null), (kept.Id, kept.PublishedAt));
    }

    [Fact]
    public async Task Subscriber_RetryAnswers_RetriedUntilSuccessAndAppliedOnce()
    {
        var (producer, consumer) = await StartPairAsync();
        consumer.Script.Answer("w-retry", "RETRY", "500", "RETRY");

        var bumped = await Probe.BumpAsync(producer, "w-retry", 2);

        var row = await Probe.EventuallyAsync(() => Probe.OutboxAsync(producer.Database, "w-retry"), rows => rows.Single().PublishedAt is not null, "publish after retries");
        Assert.Equal(4, row.Single().Attempts);
        Assert.Equal(4, consumer.Log.Count(bumped.EventId));
        Assert.Equal(1, await Probe.EffectsAsync(consumer.Database, "w-retry"));
        Assert.Equal(2, (await Probe.ProjectionAsync(consumer.Database, "w-retry"))!.Total);
    }

    [Theory]
    [InlineData("DROP")]
    [InlineData("404")]
    public async Task Subscriber_DropOr404Answer_DroppedToDeadLetterStore(string answer)
    {
        var (producer, consumer) = await StartPairAsync();
        consumer.Script.Answer("w-poison", answer);

        var bumped = await Probe.BumpAsync(producer, "w-poison", 1);

        await Probe.EventuallyAsync(() => Probe.OutboxAsync(producer.Database, "w-poison"), rows => rows.Single().PublishedAt is not null, "the row settled");
        Assert.Equal(
            [(consumer.Url.ToString(), TestHosts.Topic, "dropped"), (consumer.Url.ToString(), Topics.DeadLetterOf(TestHosts.Topic), "delivered")],
            await Probe.DeliveriesAsync(producer.Database, bumped.EventId));
        Assert.Equal([bumped.EventId], await Probe.DeadLettersAsync(consumer.Database));
        Assert.Equal(1, consumer.Log.Count(bumped.EventId));
        Assert.Equal(1, (await Probe.OutboxAsync(producer.Database, "w-poison")).Single().Attempts);
        Assert.Null(await Probe.ProjectionAsync(consumer.Database, "w-poison"));
    }

    [Fact]
    public async Task Relay_KilledBetweenPublishAndMark_RedeliveryTakesEffectOnce()
    {
        // Dapr mode: the (fake) sidecar accepts the publish and delivers it; the relay dies before marking the row.
        var consumer = await StartConsumerAsync(null, _consumerDb);
        var consumerUrl = consumer.Url;
        await using var sidecar = await FakeSidecar.StartAsync(consumerUrl);
        var hang = new HangAfterPublish();
        void DaprMode(Dictionary<string, string?> s)
        {
            s["Events:Mode"] = "dapr";
            s["DAPR_GRPC_ENDPOINT"] = sidecar.GrpcUrl.ToString();
            s["Events:ClaimTimeout"] = "00:00:02";
        }

        var doomed = await StartProducerAsync(
            _producerDb, [], DaprMode, services => services.AddSingleton<IEventPublisher>(sp => hang.Wrap(sp.GetRequiredService<DaprEventPublisher>())));

        var bumped = await Probe.BumpAsync(doomed, "w-crash", 4);
        await hang.Published.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, consumer.Log.Count(bumped.EventId));
        Assert.Null((await Probe.OutboxAsync(doomed.Database, "w-crash")).Single().PublishedAt);

        // The first relay never marks the row (it is as good as dead); a second one takes over once the claim runs out.
        var successor = await StartProducerAsync(_producerDb, [], DaprMode);

        await Probe.EventuallyAsync(() => Probe.OutboxAsync(successor.Database, "w-crash"), rows => rows.Single().PublishedAt is not null, "the successor's mark");
        Assert.Equal(2, consumer.Log.Count(bumped.EventId));
        Assert.Equal(1, await Probe.EffectsAsync(consumer.Database, "w-crash"));
        Assert.Equal(4, (await Probe.ProjectionAsync(consumer.Database, "w-crash"))!.Total);
        hang.Release();
    }

    [Fact]
    public async Task Relay_KilledAfterDirectDelivery_SuccessorDoesNotSendItAgain()
    {
        // Direct mode records each settled (event, subscriber) as it goes, so a takeover resends only what is unsettled.
        var consumer = await StartConsumerAsync(null, _consumerDb);
        var consumerUrl = consumer.Url;
        var hang = new HangAfterPublish();
        var doomed = await StartProducerAsync(
            _producerDb,
            [consumerUrl],
            s => s["Events:ClaimTimeout"] = "00:00:02",
            services => services.AddSingleton<IEventPublisher>(sp => hang.Wrap(sp.GetRequiredService<DirectEventPublisher>())));

        var bumped = await Probe.BumpAsync(doomed, "w-crash-direct", 4);
        await hang.Published.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var successor = await StartProducerAsync(_producerDb, [consumerUrl], s => s["Events:ClaimTimeout"] = "00:00:02");

        await Probe.EventuallyAsync(() => Probe.OutboxAsync(successor.Database, "w-crash-direct"), rows => rows.Single().PublishedAt is not null, "the successor's mark");
        Assert.Equal(1, consumer.Log.Count(bumped.EventId));
        Assert.Equal(1, await Probe.EffectsAsync(consumer.Database, "w-crash-direct"));
        hang.Release();
    }

    [Fact]
    public async Task Relay_StoppedWithClaimedRows_HandsThemBackAtOnce()
    {
        var consumer = await StartConsumerAsync(null, _consumerDb);
        var consumerUrl = consumer.Url;
        var gate = new GateFirstPublish();
        var stopping = await StartProducerAsync(
            _producerDb,
            [consumerUrl],
            s => s["Events:ClaimTimeout"] = "00:10:00",
            services => services.AddSingleton<IEventPublisher>(sp => gate.Wrap(sp.GetRequiredService<DirectEventPublisher>())));

        // Written in one transaction so the relay claims all three in one batch.
        await stopping.Database.InTransactionAsync(async (connection, transaction) =>
        {
            for (var version = 1; version <= 3; version++)
            {
                await Outbox.EnqueueAsync(
                    connection,
                    transaction,
                    new OutgoingEvent(TestHosts.Topic, TestHosts.BumpedType, "w-stop", version, new WidgetChanged("w-stop", version, version * 10, 10)));
            }
        });
        stopping.App.Services.GetRequiredService<OutboxSignal>().Notify();
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The host stops the relay like this; its stopping token is cancelled before StopAsync first yields, so
        // opening the gate afterwards lets the in-flight publish finish with the stop already requested.
        var relay = stopping.App.Services.GetServices<IHostedService>().OfType<BackgroundService>().Single(s => s.GetType().Name == "OutboxRelay");
        var stop = relay.StopAsync(CancellationToken.None);
        gate.Open();
        await stop;
        await stopping.StopAsync();

        // The publish in flight finished and was marked; the rest of the batch is not sent, not marked, and due now.
        List<OutboxRow> rows;
        await using (var database = Database.Create(engine, _producerDb))
        {
            rows = await Probe.OutboxAsync(database, "w-stop");
        }

        Assert.NotNull(rows[0].PublishedAt);
        Assert.All(rows.Skip(1), r => Assert.Equal((null, null), (r.PublishedAt, r.ClaimToken)));
        Assert.All(rows.Skip(1), r => Assert.True(r.NextAttemptAt <= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000));
        Assert.Equal(1, consumer.Log.All.Count(e => e.AggregateId == "w-stop"));

        // With a ten-minute claim timeout, only handed-back rows can be published by another relay within this test.
        await StartProducerAsync(_producerDb, [consumerUrl], s => s["Events:ClaimTimeout"] = "00:10:00");
        await Probe.EventuallyAsync(() => Probe.EffectsAsync(consumer.Database, "w-stop"), n => n == 3, "the rest of the batch");
        var projection = await Probe.ProjectionAsync(consumer.Database, "w-stop");
        Assert.Equal((3, 30), (projection!.Version, projection.Total));
        Assert.Equal(3, consumer.Log.All.Count(e => e.AggregateId == "w-stop"));
    }

    private async Task<(TestNode Producer, TestNode Consumer)> StartPairAsync()
    {
        var consumer = await StartConsumerAsync(null, _consumerDb);
        var consumerUrl = consumer.Url;
        var producer = await StartProducerAsync(_producerDb, [consumerUrl]);
        return (producer, consumer);
    }

    private async Task<TestNode> StartConsumerAsync(Uri? url, string connectionString)
    {
        var node = await TestHosts.StartConsumerAsync(url, TestHosts.Settings(_databases, connectionString));
        _nodes.Add(node);
        return node;
    }

    private async Task<TestNode> StartProducerAsync(
        string connectionString, IEnumerable<Uri> subscribers, Action<Dictionary<string, string?>>? settings = null, Action<IServiceCollection>? services = null)
    {
        var values = TestHosts.Settings(_databases, connectionString);
        values["Events:Subscribers"] = string.Join(',', subscribers);
        settings?.Invoke(values);
        var node = await TestHosts.StartProducerAsync(null, values, services);
        _nodes.Add(node);
        return node;
    }
}

public sealed class DeliveryTestsOnSqlite() : DeliveryTests(StoreEngine.Sqlite);

public sealed class DeliveryTestsOnPostgres() : DeliveryTests(StoreEngine.Postgres);
