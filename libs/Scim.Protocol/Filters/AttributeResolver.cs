using Microservices.Scim.Schemas;

namespace Microservices.Scim.Filters;

/// <summary>
/// Resolves filter and PATCH attribute paths against a resource type (core schema plus extensions). It is the
/// filter AST's face of <see cref="ScimSchemas.FindAttribute(ResourceTypeDefinition, string?, string, string?)"/>,
/// so filters, PATCH, validation and projection share one lookup and one set of rules (RFC 7643 §2.1:
/// case-insensitive; without a URN the core schema first, then the extensions).
/// </summary>
public sealed class AttributeResolver(ResourceTypeDefinition resourceType)
{
    public ResourceTypeDefinition ResourceType { get; } = resourceType ?? throw new ArgumentNullException(nameof(resourceType));

    /// <summary>The schema with this URN among the core schema and the extensions, or null.</summary>
    public SchemaDefinition? FindSchema(string uri, out bool isExtension)
    {
        var schema = ResourceType.FindSchema(uri);
        isExtension = schema is not null && !ReferenceEquals(schema, ResourceType.Schema);
        return schema;
    }

    public ResolvedAttribute? Resolve(AttributePath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ScimSchemas.FindAttribute(ResourceType, path.SchemaUri, path.Name, path.SubAttribute);
    }

    /// <summary>True when the resolved attribute lives in an extension schema (its values sit under the URN object).</summary>
    public bool IsExtension(ResolvedAttribute resolved) => !ReferenceEquals(resolved.Schema, ResourceType.Schema);

    /// <summary>The definition at the end of the path, or null; suits <see cref="FilterEvaluator"/>'s lookup.</summary>
    public AttributeDefinition? Find(AttributePath path) => Resolve(path)?.Definition;
}
