namespace Microservices.ServiceDefaults.Messaging;

/// <summary>
/// Sends one claimed outbox row to its topic: through the Dapr sidecar, or straight to the subscribers in local mode.
/// The relay is the same in both modes; only this differs.
/// </summary>
public interface IEventPublisher
{
    /// <summary>
    /// Publishes <paramref name="message"/> with <paramref name="traceparent"/> as its trace context. Returns normally
    /// only when the event is safely handed over (Dapr accepted it / every subscriber answered); throws otherwise, and
    /// the relay retries later.
    /// </summary>
    Task PublishAsync(OutboxMessage message, string? traceparent, CancellationToken cancellationToken);
}

/// <summary>A publish that did not go through; the message says why (no secrets, no payload).</summary>
public sealed class EventPublishException(string message, Exception? inner = null) : Exception(message, inner);
