using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microservices.ServiceDefaults.Hosting;

namespace Microservices.ServiceDefaults.Messaging;

/// <summary>
/// The messaging instruments, on the Meter every service exports (<see cref="ServiceDefaultsExtensions.TelemetryName"/>).
/// Depth and age are read from the relay's last look at the table, not queried inside the metrics callback.
/// </summary>
public sealed class MessagingMetrics
{
    /// <summary>The span source of publishes: one span per publish, whose context becomes the CloudEvent traceparent.</summary>
    public static readonly ActivitySource ActivitySource = new(ServiceDefaultsExtensions.TelemetryName);

    private long _depth;
    private double _oldestAgeSeconds;

    public MessagingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ServiceDefaultsExtensions.TelemetryName);
        Published = meter.CreateCounter<long>("scim.outbox.published", "{event}", "Outbox rows published (Dapr accepted / every subscriber answered).");
        Failed = meter.CreateCounter<long>("scim.outbox.publish_failures", "{attempt}", "Publish attempts that failed and were scheduled for retry.");
        Dropped = meter.CreateCounter<long>("scim.events.dropped", "{event}", "Direct mode: deliveries a subscriber dropped (DROP or 404).");
        DeliveryLag = meter.CreateHistogram<double>("scim.outbox.delivery_lag", "s", "From the change's commit time to a successful publish.");
        ConsumerLag = meter.CreateHistogram<double>("scim.events.delivery_lag", "s", "At the consumer: from the change's commit time to the event's arrival.");
        meter.CreateObservableGauge("scim.outbox.depth", () => Volatile.Read(ref _depth), "{event}", "Unpublished outbox rows.");
        meter.CreateObservableGauge("scim.outbox.oldest_age", () => Volatile.Read(ref _oldestAgeSeconds), "s", "Age of the oldest unpublished outbox row.");
    }

    public Counter<long> Published { get; }

    public Counter<long> Failed { get; }

    public Counter<long> Dropped { get; }

    public Histogram<double> DeliveryLag { get; }

    /// <summary>Recorded by every subscription route as an event arrives (redeliveries included), tagged by topic.</summary>
    public Histogram<double> ConsumerLag { get; }

    internal void ReportBacklog(long depth, double oldestAgeSeconds)
    {
        Volatile.Write(ref _depth, depth);
        Volatile.Write(ref _oldestAgeSeconds, oldestAgeSeconds);
    }
}
