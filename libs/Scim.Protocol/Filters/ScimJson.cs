using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microservices.Scim.Filters;

/// <summary>JSON helpers shared by the filter evaluator and PATCH: SCIM names match case-insensitively (RFC 7643 §2.1).</summary>
internal static class ScimJson
{
    public static bool TryGetProperty(JsonObject container, string name, out string key, out JsonNode? value)
    {
        if (container.TryGetPropertyValue(name, out value))
        {
            key = name;
            return true;
        }

        foreach (var property in container)
        {
            if (string.Equals(property.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                key = property.Key;
                value = property.Value;
                return true;
            }
        }

        key = name;
        value = null;
        return false;
    }

    public static JsonNode? Get(JsonObject container, string name) =>
        TryGetProperty(container, name, out _, out var value) ? value : null;

    /// <summary>RFC 7644 §3.4.2.2 <c>pr</c>: a non-empty value, or a complex value with a non-empty member.</summary>
    public static bool HasValue(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return false;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (HasValue(item))
                    {
                        return true;
                    }
                }

                return false;
            case JsonObject obj:
                foreach (var property in obj)
                {
                    if (HasValue(property.Value))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return node.GetValueKind() switch
                {
                    JsonValueKind.String => node.GetValue<string>().Length > 0,
                    JsonValueKind.Null or JsonValueKind.Undefined => false,
                    _ => true,
                };
        }
    }

    public static bool TryGetString(JsonNode? node, out string value)
    {
        if (node is JsonValue json && json.GetValueKind() == JsonValueKind.String)
        {
            value = json.GetValue<string>();
            return true;
        }

        value = string.Empty;
        return false;
    }

    public static bool TryGetBoolean(JsonNode? node, out bool value)
    {
        value = false;
        if (node is not JsonValue json)
        {
            return false;
        }

        switch (json.GetValueKind())
        {
            case JsonValueKind.True:
                value = true;
                return true;
            case JsonValueKind.False:
                return true;
            default:
                return false;
        }
    }
}
