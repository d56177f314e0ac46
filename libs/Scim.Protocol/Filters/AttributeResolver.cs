using Microservices.Scim.Schemas;

namespace Microservices.Scim.Filters;

/// <summary>Where an attribute path leads in a resource type: the owning schema, the attribute and its sub-attribute.</summary>
public sealed record ResolvedAttribute(
    SchemaDefinition Schema,
    bool IsExtension,
    AttributeDefinition Attribute,
    AttributeDefinition? SubAttribute)
{
    /// <summary>The definition the path ends at: the sub-attribute if named, else the attribute.</summary>
    public AttributeDefinition Target => SubAttribute ?? Attribute;
}

/// <summary>
/// Resolves attribute paths against a resource type (core schema plus extensions), case-insensitively (RFC 7643 §2.1).
/// A path without a schema URN is looked up in the core schema first, then in the extensions, so that
/// <c>department</c> finds the enterprise extension's attribute. The common attributes of RFC 7643 §3.1
/// (<c>id</c>, <c>externalId</c>, <c>meta</c>) resolve even when the core schema does not list them.
/// </summary>
public sealed class AttributeResolver
{
    private static readonly AttributeDefinition[] _commonAttributes =
    [
        new("id", AttributeType.String, Mutability: Mutability.ReadOnly, Returned: Returned.Always, Uniqueness: Uniqueness.Server, CaseExact: true),
        new("externalId", AttributeType.String, CaseExact: true),
        new("meta", AttributeType.Complex, Mutability: Mutability.ReadOnly, SubAttributes:
        [
            new("resourceType", AttributeType.String, Mutability: Mutability.ReadOnly, CaseExact: true),
            new("created", AttributeType.DateTime, Mutability: Mutability.ReadOnly),
            new("lastModified", AttributeType.DateTime, Mutability: Mutability.ReadOnly),
            new("location", AttributeType.Reference, Mutability: Mutability.ReadOnly, CaseExact: true),
            new("version", AttributeType.String, Mutability: Mutability.ReadOnly, CaseExact: true),
        ]),
    ];

    private readonly SchemaDefinition _commonSchema;

    public AttributeResolver(ResourceTypeDefinition resourceType)
    {
        ArgumentNullException.ThrowIfNull(resourceType);
        ResourceType = resourceType;
        _commonSchema = resourceType.Schema with { Attributes = _commonAttributes };
    }

    public ResourceTypeDefinition ResourceType { get; }

    /// <summary>The schema with this URN among the core schema and the extensions, or null.</summary>
    public SchemaDefinition? FindSchema(string uri, out bool isExtension)
    {
        isExtension = false;
        if (string.Equals(uri, ResourceType.Schema.Id, StringComparison.OrdinalIgnoreCase))
        {
            return ResourceType.Schema;
        }

        foreach (var extension in ResourceType.Extensions)
        {
            if (string.Equals(uri, extension.Schema.Id, StringComparison.OrdinalIgnoreCase))
            {
                isExtension = true;
                return extension.Schema;
            }
        }

        return null;
    }

    public ResolvedAttribute? Resolve(AttributePath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.SchemaUri is not null)
        {
            var schema = FindSchema(path.SchemaUri, out var isExtension);
            if (schema is null)
            {
                return null;
            }

            var attribute = schema.FindAttribute(path.Name);
            if (attribute is null && !isExtension)
            {
                attribute = _commonSchema.FindAttribute(path.Name);
            }

            return Complete(schema, isExtension, attribute, path.SubAttribute);
        }

        var core = ResourceType.Schema.FindAttribute(path.Name);
        if (core is not null)
        {
            return Complete(ResourceType.Schema, false, core, path.SubAttribute);
        }

        var common = _commonSchema.FindAttribute(path.Name);
        if (common is not null)
        {
            return Complete(ResourceType.Schema, false, common, path.SubAttribute);
        }

        foreach (var extension in ResourceType.Extensions)
        {
            var attribute = extension.Schema.FindAttribute(path.Name);
            if (attribute is not null)
            {
                return Complete(extension.Schema, true, attribute, path.SubAttribute);
            }
        }

        return null;
    }

    /// <summary>The definition at the end of the path, or null; suits <see cref="FilterEvaluator"/>'s lookup.</summary>
    public AttributeDefinition? Find(AttributePath path) => Resolve(path)?.Target;

    private static ResolvedAttribute? Complete(SchemaDefinition schema, bool isExtension, AttributeDefinition? attribute, string? subName)
    {
        if (attribute is null)
        {
            return null;
        }

        if (subName is null)
        {
            return new ResolvedAttribute(schema, isExtension, attribute, null);
        }

        var sub = attribute.FindSubAttribute(subName);
        return sub is null ? null : new ResolvedAttribute(schema, isExtension, attribute, sub);
    }
}
