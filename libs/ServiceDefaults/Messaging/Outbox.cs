using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Microservices.ServiceDefaults.Messaging;

/// <summary>
/// The writer's side of the transactional outbox. Call <see cref="EnqueueAsync"/> inside the transaction that makes
/// the change, then <see cref="OutboxSignal.Notify"/> after it commits so the relay publishes without waiting for
/// its next poll. A rolled-back transaction leaves no row, so nothing is published.
/// </summary>
public static class Outbox
{
    private const string InsertSql =
        """
        INSERT INTO outbox (id, topic, type, aggregate_id, aggregate_version, payload, traceparent, tracestate, occurred_at, published_at, attempts, next_attempt_at)
        VALUES (@id, @topic, @type, @aggregateId, @aggregateVersion, @payload, @traceparent, @tracestate, @occurredAt, NULL, 0, @occurredAt)
        """;

    /// <summary>Inserts the event's outbox row in <paramref name="transaction"/>; returns its id (= the CloudEvent id).</summary>
    public static async Task<string> EnqueueAsync(DbConnection connection, DbTransaction transaction, OutgoingEvent outgoing, CancellationToken cancellationToken = default)
    {
        var row = OutboxRow.From(outgoing);
        await connection.ExecuteAsync(new CommandDefinition(
            InsertSql,
            new
            {
                id = row.Id,
                topic = row.Topic,
                type = row.Type,
                aggregateId = row.AggregateId,
                aggregateVersion = row.AggregateVersion,
                payload = row.Payload,
                traceparent = row.Traceparent,
                tracestate = row.Tracestate,
                occurredAt = row.OccurredAt,
            },
            transaction,
            cancellationToken: cancellationToken));
        return row.Id;
    }

    /// <summary>
    /// Inserts many events' outbox rows in <paramref name="transaction"/> without a round trip each: binary COPY on
    /// PostgreSQL, one prepared INSERT reused on SQLite (in process, so a statement costs no round trip). For changes
    /// that announce thousands of events at once (an org unit import re-keying 100,000 units), where one INSERT per
    /// event was most of the request's time. Returns how many rows were written.
    /// </summary>
    public static async Task<int> EnqueueManyAsync(DbConnection connection, DbTransaction transaction, IEnumerable<OutgoingEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var count = 0;
        if (connection is NpgsqlConnection postgres)
        {
            // COPY runs in the connection's current transaction; omitted columns (published_at, attempts, claim...)
            // take their defaults exactly as the INSERT above writes them.
            await using var importer = await postgres.BeginBinaryImportAsync(
                "COPY outbox (id, topic, type, aggregate_id, aggregate_version, payload, traceparent, tracestate, occurred_at, next_attempt_at) FROM STDIN (FORMAT BINARY)",
                cancellationToken);
            foreach (var outgoing in events)
            {
                var row = OutboxRow.From(outgoing);
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(row.Id, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(row.Topic, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(row.Type, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(row.AggregateId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(row.AggregateVersion, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(row.Payload, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(importer, row.Traceparent, cancellationToken);
                await WriteNullableAsync(importer, row.Tracestate, cancellationToken);
                await importer.WriteAsync(row.OccurredAt, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(row.OccurredAt, NpgsqlDbType.Bigint, cancellationToken);
                count++;
            }

            // Without Complete the server discards everything sent (the importer's dispose cancels the COPY).
            await importer.CompleteAsync(cancellationToken);
            return count;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertSql;
        var parameters = new[] { "id", "topic", "type", "aggregateId", "aggregateVersion", "payload", "traceparent", "tracestate", "occurredAt" }
            .Select(name =>
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@" + name;
                command.Parameters.Add(parameter);
                return parameter;
            })
            .ToArray();
        await command.PrepareAsync(cancellationToken);
        foreach (var outgoing in events)
        {
            var row = OutboxRow.From(outgoing);
            object?[] values = [row.Id, row.Topic, row.Type, row.AggregateId, row.AggregateVersion, row.Payload, row.Traceparent, row.Tracestate, row.OccurredAt];
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
            count++;
        }

        return count;
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    /// <summary>One outbox row as both writers store it; the single place an <see cref="OutgoingEvent"/> becomes columns.</summary>
    private sealed record OutboxRow(
        string Id, string Topic, string Type, string AggregateId, long AggregateVersion, string Payload, string? Traceparent, string? Tracestate, long OccurredAt)
    {
        public static OutboxRow From(OutgoingEvent outgoing)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(outgoing.Topic);
            ArgumentException.ThrowIfNullOrWhiteSpace(outgoing.Type);
            ArgumentException.ThrowIfNullOrWhiteSpace(outgoing.AggregateId);
            ArgumentNullException.ThrowIfNull(outgoing.Payload);

            var payload = outgoing.Payload is JsonElement element
                ? element.GetRawText()
                : JsonSerializer.Serialize(outgoing.Payload, outgoing.Payload.GetType(), EventEnvelope.JsonOptions);
            // The change's trace context travels with the event (CloudEvents distributed-tracing extension), so the
            // consumer's work joins the trace of the SCIM request that caused it.
            var current = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity : null;
            var traceparent = outgoing.Traceparent ?? current?.Id;
            var tracestate = outgoing.Traceparent is null ? current?.TraceStateString : outgoing.Tracestate;
            return new OutboxRow(
                Guid.CreateVersion7().ToString(),
                outgoing.Topic,
                outgoing.Type,
                outgoing.AggregateId,
                outgoing.AggregateVersion,
                payload,
                traceparent,
                tracestate,
                UnixMicros.From(outgoing.OccurredAt ?? DateTimeOffset.UtcNow));
        }
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
