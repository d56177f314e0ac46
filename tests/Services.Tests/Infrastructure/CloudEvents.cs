using System.Text.Json.Nodes;

namespace Microservices.Services.Tests.Infrastructure;

/// <summary>CloudEvents shaped as the relay (or Dapr) delivers an outbox event to a subscriber route.</summary>
internal static class CloudEvents
{
    /// <summary>
    /// An event of <paramref name="source"/> on <paramref name="topic"/>, with the outbox envelope (aggregate id and
    /// version, occurredAt, payload) as its data. The payload is placed as given, so a member set to null stays null.
    /// </summary>
    public static JsonObject Create(string source, string type, string topic, string aggregateId, long version, JsonNode payload) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = Guid.NewGuid().ToString(),
        ["source"] = source,
        ["type"] = type,
        ["topic"] = topic,
        ["pubsubname"] = "scim-pubsub",
        ["datacontenttype"] = "application/json",
        ["data"] = new JsonObject
        {
            ["aggregateId"] = aggregateId,
            ["aggregateVersion"] = version,
            ["occurredAt"] = DateTimeOffset.UtcNow.ToString("O"),
            ["payload"] = payload,
        },
    };
}
