using System.Net.Http.Json;
using System.Text.Json;
using Microservices.ServiceDefaults.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservices.ServiceDefaults.Messaging;

/// <summary>One entry of a subscriber's <c>GET /dapr/subscribe</c> answer.</summary>
public sealed record SubscriptionEntry(string PubSubName, string Topic, string Route, string? DeadLetterTopic);

/// <summary>
/// Direct mode: what each configured subscriber subscribes to, read from its <c>GET /dapr/subscribe</c> as the Dapr
/// sidecar would read it. The answer is trusted for <c>Events:SubscriberRefreshInterval</c> and re-read sooner after
/// a failed delivery. A subscriber never heard from is "unknown": events are held for it rather than lost.
/// </summary>
public sealed class SubscriberDirectory(
    IHttpClientFactory httpClientFactory,
    IOptions<MessagingOptions> options,
    IConfiguration configuration,
    TimeProvider timeProvider,
    ILogger<SubscriberDirectory> logger)
{
    public const string HttpClientName = "events-direct";

    // A subscriber that is down is asked again at most this often, so a backlog does not hammer it.
    private static readonly TimeSpan _minimumRefetch = TimeSpan.FromMilliseconds(200);

    private readonly Lock _lock = new();
    private readonly Dictionary<Uri, Entry> _entries = [];

    /// <summary>Every configured subscriber with its subscriptions, or null where they are not known yet.</summary>
    public async Task<IReadOnlyList<(Uri Subscriber, IReadOnlyList<SubscriptionEntry>? Subscriptions)>> GetAsync(CancellationToken cancellationToken)
    {
        var result = new List<(Uri, IReadOnlyList<SubscriptionEntry>?)>();
        foreach (var subscriber in options.Value.SubscriberUrls)
        {
            Entry? entry;
            lock (_lock)
            {
                _entries.TryGetValue(subscriber, out entry);
            }

            var now = timeProvider.GetUtcNow();
            var due = entry is null
                || (entry.Stale && now - entry.FetchedAt >= _minimumRefetch)
                || now - entry.FetchedAt >= options.Value.SubscriberRefreshInterval;
            if (due)
            {
                entry = await FetchAsync(subscriber, entry, cancellationToken);
                lock (_lock)
                {
                    _entries[subscriber] = entry;
                }
            }

            result.Add((subscriber, entry!.Subscriptions));
        }

        return result;
    }

    /// <summary>Marks a subscriber's answer as doubtful (a delivery to it failed): it is re-read on next use.</summary>
    public void Invalidate(Uri subscriber)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(subscriber, out var entry))
            {
                _entries[subscriber] = entry with { Stale = true };
            }
        }
    }

    private async Task<Entry> FetchAsync(Uri subscriber, Entry? previous, CancellationToken cancellationToken)
    {
        try
        {
            var client = httpClientFactory.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(subscriber, "dapr/subscribe"));
            request.Headers.Add(InternalApi.TokenHeader, InternalApi.RequireToken(configuration));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.DeliveryTimeout);
            using var response = await client.SendAsync(request, timeout.Token);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // As the sidecar reads it: no subscribe endpoint means no programmatic subscriptions.
                logger.LogInformation("Subscriber {Subscriber} has no /dapr/subscribe; it subscribes to nothing", subscriber);
                return new Entry([], timeProvider.GetUtcNow(), Stale: false);
            }

            response.EnsureSuccessStatusCode();
            var document = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
            var subscriptions = Parse(document, options.Value.PubSubName, subscriber);
            logger.LogInformation("Subscriber {Subscriber} subscribes to {Topics}", subscriber, string.Join(',', subscriptions.Select(s => s.Topic)));
            return new Entry(subscriptions, timeProvider.GetUtcNow(), Stale: false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Keep the last answer: a subscriber that went down still wants its topics, and deliveries to it fail (and
            // are retried) on their own.
            logger.LogWarning("Subscriber {Subscriber} did not answer /dapr/subscribe: {Error}", subscriber, exception.GetBaseException().Message);
            return new Entry(previous?.Subscriptions, timeProvider.GetUtcNow(), Stale: true);
        }
    }

    private List<SubscriptionEntry> Parse(JsonElement document, string pubSubName, Uri subscriber)
    {
        var entries = new List<SubscriptionEntry>();
        if (document.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("/dapr/subscribe did not return an array");
        }

        foreach (var item in document.EnumerateArray())
        {
            var pubsub = String(item, "pubsubname");
            var topic = String(item, "topic");
            var route = String(item, "route");
            if (route is null && Property(item, "routes") is { ValueKind: JsonValueKind.Object } routes)
            {
                // Routing rules are CEL expressions only a sidecar evaluates; local mode delivers to the default route.
                route = String(routes, "default");
                if (Property(routes, "rules") is { ValueKind: JsonValueKind.Array } rules && rules.GetArrayLength() > 0)
                {
                    logger.LogWarning("Subscriber {Subscriber} topic {Topic} has routing rules; direct mode uses its default route", subscriber, topic);
                }
            }

            if (pubsub != pubSubName || topic is null || route is null)
            {
                continue;
            }

            entries.Add(new SubscriptionEntry(pubsub, topic, route, String(item, "deadLetterTopic")));
        }

        return entries;
    }

    private static JsonElement? Property(JsonElement item, string name)
    {
        foreach (var property in item.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string? String(JsonElement item, string name) =>
        Property(item, name) is { ValueKind: JsonValueKind.String } value && value.GetString() is { Length: > 0 } text ? text : null;

    private sealed record Entry(IReadOnlyList<SubscriptionEntry>? Subscriptions, DateTimeOffset FetchedAt, bool Stale);
}
