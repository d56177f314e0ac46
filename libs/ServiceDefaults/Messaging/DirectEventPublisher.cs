using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dapper;
using Microservices.ServiceDefaults.Internal;
using Microservices.ServiceDefaults.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservices.ServiceDefaults.Messaging;

/// <summary>
/// Local mode without Dapr: delivers the same structured CloudEvent a sidecar would to every subscriber of the topic,
/// honouring Dapr's app response contract (docs: reference/api/pubsub_api.md). Each (event, subscriber, topic) that
/// is settled — delivered or dropped — is recorded, so a retry caused by one subscriber being down sends nothing
/// again to the others. A drop goes on to the subscribers of the subscription's dead-letter topic, as with Dapr.
/// </summary>
public sealed class DirectEventPublisher(
    Database database,
    SubscriberDirectory directory,
    IHttpClientFactory httpClientFactory,
    IOptions<MessagingOptions> options,
    IConfiguration configuration,
    MessagingAppId appId,
    MessagingMetrics metrics,
    TimeProvider timeProvider,
    ILogger<DirectEventPublisher> logger) : IEventPublisher
{
    public const string CloudEventsContentType = "application/cloudevents+json";

    private const string Delivered = "delivered";
    private const string Dropped = "dropped";

    public async Task PublishAsync(OutboxMessage message, string? traceparent, CancellationToken cancellationToken)
    {
        var subscribers = await directory.GetAsync(cancellationToken);
        var settled = await LoadSettledAsync(message.Id, cancellationToken);
        var failures = new List<string>();

        foreach (var (subscriber, subscriptions) in subscribers)
        {
            if (subscriptions is null)
            {
                failures.Add($"{subscriber}: subscriptions not known yet");
                continue;
            }

            foreach (var subscription in subscriptions.Where(s => s.Topic == message.Topic))
            {
                await DeliverOnceAsync(subscriber, subscription, message, traceparent, settled, failures, cancellationToken);
            }
        }

        // Dead letters: what a subscriber dropped goes to whoever subscribes to that subscription's dead-letter topic.
        foreach (var (subscriber, subscriptions) in subscribers)
        {
            foreach (var subscription in (subscriptions ?? []).Where(s => s.Topic == message.Topic && s.DeadLetterTopic is not null))
            {
                if (!settled.TryGetValue((subscriber.ToString(), message.Topic), out var status) || status != Dropped)
                {
                    continue;
                }

                foreach (var (target, targetSubscriptions) in subscribers)
                {
                    foreach (var deadLetter in (targetSubscriptions ?? []).Where(s => s.Topic == subscription.DeadLetterTopic))
                    {
                        await DeliverOnceAsync(target, deadLetter, message, traceparent, settled, failures, cancellationToken);
                    }
                }
            }
        }

        if (failures.Count > 0)
        {
            throw new EventPublishException(string.Join("; ", failures));
        }
    }

    private async Task DeliverOnceAsync(
        Uri subscriber,
        SubscriptionEntry subscription,
        OutboxMessage message,
        string? traceparent,
        Dictionary<(string, string), string> settled,
        List<string> failures,
        CancellationToken cancellationToken)
    {
        var key = (subscriber.ToString(), subscription.Topic);
        if (settled.ContainsKey(key))
        {
            return;
        }

        var (outcome, detail) = await DeliverAsync(subscriber, subscription, message, traceparent, cancellationToken);
        switch (outcome)
        {
            case Delivered:
                await RecordAsync(message.Id, key, Delivered, null, cancellationToken);
                settled[key] = Delivered;
                break;
            case Dropped:
                logger.LogWarning(
                    "Subscriber {Subscriber} dropped event {EventId} ({EventType}) on topic {Topic}: {Detail}",
                    subscriber,
                    message.Id,
                    message.Type,
                    subscription.Topic,
                    detail);
                metrics.Dropped.Add(1, new KeyValuePair<string, object?>("topic", subscription.Topic));
                await RecordAsync(message.Id, key, Dropped, detail, cancellationToken);
                settled[key] = Dropped;
                break;
            default:
                failures.Add($"{subscriber} {subscription.Topic}: {detail}");
                break;
        }
    }

    private async Task<(string Outcome, string Detail)> DeliverAsync(
        Uri subscriber, SubscriptionEntry subscription, OutboxMessage message, string? traceparent, CancellationToken cancellationToken)
    {
        try
        {
            var client = httpClientFactory.CreateClient(SubscriberDirectory.HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(subscriber, subscription.Route.TrimStart('/')));
            request.Content = new ByteArrayContent(CloudEvent(message, subscription.Topic, traceparent));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEventsContentType) { CharSet = "utf-8" };
            request.Headers.Add(InternalApi.TokenHeader, InternalApi.RequireToken(configuration));
            if (traceparent is not null)
            {
                request.Headers.Add("traceparent", traceparent);
                if (!string.IsNullOrEmpty(message.Tracestate))
                {
                    request.Headers.TryAddWithoutValidation("tracestate", message.Tracestate);
                }
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.DeliveryTimeout);
            using var response = await client.SendAsync(request, timeout.Token);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return (Dropped, "404 from the subscriber");
            }

            if (!response.IsSuccessStatusCode)
            {
                directory.Invalidate(subscriber);
                return ("retry", $"HTTP {(int)response.StatusCode}");
            }

            return AppStatus(await response.Content.ReadAsStringAsync(timeout.Token));
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            directory.Invalidate(subscriber);
            return ("retry", exception.GetBaseException().Message);
        }
    }

    // Dapr's reading of a 2xx answer: no body (or no status) is success; RETRY and unknown statuses retry; DROP drops.
    private static (string Outcome, string Detail) AppStatus(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (Delivered, "SUCCESS");
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (Delivered, "SUCCESS");
            }

            var status = document.RootElement.EnumerateObject()
                .FirstOrDefault(p => string.Equals(p.Name, "status", StringComparison.OrdinalIgnoreCase)).Value;
            return status.ValueKind != JsonValueKind.String
                ? (Delivered, "SUCCESS")
                : status.GetString()?.ToUpperInvariant() switch
                {
                    "" or "SUCCESS" => (Delivered, "SUCCESS"),
                    "DROP" => (Dropped, "status DROP"),
                    "RETRY" => ("retry", "status RETRY"),
                    var other => ("retry", $"unknown status {other}"),
                };
        }
        catch (JsonException)
        {
            return (Delivered, "SUCCESS");
        }
    }

    /// <summary>The structured-mode CloudEvent, shaped as the Dapr sidecar shapes it.</summary>
    internal byte[] CloudEvent(OutboxMessage message, string topic, string? traceparent)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("specversion", "1.0");
            writer.WriteString("id", message.Id);
            writer.WriteString("source", appId.Value);
            writer.WriteString("type", message.Type);
            writer.WriteString("topic", topic);
            writer.WriteString("pubsubname", options.Value.PubSubName);
            writer.WriteString("time", timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            writer.WriteString("datacontenttype", "application/json");
            if (traceparent is not null)
            {
                // CloudEvents distributed-tracing extension; traceid is what Dapr's own envelope also carries.
                writer.WriteString("traceparent", traceparent);
                writer.WriteString("traceid", traceparent);
                if (!string.IsNullOrEmpty(message.Tracestate))
                {
                    writer.WriteString("tracestate", message.Tracestate);
                }
            }

            writer.WritePropertyName("data");
            writer.WriteRawValue(message.Data());
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private async Task<Dictionary<(string, string), string>> LoadSettledAsync(string eventId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Subscriber, string Topic, string Status)>(new CommandDefinition(
            "SELECT subscriber, topic, status FROM outbox_deliveries WHERE event_id = @eventId",
            new { eventId },
            cancellationToken: cancellationToken));
        return rows.ToDictionary(r => (r.Subscriber, r.Topic), r => r.Status);
    }

    private Task RecordAsync(string eventId, (string Subscriber, string Topic) key, string status, string? detail, CancellationToken cancellationToken) =>
        database.InTransactionAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO outbox_deliveries (event_id, subscriber, topic, status, detail, recorded_at)
                VALUES (@eventId, @subscriber, @topic, @status, @detail, @now)
                ON CONFLICT DO NOTHING
                """,
                new { eventId, subscriber = key.Subscriber, topic = key.Topic, status, detail, now = UnixMicros.From(timeProvider.GetUtcNow()) },
                transaction,
                cancellationToken: cancellationToken)),
            cancellationToken);
}

/// <summary>The service's app id: the CloudEvent <c>source</c> in direct mode.</summary>
public sealed record MessagingAppId(string Value);
