using System.Data.Common;
using Dapper;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.ServiceDefaults.Messaging;

/// <summary>
/// The consumer's side: records that <c>consumer</c> processed an event, in the same transaction as the handler's
/// effect. Delivery is at least once (relay retries, broker redelivery), so every handler goes through here.
/// </summary>
public static class Inbox
{
    /// <summary>
    /// Records <paramref name="eventId"/> for <paramref name="consumer"/>. False means it was processed before: skip
    /// the effect and answer success. The primary key decides, so two concurrent deliveries cannot both win.
    /// </summary>
    public static async Task<bool> TryRecordAsync(DbConnection connection, DbTransaction transaction, string consumer, string eventId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(consumer);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventId);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO inbox (consumer, event_id, processed_at) VALUES (@consumer, @eventId, @now) ON CONFLICT DO NOTHING",
            new { consumer, eventId, now = UnixMicros.From(DateTimeOffset.UtcNow) },
            transaction,
            cancellationToken: cancellationToken));
        return inserted == 1;
    }

    /// <summary>
    /// Runs <paramref name="effect"/> once per (consumer, event): in one transaction with the inbox row, skipped when
    /// the event was already processed. Returns whether the effect ran.
    /// </summary>
    public static Task<bool> ProcessOnceAsync(
        this Database database,
        string consumer,
        IncomingEvent incoming,
        Func<DbConnection, DbTransaction, Task> effect,
        CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(
            async (connection, transaction) =>
            {
                if (!await TryRecordAsync(connection, transaction, consumer, incoming.Id, cancellationToken))
                {
                    return false;
                }

                await effect(connection, transaction);
                return true;
            },
            cancellationToken);
}
