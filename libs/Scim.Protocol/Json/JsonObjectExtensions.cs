using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace Microservices.Scim.Json;

/// <summary>Member lookup that follows RFC 7643 §2.1: attribute names are case-insensitive.</summary>
public static class JsonObjectExtensions
{
    /// <summary>
    /// Finds a member by name: an exact match first, otherwise the first case-insensitive one.
    /// <paramref name="actualName"/> is the name as the object spells it.
    /// </summary>
    public static bool TryGetPropertyIgnoreCase(
        this JsonObject obj,
        string name,
        [NotNullWhen(true)] out string? actualName,
        out JsonNode? value)
    {
        foreach (var (key, node) in ScimJson.Properties(obj))
        {
            if (string.Equals(key, name, StringComparison.Ordinal))
            {
                actualName = key;
                value = node;
                return true;
            }
        }

        foreach (var (key, node) in ScimJson.Properties(obj))
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                actualName = key;
                value = node;
                return true;
            }
        }

        actualName = null;
        value = null;
        return false;
    }

    /// <summary>The member's value, matched case-insensitively; <c>null</c> when absent or JSON null.</summary>
    public static JsonNode? GetPropertyIgnoreCase(this JsonObject obj, string name) =>
        obj.TryGetPropertyIgnoreCase(name, out _, out var value) ? value : null;

    /// <summary>A string member, matched case-insensitively; <c>null</c> when absent or not a string.</summary>
    public static string? GetStringIgnoreCase(this JsonObject obj, string name) =>
        obj.GetPropertyIgnoreCase(name) is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>A deep copy typed as an object, for callers that must not change the original.</summary>
    public static JsonObject CloneObject(this JsonObject obj) => (JsonObject)obj.DeepClone();
}
