using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Messaging.Tests.Infrastructure;

public sealed record ProjectionRow(string Id, long Version, long Total, long? DeletedAt);

/// <summary>Settable properties: Dapper converts each engine's integer types (INTEGER is int on PostgreSQL, long on SQLite).</summary>
public sealed class OutboxRow
{
    public string Id { get; set; } = string.Empty;

    public string AggregateId { get; set; } = string.Empty;

    public long AggregateVersion { get; set; }

    public long? PublishedAt { get; set; }

    public long Attempts { get; set; }

    public long NextAttemptAt { get; set; }

    public string? ClaimToken { get; set; }

    public string? LastError { get; set; }
}

/// <summary>Reads what the tests assert on, and waits for eventual outcomes (the timeout is a failure guard, not a measurement).</summary>
public static class Probe
{
    private static readonly TimeSpan _patience = TimeSpan.FromSeconds(30);

    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + _patience;
        T value;
        while (true)
        {
            value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}; last value: {JsonSerializer.Serialize(value)}");
            }

            await Task.Delay(50);
        }
    }

    public static async Task<ProjectionRow?> ProjectionAsync(Database database, string id)
    {
        await using var connection = await database.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<ProjectionRow>(
            "SELECT id AS Id, version AS Version, total AS Total, deleted_at AS DeletedAt FROM widget_projection WHERE id = @id", new { id });
    }

    public static async Task<long> EffectsAsync(Database database, string id)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT processed FROM widget_effects WHERE id = @id", new { id }) ?? 0;
    }

    public static async Task<List<OutboxRow>> OutboxAsync(Database database, string aggregateId)
    {
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<OutboxRow>(
            """
            SELECT id AS Id, aggregate_id AS AggregateId, aggregate_version AS AggregateVersion, published_at AS PublishedAt,
                   attempts AS Attempts, next_attempt_at AS NextAttemptAt, claim_token AS ClaimToken, last_error AS LastError
            FROM outbox WHERE aggregate_id = @aggregateId ORDER BY aggregate_version
            """,
            new { aggregateId });
        return [.. rows];
    }

    public static async Task<List<(string Subscriber, string Topic, string Status)>> DeliveriesAsync(Database database, string eventId)
    {
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<(string, string, string)>(
            "SELECT subscriber, topic, status FROM outbox_deliveries WHERE event_id = @eventId ORDER BY topic", new { eventId });
        return [.. rows];
    }

    public static async Task<List<string>> DeadLettersAsync(Database database)
    {
        await using var connection = await database.OpenAsync();
        return [.. await connection.QueryAsync<string>("SELECT event_id FROM dead_letters ORDER BY event_id")];
    }

    public static async Task<BumpResponse> BumpAsync(TestNode producer, string id, long amount)
    {
        using var client = producer.Client();
        using var response = await client.PostAsJsonAsync($"widgets/{id}/bump", new BumpRequest(amount));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<BumpResponse>())!;
    }

    public static async Task<BumpResponse> DeleteAsync(TestNode producer, string id)
    {
        using var client = producer.Client();
        using var response = await client.DeleteAsync(new Uri($"widgets/{id}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<BumpResponse>())!;
    }

    /// <summary>A structured CloudEvent as a Dapr sidecar delivers it, built here independently of the library.</summary>
    public static string CloudEvent(string id, string type, string widgetId, long version, long total, string data = "")
    {
        var envelope = data.Length > 0
            ? data
            : JsonSerializer.Serialize(new
            {
                aggregateId = widgetId,
                aggregateVersion = version,
                occurredAt = "2026-01-02T03:04:05.000000Z",
                payload = new { id = widgetId, version, total, amount = 1 },
            });
        return $$"""
            {"specversion":"1.0","id":"{{id}}","source":"producer","type":"{{type}}","topic":"widgets","pubsubname":"scim-pubsub",
             "datacontenttype":"application/json","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","data":{{envelope}}}
            """;
    }

    public static async Task<(int Status, string Body)> PostCloudEventAsync(TestNode consumer, string route, string cloudEvent)
    {
        using var client = consumer.Client();
        using var content = new StringContent(cloudEvent, Encoding.UTF8, "application/cloudevents+json");
        using var response = await client.PostAsync(new Uri(route, UriKind.Relative), content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
