using System.Collections.Concurrent;
using Microservices.Messaging.Tests.Infrastructure;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Microservices.Messaging.Tests;

/// <summary>Replicas share one PostgreSQL outbox (SQLite has one process per file, so this is PostgreSQL only).</summary>
public sealed class ConcurrentRelayTests : IAsyncLifetime
{
    private const int Events = 200;

    private readonly TestDatabases _databases = new(StoreEngine.Postgres);
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
    public async Task TwoRelays_SamePostgresDatabase_NeverPublishARowTwice()
    {
        var consumer = await Track(TestHosts.StartConsumerAsync(null, TestHosts.Settings(_databases, await _databases.CreateAsync("consumer"))));
        var producerDb = await _databases.CreateAsync("producer");
        var publishes = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        async Task<TestNode> StartRelay(string name)
        {
            var settings = TestHosts.Settings(_databases, producerDb);
            settings["Events:Subscribers"] = consumer.Url.ToString();
            settings["Events:BatchSize"] = "5";
            return await Track(TestHosts.StartProducerAsync(
                null,
                settings,
                services => services.AddSingleton<IEventPublisher>(sp => new Counting(sp.GetRequiredService<DirectEventPublisher>(), name, publishes))));
        }

        var first = await StartRelay("first");
        var second = await StartRelay("second");

        // All rows become due in one commit, and both relays are woken for it: they race for every batch.
        await first.Database.InTransactionAsync(async (connection, transaction) =>
        {
            for (var i = 0; i < Events; i++)
            {
                await Outbox.EnqueueAsync(
                    connection, transaction, new OutgoingEvent(TestHosts.Topic, TestHosts.BumpedType, $"w-{i}", 1, new WidgetChanged($"w-{i}", 1, i, i)));
            }
        });
        first.App.Services.GetRequiredService<OutboxSignal>().Notify();
        second.App.Services.GetRequiredService<OutboxSignal>().Notify();

        await Probe.EventuallyAsync(() => Task.FromResult(publishes.Count), n => n == Events, "every event published");
        await Probe.EventuallyAsync(() => Task.FromResult(consumer.Log.All.Count), n => n >= Events, "every event delivered");

        Assert.All(publishes, p => Assert.Single(p.Value));
        Assert.Equal(Events, consumer.Log.All.Count);
        Assert.All(consumer.Log.All, e => Assert.Equal(1, consumer.Log.Count(e.Id)));
        var byRelay = publishes.Values.SelectMany(v => v).GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(byRelay.Count == 2, $"both relays should have published: {string.Join(", ", byRelay)}");
    }

    private async Task<TestNode> Track(Task<TestNode> starting)
    {
        var node = await starting;
        _nodes.Add(node);
        return node;
    }

    // Each publish takes a little while, so neither relay can drain the table before the other claims.
    private sealed class Counting(IEventPublisher inner, string relay, ConcurrentDictionary<string, ConcurrentBag<string>> publishes) : IEventPublisher
    {
        public async Task PublishAsync(OutboxMessage message, string? traceparent, CancellationToken cancellationToken)
        {
            publishes.GetOrAdd(message.Id, _ => []).Add(relay);
            await Task.Delay(2, cancellationToken);
            await inner.PublishAsync(message, traceparent, cancellationToken);
        }
    }
}
