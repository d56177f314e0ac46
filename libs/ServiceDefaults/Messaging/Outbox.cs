using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Dapper;

namespace Microservices.ServiceDefaults.Messaging;

/// <summary>
/// The writer's side of the transactional outbox. Call <see cref="EnqueueAsync"/> inside the transaction that makes
/// the change, then <see cref="OutboxSignal.Notify"/> after it commits so the relay publishes without waiting for
/// its next poll. A rolled-back transaction leaves no row, so nothing is published.
/// </summary>
public static class Outbox
{
    /// <summary>Inserts the event's outbox row in <paramref name="transaction"/>; returns its id (= the CloudEvent id).</summary>
    public static async Task<string> EnqueueAsync(DbConnection connection, DbTransaction transaction, OutgoingEvent outgoing, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outgoing.Topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(outgoing.Type);
        ArgumentException.ThrowIfNullOrWhiteSpace(outgoing.AggregateId);
        ArgumentNullException.ThrowIfNull(outgoing.Payload);

        var id = Guid.CreateVersion7().ToString();
        var occurredAt = UnixMicros.From(outgoing.OccurredAt ?? DateTimeOffset.UtcNow);
        var payload = outgoing.Payload is JsonElement element
            ? element.GetRawText()
            : JsonSerializer.Serialize(outgoing.Payload, outgoing.Payload.GetType(), EventEnvelope.JsonOptions);
        // The change's trace context travels with the event (CloudEvents distributed-tracing extension), so the
        // consumer's work joins the trace of the SCIM request that caused it.
        var current = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity : null;
        var traceparent = outgoing.Traceparent ?? current?.Id;
        var tracestate = outgoing.Traceparent is null ? current?.TraceStateString : outgoing.Tracestate;

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO outbox (id, topic, type, aggregate_id, aggregate_version, payload, traceparent, tracestate, occurred_at, published_at, attempts, next_attempt_at)
            VALUES (@id, @topic, @type, @aggregateId, @aggregateVersion, @payload, @traceparent, @tracestate, @occurredAt, NULL, 0, @occurredAt)
            """,
            new
            {
                id,
                topic = outgoing.Topic,
                type = outgoing.Type,
                aggregateId = outgoing.AggregateId,
                aggregateVersion = outgoing.AggregateVersion,
                payload,
                traceparent,
                tracestate,
                occurredAt,
            },
            transaction,
            cancellationToken: cancellationToken));
        return id;
    }
}

/// <summary>
/// Wakes this process's relay after a commit that enqueued events. Rows written by other replicas are found by the
/// relay's poll (<c>Events:PollInterval</c>).
/// </summary>
public sealed class OutboxSignal
{
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Notify() => Volatile.Read(ref _wake).TrySetResult();

    // Called before each claim: a notify that lands after it wakes the next wait; one that landed before it
    // refers to a commit the claim already sees.
    internal void Reset()
    {
        if (Volatile.Read(ref _wake).Task.IsCompleted)
        {
            Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
    }

    internal async Task WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }

        using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var wake = Volatile.Read(ref _wake).Task;
        var timer = Task.Delay(timeout, timeProvider, delay.Token);
        await Task.WhenAny(wake, timer);
        await delay.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }
}
