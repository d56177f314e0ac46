namespace Microservices.ServiceDefaults.Messaging;

public enum EventsMode
{
    /// <summary>Local mode without Dapr: the relay POSTs CloudEvents to the subscribers' routes itself.</summary>
    Direct,

    /// <summary>The relay publishes through the Dapr sidecar (<c>DaprClient.PublishEventAsync</c>).</summary>
    Dapr,
}

/// <summary>Bound from the <c>Events</c> configuration section (<c>Events__Mode</c>, <c>Events__PollInterval</c>, ...).</summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Events";

    /// <summary><c>direct</c> (default, local mode) or <c>dapr</c>.</summary>
    public string Mode { get; set; } = "direct";

    /// <summary>The Dapr pub/sub component name; direct mode stamps it on the CloudEvents too.</summary>
    public string PubSubName { get; set; } = Topics.DefaultPubSubName;

    /// <summary>Direct mode: comma-separated base URLs of the subscribing services (their <c>/dapr/subscribe</c> is read).</summary>
    public string? Subscribers { get; set; }

    /// <summary>How often the relay looks for rows other replicas wrote (its own commits wake it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Rows claimed per round trip.</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>
    /// How long a claim holds a row. A relay that dies after claiming leaves its rows to others after this long; a
    /// relay that stops gracefully hands them back at once.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First retry delay after a failed publish; it doubles per attempt up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One publish (Dapr) or one delivery to one subscriber (direct) gives up after this long.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Direct mode: how long a subscriber's <c>/dapr/subscribe</c> answer is trusted (refreshed sooner on failure).</summary>
    public TimeSpan SubscriberRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Published outbox rows (and their delivery records) are kept this long, then purged.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Inbox rows are kept this long. It must exceed the longest time a broker may redeliver an event, or a very late
    /// duplicate would be applied again.
    /// </summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the relay purges old rows.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    public EventsMode ParsedMode => Mode.Trim().ToLowerInvariant() switch
    {
        "direct" => EventsMode.Direct,
        "dapr" => EventsMode.Dapr,
        _ => throw new InvalidOperationException($"Events:Mode must be 'direct' or 'dapr', not '{Mode}'."),
    };

    public IReadOnlyList<Uri> SubscriberUrls =>
    [
        .. (Subscribers ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => Uri.TryCreate(u.EndsWith('/') ? u : u + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? uri
                : throw new InvalidOperationException($"Events:Subscribers entry '{u}' is not an absolute http(s) URL.")),
    ];
}
