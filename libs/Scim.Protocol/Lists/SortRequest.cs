using Microservices.Scim.Errors;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Lists;

/// <summary>RFC 7644 §3.4.2.3 <c>sortOrder</c>.</summary>
public enum SortOrder
{
    Ascending,
    Descending,
}

/// <summary>
/// <c>sortBy</c> resolved to a schema attribute, and the order. An unknown <c>sortBy</c> is ignored (results come
/// in the service's stable default order), like unknown names in <c>attributes</c>. A multi-valued or complex
/// attribute with a <c>value</c> sub-attribute sorts by it (RFC 7644 §3.4.2.3: by the primary value); a complex
/// attribute without one (<c>name</c>, <c>meta</c>) cannot be sorted by and is <c>400 invalidValue</c>.
/// </summary>
public sealed record SortRequest(ResolvedAttribute? SortBy, SortOrder Order)
{
    public static SortRequest None { get; } = new(null, SortOrder.Ascending);

    public static SortRequest Parse(ResourceTypeDefinition resourceType, string? sortBy, string? sortOrder)
    {
        var order = ParseOrder(sortOrder);
        if (string.IsNullOrWhiteSpace(sortBy))
        {
            return new SortRequest(null, order);
        }

        var resolved = ScimSchemas.FindAttribute(resourceType, sortBy);
        if (resolved is { SubAttribute: null, Attribute.Type: AttributeType.Complex })
        {
            resolved = resolved.Attribute.FindSubAttribute("value") is { } value
                ? resolved with { SubAttribute = value }
                : throw ScimException.InvalidValue($"'sortBy' cannot be the complex attribute '{resolved.Attribute.Name}'; name a sub-attribute.");
        }

        return new SortRequest(resolved, order);
    }

    /// <summary>Ascending when absent; <c>ascending</c> / <c>descending</c> in any case; anything else <c>400 invalidValue</c>.</summary>
    public static SortOrder ParseOrder(string? sortOrder)
    {
        if (string.IsNullOrWhiteSpace(sortOrder))
        {
            return SortOrder.Ascending;
        }

        return sortOrder.Trim().ToUpperInvariant() switch
        {
            "ASCENDING" => SortOrder.Ascending,
            "DESCENDING" => SortOrder.Descending,
            _ => throw ScimException.InvalidValue("'sortOrder' must be 'ascending' or 'descending'."),
        };
    }
}
