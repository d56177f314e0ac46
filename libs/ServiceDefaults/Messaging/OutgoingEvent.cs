using System.Text.Json;

namespace Microservices.ServiceDefaults.Messaging;

/// <summary>
/// An event a service announces in the same transaction as the change it describes.
/// </summary>
/// <param name="Topic">One of <see cref="Topics"/>: the producing aggregate's topic.</param>
/// <param name="Type">The CloudEvent type, <c>&lt;aggregate&gt;.&lt;event&gt;.v&lt;n&gt;</c>.</param>
/// <param name="AggregateId">The changed entity; consumers keep per-aggregate versions by it.</param>
/// <param name="AggregateVersion">The entity's version after the change (strictly increasing per aggregate).</param>
/// <param name="Payload">Serialised with web defaults (camelCase); a <see cref="JsonElement"/> is taken as is.</param>
/// <param name="Traceparent">W3C trace context of the change; defaults to the current activity's.</param>
/// <param name="OccurredAt">When the change happened; defaults to now.</param>
/// <param name="Tracestate">W3C tracestate that goes with an explicit <paramref name="Traceparent"/>.</param>
public sealed record OutgoingEvent(
    string Topic,
    string Type,
    string AggregateId,
    long AggregateVersion,
    object Payload,
    string? Traceparent = null,
    DateTimeOffset? OccurredAt = null,
    string? Tracestate = null);

/// <summary>
/// The CloudEvent <c>data</c> of every event, in both modes: the aggregate's identity and version travel with the
/// payload because Dapr's publish metadata cannot add CloudEvent extension attributes.
/// </summary>
public sealed record EventEnvelope(string AggregateId, long AggregateVersion, DateTimeOffset OccurredAt, JsonElement Payload)
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}

internal static class UnixMicros
{
    public static long From(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset ToTime(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}
