using System.Diagnostics.CodeAnalysis;

namespace Microservices.Scim.Schemas;

/// <summary>
/// An attribute path as a client writes it (RFC 7644 §3.10 without value filters): an optional schema URN,
/// an attribute name and an optional sub-attribute, e.g.
/// <c>urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value</c>. Names are kept as written;
/// <see cref="ScimSchemas.FindAttribute(ResourceTypeDefinition, AttributeReference)"/> resolves them.
/// </summary>
public sealed record AttributeReference(string? SchemaUrn, string Name, string? SubAttribute)
{
    /// <summary>Parses a path; <c>false</c> for anything that is not <c>[urn:]name[.sub]</c>.</summary>
    public static bool TryParse(string? path, [NotNullWhen(true)] out AttributeReference? reference)
    {
        reference = null;
        if (string.IsNullOrWhiteSpace(path))
        {
            return false;
        }

        var text = path.Trim();
        string? urn = null;
        if (text.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            // A URN contains dots ("2.0") and colons, so the attribute part starts after the known schema URN,
            // or, for a URN we do not know, after its last colon.
            var known = ScimSchemas.AllSchemas
                .Select(s => s.Id)
                .FirstOrDefault(id => text.Length > id.Length + 1
                    && text.StartsWith(id, StringComparison.OrdinalIgnoreCase)
                    && text[id.Length] == ':');
            var split = known?.Length ?? text.LastIndexOf(':');
            urn = text[..split];
            text = text[(split + 1)..];
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var name = dot < 0 ? text : text[..dot];
        var sub = dot < 0 ? null : text[(dot + 1)..];
        if (!IsAttributeName(name) || (sub is not null && !IsAttributeName(sub)))
        {
            return false;
        }

        reference = new AttributeReference(urn, name, sub);
        return true;
    }

    public override string ToString()
    {
        var path = SubAttribute is null ? Name : $"{Name}.{SubAttribute}";
        return SchemaUrn is null ? path : $"{SchemaUrn}:{path}";
    }

    // RFC 7643 §2.1 ATTRNAME = ALPHA *(nameChar), plus "$ref" (§2.3.7).
    private static bool IsAttributeName(string name)
    {
        if (string.Equals(name, "$ref", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (name.Length == 0 || !char.IsAsciiLetter(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>An attribute path resolved against a resource type, with canonical names.</summary>
public sealed record ResolvedAttribute(SchemaDefinition Schema, AttributeDefinition Attribute, AttributeDefinition? SubAttribute)
{
    /// <summary>The definition the path ends at: the sub-attribute if there is one.</summary>
    public AttributeDefinition Definition => SubAttribute ?? Attribute;

    /// <summary>The canonical, fully qualified path, e.g. <c>urn:ietf:params:scim:schemas:core:2.0:User:name.givenName</c>.</summary>
    public string FullPath => SubAttribute is null
        ? $"{Schema.Id}:{Attribute.Name}"
        : $"{Schema.Id}:{Attribute.Name}.{SubAttribute.Name}";

    /// <summary>The canonical path without the schema URN, e.g. <c>name.givenName</c>.</summary>
    public string ShortPath => SubAttribute is null ? Attribute.Name : $"{Attribute.Name}.{SubAttribute.Name}";
}
