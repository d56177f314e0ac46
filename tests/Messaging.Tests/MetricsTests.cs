using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microservices.Messaging.Tests.Infrastructure;
using Microservices.ServiceDefaults.Hosting;
using Microservices.ServiceDefaults.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Microservices.Messaging.Tests;

/// <summary>The relay's instruments, observed for one producer host (its meter factory is the scope).</summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private readonly TestDatabases _databases = new(StoreEngine.Sqlite);
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
    public async Task Relay_PublishesAndFailures_AreCountedWithLag()
    {
        var consumer = await TestHosts.StartConsumerAsync(null, TestHosts.Settings(_databases, await _databases.CreateAsync("consumer")));
        _nodes.Add(consumer);
        consumer.Script.Answer("w-metrics", "RETRY");
        var settings = TestHosts.Settings(_databases, await _databases.CreateAsync("producer"));
        settings["Events:Subscribers"] = consumer.Url.ToString();
        var producer = await TestHosts.StartProducerAsync(null, settings);
        _nodes.Add(producer);
        var scope = producer.App.Services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentQueue<(string Instrument, double Value, string? Topic)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ServiceDefaultsExtensions.TelemetryName && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Topic(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Topic(tags))));
        listener.Start();

        await Probe.BumpAsync(producer, "w-metrics", 1);
        await Probe.EventuallyAsync(() => Probe.OutboxAsync(producer.Database, "w-metrics"), rows => rows.Single().PublishedAt is not null, "the mark");

        Assert.Equal([("scim.outbox.publish_failures", 1d, TestHosts.Topic)], measurements.Where(m => m.Instrument == "scim.outbox.publish_failures"));
        Assert.Equal([("scim.outbox.published", 1d, TestHosts.Topic)], measurements.Where(m => m.Instrument == "scim.outbox.published"));
        var lag = Assert.Single(measurements, m => m.Instrument == "scim.outbox.delivery_lag");
        Assert.InRange(lag.Value, 0, 60);
    }

    private static string? Topic(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "topic")
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
