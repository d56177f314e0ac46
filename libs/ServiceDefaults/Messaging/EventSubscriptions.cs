using System.Diagnostics;
using Dapper;
using Dapr;
using Microservices.ServiceDefaults.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservices.ServiceDefaults.Messaging;

/// <summary>The body of a subscriber's answer, as Dapr reads it (docs: reference/api/pubsub_api.md).</summary>
public sealed record EventStatus(string Status);

/// <summary>What a subscription handler answers. Throwing <see cref="EventPayloadException"/> is the same as <see cref="Drop"/>.</summary>
public static class EventResults
{
    /// <summary>Processed (or already processed before): Dapr acknowledges the message.</summary>
    public static IResult Success() => TypedResults.Ok(new EventStatus("SUCCESS"));

    /// <summary>Not now (a dependency is unavailable): Dapr redelivers under its resiliency policy, then dead-letters.</summary>
    public static IResult Retry() => TypedResults.Ok(new EventStatus("RETRY"));

    /// <summary>Never (poison): Dapr sends it to the subscription's dead-letter topic at once.</summary>
    public static IResult Drop() => TypedResults.Ok(new EventStatus("DROP"));
}

public static class EventSubscriptionExtensions
{
    /// <summary>
    /// Unwraps CloudEvents (Dapr.AspNetCore's middleware) and forwards their attributes as <c>Cloudevent.*</c> headers,
    /// which <see cref="IncomingEvent"/> reads. Call it after <c>UseInternalAuthentication</c>, before mapping routes.
    /// </summary>
    public static IApplicationBuilder UseEventSubscriptions(this IApplicationBuilder app) =>
        app.UseCloudEvents(new CloudEventsMiddlewareOptions
        {
            ForwardCloudEventPropertiesAsHeaders = true,
            IncludedCloudEventPropertiesAsHeaders = ["id", "type", "source", "topic"],
        });

    /// <summary>
    /// Maps a Dapr programmatic subscription: <c>POST {pattern}</c> subscribed to <paramref name="topic"/> on the
    /// configured pub/sub, with <see cref="Topics.DeadLetterOf"/> as its dead-letter topic, so it appears in
    /// <c>/dapr/subscribe</c> (<c>app.MapSubscribeHandler()</c>). The handler takes an <see cref="IncomingEvent"/> and
    /// returns one of <see cref="EventResults"/>. Poison (unusable envelope, <see cref="EventPayloadException"/>)
    /// answers DROP; any other exception answers 500 (RETRY), having rolled back the handler's transaction.
    /// </summary>
    public static RouteHandlerBuilder MapEventSubscription(this IEndpointRouteBuilder endpoints, string topic, string pattern, Delegate handler)
    {
        var pubsub = endpoints.ServiceProvider.GetRequiredService<IOptions<MessagingOptions>>().Value.PubSubName;
        return endpoints.MapPost(pattern, handler)
            .WithTopic(new TopicOptions { PubsubName = pubsub, Name = topic, DeadLetterTopic = Topics.DeadLetterOf(topic) })
            .AddEndpointFilter(async (invocation, next) =>
            {
                var context = invocation.HttpContext;
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EventSubscriptionExtensions));
                var incoming = invocation.Arguments.OfType<IncomingEvent>().FirstOrDefault();
                using var activity = StartConsumerActivity(incoming, topic);
                RecordDeliveryLag(context.RequestServices, incoming, topic);
                if (incoming?.Problem is { } problem)
                {
                    logger.LogWarning("Dropping event {EventId} ({EventType}) on {Topic}: {Problem}", incoming.Id, incoming.Type, topic, problem);
                    return EventResults.Drop();
                }

                try
                {
                    return await next(invocation);
                }
                catch (EventPayloadException exception)
                {
                    logger.LogWarning("Dropping event {EventId} ({EventType}) on {Topic}: {Problem}", incoming?.Id, incoming?.Type, topic, exception.Message);
                    return EventResults.Drop();
                }
                catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested)
                {
                    logger.LogError(exception, "Event {EventId} ({EventType}) on {Topic} failed; asking for redelivery", incoming?.Id, incoming?.Type, topic);
                    return TypedResults.Json(new EventStatus("RETRY"), statusCode: StatusCodes.Status500InternalServerError);
                }
            });
    }

    /// <summary>
    /// The consumer span of one delivery. The HTTP server span it runs under already continues the event's trace
    /// (the sidecar and the direct relay send the event's traceparent as the HTTP header); when that is not the
    /// event's trace (a broker or sidecar that starts its own), the event's context is linked instead, and with no
    /// server span at all the event's context is the parent.
    /// </summary>
    private static Activity? StartConsumerActivity(IncomingEvent? incoming, string topic)
    {
        if (incoming is null)
        {
            return null;
        }

        var current = Activity.Current;
        var hasEventContext = ActivityContext.TryParse(incoming.Traceparent, incoming.Tracestate, out var eventContext);
        ActivityContext parent = default;
        ActivityLink[]? links = null;
        if (hasEventContext && current is null)
        {
            parent = eventContext;
        }
        else if (hasEventContext && current!.TraceId != eventContext.TraceId)
        {
            links = [new ActivityLink(eventContext)];
        }

        var activity = MessagingMetrics.ActivitySource.StartActivity($"process {topic}", ActivityKind.Consumer, parent, links: links);
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("messaging.destination.name", topic);
        activity?.SetTag("messaging.message.id", incoming.Id);
        activity?.SetTag("cloudevents.event_type", incoming.Type);
        return activity;
    }

    private static void RecordDeliveryLag(IServiceProvider services, IncomingEvent? incoming, string topic)
    {
        if (incoming?.OccurredAt is not { } occurredAt || services.GetService<MessagingMetrics>() is not { } metrics)
        {
            return;
        }

        var now = (services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
        metrics.ConsumerLag.Record(Math.Max(0, (now - occurredAt).TotalSeconds), new KeyValuePair<string, object?>("topic", topic));
    }

    /// <summary>
    /// Subscribes to <paramref name="topic"/>'s dead-letter topic and keeps every message there in the
    /// <c>dead_letters</c> table for operators (once per event id), in both modes.
    /// </summary>
    public static RouteHandlerBuilder MapDeadLetterSubscription(this IEndpointRouteBuilder endpoints, string topic, string pattern, string consumer)
    {
        var pubsub = endpoints.ServiceProvider.GetRequiredService<IOptions<MessagingOptions>>().Value.PubSubName;
        var deadLetterTopic = Topics.DeadLetterOf(topic);
        return endpoints.MapPost(pattern, async (IncomingEvent incoming, Database database, TimeProvider timeProvider, ILoggerFactory loggers, CancellationToken cancellationToken) =>
            {
                if (string.IsNullOrWhiteSpace(incoming.Id))
                {
                    return EventResults.Drop();
                }

                loggers.CreateLogger(typeof(EventSubscriptionExtensions)).LogWarning(
                    "Dead letter {EventId} ({EventType}) from {Topic} stored for {Consumer}", incoming.Id, incoming.Type, topic, consumer);
                await database.InTransactionAsync(
                    (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                        """
                        INSERT INTO dead_letters (consumer, event_id, topic, type, source, data, received_at)
                        VALUES (@consumer, @eventId, @topic, @type, @source, @data, @now)
                        ON CONFLICT DO NOTHING
                        """,
                        new
                        {
                            consumer,
                            eventId = incoming.Id,
                            topic,
                            type = incoming.Type,
                            source = incoming.Source,
                            data = incoming.RawData,
                            now = UnixMicros.From(timeProvider.GetUtcNow()),
                        },
                        transaction,
                        cancellationToken: cancellationToken)),
                    cancellationToken);
                return EventResults.Success();
            })
            .WithTopic(pubsub, deadLetterTopic);
    }
}
