namespace Microservices.Scim.Schemas;

/// <summary>Attribute data types of RFC 7643 §2.3.</summary>
public enum AttributeType
{
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Binary,
    Reference,
    Complex,
}

/// <summary>RFC 7643 §7 <c>mutability</c>.</summary>
public enum Mutability
{
    ReadWrite,
    ReadOnly,
    Immutable,
    WriteOnly,
}

/// <summary>RFC 7643 §7 <c>returned</c>.</summary>
public enum Returned
{
    Default,
    Always,
    Never,
    Request,
}

/// <summary>RFC 7643 §7 <c>uniqueness</c>.</summary>
public enum Uniqueness
{
    None,
    Server,
    Global,
}

/// <summary>
/// One attribute of a schema, described as data (RFC 7643 §7). The same definitions drive validation,
/// projection, filtering and the <c>/Schemas</c> discovery document.
/// </summary>
public sealed record AttributeDefinition(
    string Name,
    AttributeType Type,
    bool MultiValued = false,
    bool Required = false,
    Mutability Mutability = Mutability.ReadWrite,
    Returned Returned = Returned.Default,
    Uniqueness Uniqueness = Uniqueness.None,
    bool CaseExact = false,
    string Description = "",
    IReadOnlyList<string>? CanonicalValues = null,
    IReadOnlyList<string>? ReferenceTypes = null,
    IReadOnlyList<AttributeDefinition>? SubAttributes = null)
{
    public IReadOnlyList<AttributeDefinition> SubAttributesOrEmpty => SubAttributes ?? [];

    /// <summary>Finds a sub-attribute by name, case-insensitively as RFC 7643 §2.1 requires.</summary>
    public AttributeDefinition? FindSubAttribute(string name) => SubAttributes is null ? null : Named(SubAttributes, name);

    // The lookups below run for every attribute of every resource a response carries: plain loops, no allocation.
    internal static AttributeDefinition? Named(IReadOnlyList<AttributeDefinition> attributes, string name)
    {
        for (var i = 0; i < attributes.Count; i++)
        {
            if (string.Equals(attributes[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return attributes[i];
            }
        }

        return null;
    }
}

/// <summary>A schema: a URN and its attributes (RFC 7643 §7).</summary>
public sealed record SchemaDefinition(string Id, string Name, string Description, IReadOnlyList<AttributeDefinition> Attributes)
{
    public AttributeDefinition? FindAttribute(string name) => AttributeDefinition.Named(Attributes, name);
}

/// <summary>A resource type: its endpoint, core schema and extensions (RFC 7643 §6).</summary>
public sealed record ResourceTypeDefinition(
    string Id,
    string Name,
    string Endpoint,
    string Description,
    SchemaDefinition Schema,
    IReadOnlyList<SchemaExtensionDefinition> Extensions)
{
    /// <summary>The core schema first, then the extensions in declaration order.</summary>
    public IEnumerable<SchemaDefinition> AllSchemas => Extensions.Select(e => e.Schema).Prepend(Schema);

    /// <summary>The core schema or one of the extensions, by URN, case-insensitively.</summary>
    public SchemaDefinition? FindSchema(string urn) =>
        string.Equals(Schema.Id, urn, StringComparison.OrdinalIgnoreCase) ? Schema : FindExtension(urn)?.Schema;

    public SchemaExtensionDefinition? FindExtension(string urn)
    {
        for (var i = 0; i < Extensions.Count; i++)
        {
            if (string.Equals(Extensions[i].Schema.Id, urn, StringComparison.OrdinalIgnoreCase))
            {
                return Extensions[i];
            }
        }

        return null;
    }
}

public sealed record SchemaExtensionDefinition(SchemaDefinition Schema, bool Required);
