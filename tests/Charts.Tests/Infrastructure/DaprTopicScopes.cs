using System.Text.Json.Nodes;

namespace Microservices.Charts.Tests.Infrastructure;

/// <summary>
/// The topic-scoping rules of a Dapr pub/sub component, as the sidecar applies them
/// (dapr/dapr: pkg/scopes/scopes.go GetScopedTopics, pkg/runtime/pubsub/adapter.go IsOperationAllowed).
/// </summary>
public sealed class DaprTopicScopes(IReadOnlyDictionary<string, string> metadata)
{
    public static DaprTopicScopes FromComponent(JsonObject component)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in component.At("spec.metadata")!.AsArray())
        {
            if (item!["value"] is JsonValue value)
            {
                metadata[item.Str("name")] = value.ToString();
            }
        }

        return new DaprTopicScopes(metadata);
    }

    public bool MayPublish(string appId, string topic) => IsAllowed(topic, Scoped("publishingScopes", appId));

    public bool MaySubscribe(string appId, string topic) => IsAllowed(topic, Scoped("subscriptionScopes", appId));

    private bool IsAllowed(string topic, List<string> scoped)
    {
        var allowed = Topics("allowedTopics");
        if (allowed.Count > 0 && !allowed.Contains(topic))
        {
            return false;
        }

        var isProtected = Topics("protectedTopics").Contains(topic);
        return (!isProtected && scoped.Count == 0) || scoped.Contains(topic);
    }

    private List<string> Scoped(string key, string appId)
    {
        var topics = new List<string>();
        if (!metadata.TryGetValue(key, out var value) || value.Length == 0)
        {
            return topics;
        }

        foreach (var app in value.Replace(" ", string.Empty, StringComparison.Ordinal).Split(';'))
        {
            var parts = app.Split('=');
            if (parts.Length >= 2 && parts[0] == appId)
            {
                topics.AddRange(parts[1].Split(',').Where(t => !topics.Contains(t)));
            }
        }

        return topics;
    }

    private List<string> Topics(string key) =>
        metadata.TryGetValue(key, out var value) && value.Length > 0
            ? [.. value.Replace(" ", string.Empty, StringComparison.Ordinal).Split(',').Distinct()]
            : [];
}
