using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Microservices.ServiceDefaults.Messaging;

/// <summary>
/// An event delivered to a subscription route, bound as a minimal-API parameter. The same bytes arrive from a Dapr
/// sidecar and from the direct-mode relay; after <c>UseEventSubscriptions</c> the CloudEvent attributes come from the
/// <c>Cloudevent.*</c> headers Dapr.AspNetCore forwards and the body is the <see cref="EventEnvelope"/>. Binding never
/// fails: an unusable event carries <see cref="Problem"/> and the subscription filter drops it (poison).
/// </summary>
public sealed class IncomingEvent
{
    private const string HeaderPrefix = "Cloudevent.";

    /// <summary>The CloudEvent id (= the producer's outbox id): the inbox key.</summary>
    public string Id { get; private init; } = string.Empty;

    public string Type { get; private init; } = string.Empty;

    public string? Source { get; private init; }

    public string? Topic { get; private init; }

    public string? Traceparent { get; private init; }

    /// <summary>The W3C tracestate that came with <see cref="Traceparent"/>, if any.</summary>
    public string? Tracestate { get; private init; }

    public string AggregateId { get; private init; } = string.Empty;

    public long AggregateVersion { get; private init; }

    public DateTimeOffset? OccurredAt { get; private init; }

    /// <summary>The event's payload (the producer's object), as JSON.</summary>
    public JsonElement Payload { get; private init; }

    /// <summary>The CloudEvent data exactly as received (what a dead-letter store keeps).</summary>
    public string RawData { get; private init; } = string.Empty;

    /// <summary>Why the event cannot be processed, or null. Set only by binding.</summary>
    public string? Problem { get; private init; }

    /// <summary>The payload as <typeparamref name="T"/>; throws <see cref="EventPayloadException"/> (→ DROP) if it does not fit.</summary>
    public T PayloadAs<T>()
    {
        try
        {
            return Payload.Deserialize<T>(EventEnvelope.JsonOptions) ?? throw new EventPayloadException($"{Type} payload is null");
        }
        catch (JsonException exception)
        {
            throw new EventPayloadException($"{Type} payload does not match {typeof(T).Name}: {exception.Message}");
        }
    }

    public static async ValueTask<IncomingEvent?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers;

        // Without the CloudEvents middleware the structured envelope arrives as is; read it here instead.
        if (context.Request.ContentType?.StartsWith("application/cloudevents+json", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                using var envelope = JsonDocument.Parse(body);
                var root = envelope.RootElement;
                return FromParts(
                    Attribute(root, "id"),
                    Attribute(root, "type"),
                    Attribute(root, "source"),
                    Attribute(root, "topic"),
                    Attribute(root, "traceparent"),
                    Attribute(root, "tracestate"),
                    root.TryGetProperty("data", out var data) ? data.GetRawText() : string.Empty);
            }
            catch (JsonException exception)
            {
                return new IncomingEvent { RawData = body, Problem = $"not a JSON CloudEvent: {exception.Message}" };
            }
        }

        // Dapr.AspNetCore never forwards traceparent as a Cloudevent.* header: the sidecar (and the direct-mode relay)
        // sends it as the HTTP traceparent header.
        return FromParts(
            Header(headers, "id"),
            Header(headers, "type"),
            Header(headers, "source"),
            Header(headers, "topic"),
            headers.TryGetValue("traceparent", out var traceparent) && traceparent.Count > 0 ? traceparent.ToString() : null,
            headers.TryGetValue("tracestate", out var tracestate) && tracestate.Count > 0 ? tracestate.ToString() : null,
            body);
    }

    private static IncomingEvent FromParts(string? id, string? type, string? source, string? topic, string? traceparent, string? tracestate, string data)
    {
        if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(type))
        {
            return new IncomingEvent { Id = id ?? string.Empty, Type = type ?? string.Empty, Source = source, Topic = topic, RawData = data, Problem = "not a CloudEvent: id or type missing" };
        }

        var incoming = new IncomingEvent { Id = id, Type = type, Source = source, Topic = topic, Traceparent = traceparent, Tracestate = tracestate, RawData = data };
        try
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("aggregateId", out var aggregateId) || aggregateId.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("aggregateVersion", out var version) || !version.TryGetInt64(out var aggregateVersion)
                || !root.TryGetProperty("payload", out var payload))
            {
                return Poison(incoming, "data is not an event envelope (aggregateId, aggregateVersion, payload)");
            }

            DateTimeOffset? occurredAt = root.TryGetProperty("occurredAt", out var occurred)
                && occurred.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(occurred.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : null;
            return new IncomingEvent
            {
                Id = id,
                Type = type,
                Source = source,
                Topic = topic,
                Traceparent = traceparent,
                Tracestate = tracestate,
                RawData = data,
                AggregateId = aggregateId.GetString()!,
                AggregateVersion = aggregateVersion,
                OccurredAt = occurredAt,
                Payload = payload.Clone(),
            };
        }
        catch (JsonException exception)
        {
            return Poison(incoming, $"data is not JSON: {exception.Message}");
        }
    }

    private static IncomingEvent Poison(IncomingEvent incoming, string problem) => new()
    {
        Id = incoming.Id,
        Type = incoming.Type,
        Source = incoming.Source,
        Topic = incoming.Topic,
        Traceparent = incoming.Traceparent,
        Tracestate = incoming.Tracestate,
        RawData = incoming.RawData,
        Problem = problem,
    };

    private static string? Header(IHeaderDictionary headers, string attribute) =>
        headers.TryGetValue(HeaderPrefix + attribute, out var value) && value.Count > 0 ? value.ToString() : null;

    private static string? Attribute(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>The event can never be processed (malformed payload, unknown type version): the subscription answers DROP.</summary>
public sealed class EventPayloadException(string message) : Exception(message);
