using System.Text.Json;
using Dapr.Client;
using Microsoft.Extensions.Options;

namespace Microservices.ServiceDefaults.Messaging;

/// <summary>
/// Dapr mode: the sidecar wraps the envelope in a CloudEvent; the metadata overrides make its id the outbox id (the
/// consumers' dedupe key, stable across relay retries) and its type the event type (dapr docs: pubsub-cloudevents).
/// </summary>
public sealed class DaprEventPublisher(DaprClient dapr, IOptions<MessagingOptions> options) : IEventPublisher
{
    public const string IdMetadata = "cloudevent.id";
    public const string TypeMetadata = "cloudevent.type";
    public const string TraceparentMetadata = "cloudevent.traceparent";
    public const string TracestateMetadata = "cloudevent.tracestate";

    public async Task PublishAsync(OutboxMessage message, string? traceparent, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string>
        {
            [IdMetadata] = message.Id,
            [TypeMetadata] = message.Type,
        };
        if (traceparent is not null)
        {
            metadata[TraceparentMetadata] = traceparent;
        }

        if (!string.IsNullOrEmpty(message.Tracestate))
        {
            metadata[TracestateMetadata] = message.Tracestate;
        }

        using var data = JsonDocument.Parse(message.Data());
        try
        {
            await dapr.PublishEventAsync(options.Value.PubSubName, message.Topic, data.RootElement, metadata, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new EventPublishException($"Dapr publish to {options.Value.PubSubName}/{message.Topic} failed: {exception.GetBaseException().Message}", exception);
        }
    }
}
