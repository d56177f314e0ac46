namespace Microservices.Scim.Schemas;

public static partial class ScimSchemas
{
    /// <summary>One of the four schemas by URN, case-insensitively; <c>null</c> when unknown.</summary>
    public static SchemaDefinition? FindSchema(string urn)
    {
        foreach (var schema in AllSchemas)
        {
            if (string.Equals(schema.Id, urn, StringComparison.OrdinalIgnoreCase))
            {
                return schema;
            }
        }

        return null;
    }

    /// <summary>A resource type by id (<c>User</c>, <c>Group</c>), case-insensitively; <c>null</c> when unknown.</summary>
    public static ResourceTypeDefinition? FindResourceType(string id) =>
        AllResourceTypes.FirstOrDefault(t => string.Equals(t.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Resolves an attribute of <paramref name="resourceType"/>, case-insensitively (RFC 7643 §2.1).
    /// With a schema URN only that schema is searched; without one the core schema is searched first and then
    /// the extensions, so a client that writes <c>department</c> unqualified still finds the enterprise attribute.
    /// Returns <c>null</c> for an unknown schema, attribute or sub-attribute, and for a sub-attribute of a
    /// non-complex attribute.
    /// </summary>
    public static ResolvedAttribute? FindAttribute(
        ResourceTypeDefinition resourceType,
        string? schemaUrn,
        string name,
        string? subAttribute = null)
    {
        IEnumerable<SchemaDefinition> candidates = schemaUrn is null
            ? resourceType.AllSchemas
            : resourceType.FindSchema(schemaUrn) is { } schema ? [schema] : [];

        foreach (var candidate in candidates)
        {
            if (candidate.FindAttribute(name) is not { } attribute)
            {
                continue;
            }

            if (subAttribute is null)
            {
                return new ResolvedAttribute(candidate, attribute, null);
            }

            return attribute.FindSubAttribute(subAttribute) is { } sub
                ? new ResolvedAttribute(candidate, attribute, sub)
                : null;
        }

        return null;
    }

    public static ResolvedAttribute? FindAttribute(ResourceTypeDefinition resourceType, AttributeReference reference) =>
        FindAttribute(resourceType, reference.SchemaUrn, reference.Name, reference.SubAttribute);

    /// <summary>Resolves a textual path such as <c>name.givenName</c> or a URN-qualified one; <c>null</c> when unknown or malformed.</summary>
    public static ResolvedAttribute? FindAttribute(ResourceTypeDefinition resourceType, string path) =>
        AttributeReference.TryParse(path, out var reference) ? FindAttribute(resourceType, reference) : null;
}
