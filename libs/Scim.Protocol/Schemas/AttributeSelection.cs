using System.Text.Json.Nodes;
using Microservices.Scim.Json;

namespace Microservices.Scim.Schemas;

/// <summary>
/// The <c>attributes</c> / <c>excludedAttributes</c> of a request (RFC 7644 §3.4.2.5, §3.9), parsed once against
/// a resource type, so a handler can ask <see cref="IsRequested(string)"/> before loading something costly
/// (Entra reads groups with <c>excludedAttributes=members</c>) and <see cref="Apply"/> the selection to the
/// resource it returns.
/// <list type="bullet">
/// <item><c>returned: always</c> (<c>id</c>, and <c>schemas</c>) is always returned, <c>never</c> (<c>password</c>)
/// never; <c>default</c> unless excluded or left out of <c>attributes</c>; <c>request</c> only when named in
/// <c>attributes</c>.</item>
/// <item>Entries may be URN-qualified, name a sub-attribute (<c>name.givenName</c>), or name a whole extension
/// by its URN. Naming a sub-attribute in <c>attributes</c> returns its parent with only that sub-attribute.</item>
/// <item>Unknown names are ignored (RFC 7644 §3.4.2.5 leniency); <c>attributes</c> made only of unknown names
/// returns just the <c>always</c> attributes.</item>
/// <item>Given both, <c>attributes</c> wins and <c>excludedAttributes</c> is ignored: RFC 7644 §3.4.3 defines
/// <c>excludedAttributes</c> as removals from the default set, which <c>attributes</c> has already replaced.</item>
/// </list>
/// </summary>
public sealed class AttributeSelection
{
    private readonly IReadOnlyList<Entry>? _attributes;
    private readonly IReadOnlyList<Entry> _excluded;

    private AttributeSelection(ResourceTypeDefinition resourceType, IReadOnlyList<Entry>? attributes, IReadOnlyList<Entry> excluded)
    {
        ResourceType = resourceType;
        _attributes = attributes;
        _excluded = attributes is null ? excluded : [];
    }

    public ResourceTypeDefinition ResourceType { get; }

    /// <summary>True when <c>attributes</c> was given (and so replaces the default set).</summary>
    public bool HasAttributes => _attributes is not null;

    /// <summary>The canonical paths of <c>attributes</c>, or <c>null</c> when it was not given.</summary>
    public IReadOnlyList<string>? Attributes => _attributes?.Select(e => e.Path).ToList();

    /// <summary>The canonical paths of <c>excludedAttributes</c> in effect (empty when <c>attributes</c> won).</summary>
    public IReadOnlyList<string> ExcludedAttributes => [.. _excluded.Select(e => e.Path)];

    /// <summary>No <c>attributes</c>, no <c>excludedAttributes</c>: the default representation.</summary>
    public static AttributeSelection Default(ResourceTypeDefinition resourceType) => new(resourceType, null, []);

    /// <summary>From the query string: comma-separated lists, either or both <c>null</c> or empty when absent.</summary>
    public static AttributeSelection Parse(ResourceTypeDefinition resourceType, string? attributes, string? excludedAttributes) =>
        Create(resourceType, SplitList(attributes), SplitList(excludedAttributes));

    /// <summary>From already split lists (a SearchRequest body); <c>null</c> or empty when absent.</summary>
    public static AttributeSelection Create(
        ResourceTypeDefinition resourceType,
        IEnumerable<string>? attributes,
        IEnumerable<string>? excludedAttributes)
    {
        var attributeList = attributes?.Where(a => !string.IsNullOrWhiteSpace(a)).ToList();
        return new AttributeSelection(
            resourceType,
            attributeList is { Count: > 0 } ? Resolve(resourceType, attributeList) : null,
            Resolve(resourceType, excludedAttributes ?? []));
    }

    /// <summary>
    /// Whether the response will carry <paramref name="path"/> (an attribute, <c>attr.sub</c>, URN-qualified, or an
    /// extension URN), so the caller can skip loading it. An attribute is requested when any part of it will be
    /// returned. Unknown paths are treated as <c>returned: default</c>.
    /// </summary>
    public bool IsRequested(string path)
    {
        var trimmed = path.Trim();
        if (ResourceType.FindSchema(trimmed) is { } schema)
        {
            return schema.Attributes.Any(a => Decide(schema, a, null));
        }

        return ScimSchemas.FindAttribute(ResourceType, trimmed) is { } resolved
            ? IsRequested(resolved)
            : _attributes is null;
    }

    public bool IsRequested(ResolvedAttribute attribute) =>
        attribute.SubAttribute is null
            ? Decide(attribute.Schema, attribute.Attribute, null)
            : Decide(attribute.Schema, attribute.Attribute, null) && Decide(attribute.Schema, attribute.Attribute, attribute.SubAttribute);

    /// <summary>
    /// True when this is the default selection and <paramref name="resource"/> holds nothing it leaves out, so the
    /// resource is returned as it is (<see cref="Apply"/> returns it uncopied).
    /// </summary>
    public bool ReturnsWhole(JsonObject resource) => _attributes is null && _excluded.Count == 0 && !DefaultLeavesOut(resource);

    /// <summary>
    /// The resource with only what this selection returns, as a new object; the input is not changed. With no
    /// <c>attributes</c> and no <c>excludedAttributes</c> (what an IdP sends on almost every call) a resource that holds
    /// nothing to leave out (no <c>returned: never</c> or <c>request</c> attribute, no null, nothing empty) is returned
    /// itself, uncopied.
    /// </summary>
    public JsonObject Apply(JsonObject resource)
    {
        if (ReturnsWhole(resource))
        {
            return resource;
        }

        var core = ResourceType.Schema;
        var output = new JsonObject();
        foreach (var (key, value) in ScimJson.Properties(resource))
        {
            if (value is null)
            {
                continue;
            }

            if (string.Equals(key, "schemas", StringComparison.OrdinalIgnoreCase))
            {
                output[key] = value.DeepClone();
            }
            else if (ResourceType.FindExtension(key) is { } extension)
            {
                if (value is JsonObject extensionObject && ProjectMembers(extension.Schema, extensionObject) is { } projected)
                {
                    output[key] = projected;
                }
            }
            else if (core.FindAttribute(key) is { } attribute)
            {
                if (ProjectAttribute(core, attribute, value) is { } projected)
                {
                    output[key] = projected;
                }
            }
            else if (_attributes is null)
            {
                // Not in the schema: treated as returned-by-default, as IsRequested does.
                output[key] = value.DeepClone();
            }
        }

        return output;
    }

    // Whether the default selection would return less than the resource holds: the read-only twin of Apply's walk,
    // asking at each step whether Apply would drop or empty something there.
    private bool DefaultLeavesOut(JsonObject resource)
    {
        // A parsed object with a member name twice throws on enumeration: the full walk reports it properly.
        try
        {
            return ResourceLeavesOut(resource);
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    private bool ResourceLeavesOut(JsonObject resource)
    {
        foreach (var (key, value) in resource)
        {
            if (value is null)
            {
                return true;
            }

            if (string.Equals(key, "schemas", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (ResourceType.FindExtension(key) is { } extension)
            {
                if (value is not JsonObject members || MembersLeaveOut(extension.Schema, members))
                {
                    return true;
                }
            }
            else if (ResourceType.Schema.FindAttribute(key) is { } attribute && AttributeLeavesOut(ResourceType.Schema, attribute, value))
            {
                return true;
            }
        }

        return false;
    }

    private bool MembersLeaveOut(SchemaDefinition schema, JsonObject members)
    {
        if (members.Count == 0)
        {
            return true;
        }

        foreach (var (key, value) in members)
        {
            if (value is null || schema.FindAttribute(key) is not { } attribute || AttributeLeavesOut(schema, attribute, value))
            {
                return true;
            }
        }

        return false;
    }

    private bool AttributeLeavesOut(SchemaDefinition schema, AttributeDefinition attribute, JsonNode value)
    {
        if (!Decide(schema, attribute, null))
        {
            return true;
        }

        if (attribute.Type != AttributeType.Complex)
        {
            return false;
        }

        switch (value)
        {
            case JsonObject obj:
                return ComplexLeavesOut(schema, attribute, obj);
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is null || (item is JsonObject element && ComplexLeavesOut(schema, attribute, element)))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private bool ComplexLeavesOut(SchemaDefinition schema, AttributeDefinition attribute, JsonObject value)
    {
        if (value.Count == 0)
        {
            return true;
        }

        foreach (var (key, subValue) in value)
        {
            if (subValue is null || (attribute.FindSubAttribute(key) is { } sub && !Decide(schema, attribute, sub)))
            {
                return true;
            }
        }

        return false;
    }

    private JsonObject? ProjectMembers(SchemaDefinition schema, JsonObject obj)
    {
        var output = new JsonObject();
        foreach (var (key, value) in ScimJson.Properties(obj))
        {
            if (value is not null
                && schema.FindAttribute(key) is { } attribute
                && ProjectAttribute(schema, attribute, value) is { } projected)
            {
                output[key] = projected;
            }
        }

        return output.Count > 0 ? output : null;
    }

    private JsonNode? ProjectAttribute(SchemaDefinition schema, AttributeDefinition attribute, JsonNode value)
    {
        if (!Decide(schema, attribute, null))
        {
            return null;
        }

        if (attribute.Type != AttributeType.Complex)
        {
            return value.DeepClone();
        }

        switch (value)
        {
            case JsonObject obj:
                return ProjectComplex(schema, attribute, obj);
            case JsonArray array:
                var result = new JsonArray();
                foreach (var item in array)
                {
                    var projected = item is JsonObject element ? ProjectComplex(schema, attribute, element) : item?.DeepClone();
                    if (projected is not null)
                    {
                        result.Add(projected);
                    }
                }

                // An array emptied by sub-attribute selection says nothing; one that was empty already does.
                return result.Count == 0 && array.Count > 0 ? null : result;
            default:
                return value.DeepClone();
        }
    }

    private JsonObject? ProjectComplex(SchemaDefinition schema, AttributeDefinition attribute, JsonObject value)
    {
        var output = new JsonObject();
        foreach (var (key, subValue) in ScimJson.Properties(value))
        {
            if (subValue is null)
            {
                continue;
            }

            var include = attribute.FindSubAttribute(key) is { } sub
                ? Decide(schema, attribute, sub)
                : _attributes?.Any(e => Covers(e, schema, attribute, null)) ?? true;
            if (include)
            {
                output[key] = subValue.DeepClone();
            }
        }

        return output.Count > 0 ? output : null;
    }

    private bool Decide(SchemaDefinition schema, AttributeDefinition attribute, AttributeDefinition? sub)
    {
        var returned = sub is null || attribute.Returned == Returned.Never ? attribute.Returned : sub.Returned;
        switch (returned)
        {
            case Returned.Never:
                return false;
            case Returned.Always:
                return true;
        }

        // Loops, not Any(lambda): this runs for every attribute of every resource in a response.
        if (_attributes is not null)
        {
            foreach (var entry in _attributes)
            {
                if (Covers(entry, schema, attribute, sub) || IsBelow(entry, schema, attribute, sub))
                {
                    return true;
                }
            }

            return false;
        }

        if (returned == Returned.Request)
        {
            return false;
        }

        foreach (var entry in _excluded)
        {
            if (Covers(entry, schema, attribute, sub))
            {
                return false;
            }
        }

        return true;
    }

    // The entry names the target itself or one of its ancestors (the attribute or the whole schema).
    private static bool Covers(Entry entry, SchemaDefinition schema, AttributeDefinition attribute, AttributeDefinition? sub) =>
        ReferenceEquals(entry.Schema, schema)
        && (entry.Attribute is null
            || (ReferenceEquals(entry.Attribute, attribute) && (entry.Sub is null || ReferenceEquals(entry.Sub, sub))));

    // The entry names a sub-attribute of the target attribute, which is then returned in part.
    private static bool IsBelow(Entry entry, SchemaDefinition schema, AttributeDefinition attribute, AttributeDefinition? sub) =>
        sub is null && ReferenceEquals(entry.Schema, schema) && ReferenceEquals(entry.Attribute, attribute) && entry.Sub is not null;

    private static List<Entry> Resolve(ResourceTypeDefinition resourceType, IEnumerable<string> paths)
    {
        var entries = new List<Entry>();
        foreach (var raw in paths)
        {
            var path = raw.Trim();
            if (resourceType.FindSchema(path) is { } schema)
            {
                entries.Add(new Entry(schema, null, null));
            }
            else if (ScimSchemas.FindAttribute(resourceType, path) is { } resolved)
            {
                entries.Add(new Entry(resolved.Schema, resolved.Attribute, resolved.SubAttribute));
            }
        }

        return entries;
    }

    private static string[]? SplitList(string? list) =>
        string.IsNullOrWhiteSpace(list)
            ? null
            : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private sealed record Entry(SchemaDefinition Schema, AttributeDefinition? Attribute, AttributeDefinition? Sub)
    {
        public string Path => Attribute is null
            ? Schema.Id
            : Sub is null ? $"{Schema.Id}:{Attribute.Name}" : $"{Schema.Id}:{Attribute.Name}.{Sub.Name}";
    }
}
