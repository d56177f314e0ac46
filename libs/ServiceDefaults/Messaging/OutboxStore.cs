using System.Globalization;
using Dapper;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.ServiceDefaults.Messaging;

/// <summary>A claimed outbox row, as the relay publishes it.</summary>
public sealed record OutboxMessage(
    string Id,
    string Topic,
    string Type,
    string AggregateId,
    long AggregateVersion,
    string Payload,
    string? Traceparent,
    DateTimeOffset OccurredAt,
    int Attempts,
    string? Tracestate = null)
{
    /// <summary>The CloudEvent <c>data</c>: <see cref="EventEnvelope"/> as JSON text.</summary>
    public string Data()
    {
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("aggregateId", AggregateId);
            writer.WriteNumber("aggregateVersion", AggregateVersion);
            writer.WriteString("occurredAt", OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            writer.WritePropertyName("payload");
            writer.WriteRawValue(Payload);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>The relay's SQL. Every statement is one both engines accept; only the row-lock suffix differs.</summary>
internal sealed class OutboxStore(Database database)
{
    /// <summary>
    /// Claims due rows for <paramref name="claimToken"/> until <paramref name="claimUntil"/>: the claim moves
    /// <c>next_attempt_at</c> past the lease, so other relays skip the rows even after this short transaction commits.
    /// On PostgreSQL <c>FOR UPDATE SKIP LOCKED</c> keeps two relays claiming at the same instant apart.
    /// </summary>
    public async Task<List<OutboxMessage>> ClaimAsync(string claimToken, long now, long claimUntil, int batchSize, CancellationToken cancellationToken)
    {
        var sql = $"""
            UPDATE outbox SET claim_token = @claimToken, next_attempt_at = @claimUntil, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM outbox
                WHERE published_at IS NULL AND next_attempt_at <= @now
                ORDER BY occurred_at, id
                LIMIT @batchSize{database.ForUpdateSkipLocked})
            RETURNING id, topic, type, aggregate_id, aggregate_version, payload, traceparent, occurred_at, attempts, tracestate
            """;
        return await database.InTransactionAsync(
            async (connection, transaction) =>
            {
                var rows = new List<OutboxMessage>();
                await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
                    sql, new { claimToken, claimUntil, now, batchSize }, transaction, cancellationToken: cancellationToken));
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add(new OutboxMessage(
                        reader.GetString(0),
                        reader.GetString(1),
                        reader.GetString(2),
                        reader.GetString(3),
                        Convert.ToInt64(reader.GetValue(4), CultureInfo.InvariantCulture),
                        reader.GetString(5),
                        reader.IsDBNull(6) ? null : reader.GetString(6),
                        UnixMicros.ToTime(Convert.ToInt64(reader.GetValue(7), CultureInfo.InvariantCulture)),
                        Convert.ToInt32(reader.GetValue(8), CultureInfo.InvariantCulture),
                        reader.IsDBNull(9) ? null : reader.GetString(9)));
                }

                // RETURNING gives no order; the claim's order (oldest first) is what keeps per-aggregate order where cheap.
                rows.Sort((a, b) => a.OccurredAt != b.OccurredAt ? a.OccurredAt.CompareTo(b.OccurredAt) : string.CompareOrdinal(a.Id, b.Id));
                return rows;
            },
            cancellationToken);
    }

    public Task MarkPublishedAsync(string id, long now, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE outbox SET published_at = @now, claim_token = NULL, last_error = NULL WHERE id = @id AND published_at IS NULL",
            new { id, now },
            cancellationToken);

    /// <summary>Schedules the retry; only while the row is still this relay's claim (another may have taken it over).</summary>
    public Task MarkFailedAsync(string id, string claimToken, long nextAttemptAt, string error, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE outbox SET next_attempt_at = @nextAttemptAt, claim_token = NULL, last_error = @error WHERE id = @id AND claim_token = @claimToken AND published_at IS NULL",
            new { id, claimToken, nextAttemptAt, error = error.Length > 2000 ? error[..2000] : error },
            cancellationToken);

    /// <summary>Hands claimed-but-unpublished rows back, due at once (graceful stop, abandoned batch tail).</summary>
    public Task ReleaseAsync(string claimToken, long now, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE outbox SET next_attempt_at = @now, claim_token = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END WHERE claim_token = @claimToken AND published_at IS NULL",
            new { claimToken, now },
            cancellationToken);

    public async Task<long?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var value = await connection.ExecuteScalarAsync<object?>(new CommandDefinition(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE published_at IS NULL", cancellationToken: cancellationToken));
        return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    public async Task<(long Depth, long? OldestOccurredAt)> StatsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            "SELECT COUNT(*), MIN(occurred_at) FROM outbox WHERE published_at IS NULL", cancellationToken: cancellationToken));
        await reader.ReadAsync(cancellationToken);
        var depth = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
        long? oldest = reader.IsDBNull(1) ? null : Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
        return (depth, oldest);
    }

    public Task<int> PurgeAsync(long publishedBefore, long processedBefore, CancellationToken cancellationToken) =>
        database.InTransactionAsync(
            async (connection, transaction) =>
            {
                var purged = await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < @publishedBefore",
                    new { publishedBefore },
                    transaction,
                    cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM outbox_deliveries WHERE recorded_at < @publishedBefore AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.id = outbox_deliveries.event_id)",
                    new { publishedBefore },
                    transaction,
                    cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM inbox WHERE processed_at < @processedBefore",
                    new { processedBefore },
                    transaction,
                    cancellationToken: cancellationToken));
                return purged;
            },
            cancellationToken);

    private Task ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        database.InTransactionAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)),
            cancellationToken);
}
