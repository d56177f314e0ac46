using Microservices.Scim;
using Microservices.Scim.Errors;
using Microservices.Scim.Filters;
using Microservices.Scim.Schemas;

namespace Microservices.ScimEdge.Api.Scim.Users;

/// <summary>
/// Rewrites a SCIM filter (and sortBy) over User attributes into the users service's domain field names, so the
/// filter runs in its database. Each path is resolved against the User resource type first (so URN-qualified and
/// unqualified spellings, any case, mean the same); an attribute Assure keeps no field for is <c>invalidFilter</c>.
/// </summary>
public static class UserFilterRewriter
{
    private static readonly AttributeResolver _resolver = new(ScimSchemas.UserResourceType);

    // (schema URN, attribute, sub-attribute) → domain field. emails stays multi-valued: the service filters it with EXISTS.
    private static readonly Dictionary<string, string> _fields = new(StringComparer.OrdinalIgnoreCase)
    {
        [Key(ScimConstants.UserSchema, "id")] = "id",
        [Key(ScimConstants.UserSchema, "externalId")] = "externalId",
        [Key(ScimConstants.UserSchema, "userName")] = "userName",
        [Key(ScimConstants.UserSchema, "displayName")] = "displayName",
        [Key(ScimConstants.UserSchema, "name", "givenName")] = "givenName",
        [Key(ScimConstants.UserSchema, "name", "familyName")] = "familyName",
        [Key(ScimConstants.UserSchema, "name", "middleName")] = "middleName",
        [Key(ScimConstants.UserSchema, "name", "honorificPrefix")] = "honorificPrefix",
        [Key(ScimConstants.UserSchema, "name", "honorificSuffix")] = "honorificSuffix",
        [Key(ScimConstants.UserSchema, "name", "formatted")] = "formattedName",
        [Key(ScimConstants.UserSchema, "emails")] = "emails.value",
        [Key(ScimConstants.UserSchema, "emails", "value")] = "emails.value",
        [Key(ScimConstants.UserSchema, "emails", "type")] = "emails.type",
        [Key(ScimConstants.UserSchema, "emails", "primary")] = "emails.primary",
        [Key(ScimConstants.UserSchema, "active")] = "active",
        [Key(ScimConstants.UserSchema, "userType")] = "userType",
        [Key(ScimConstants.UserSchema, "title")] = "title",
        [Key(ScimConstants.UserSchema, "preferredLanguage")] = "preferredLanguage",
        [Key(ScimConstants.UserSchema, "locale")] = "locale",
        [Key(ScimConstants.UserSchema, "timezone")] = "timeZone",
        [Key(ScimConstants.UserSchema, "meta", "created")] = "created",
        [Key(ScimConstants.UserSchema, "meta", "lastModified")] = "lastModified",
        [Key(ScimConstants.EnterpriseUserSchema, "department")] = "department",
        [Key(ScimConstants.EnterpriseUserSchema, "employeeNumber")] = "employeeNumber",
        [Key(ScimConstants.AssureUserSchema, "dateFormat")] = "dateFormat",
        [Key(ScimConstants.AssureUserSchema, "personReference")] = "personReference",
        [Key(ScimConstants.AssureUserSchema, "accessType")] = "accessType",
        [Key(ScimConstants.AssureUserSchema, "isManager")] = "isManager",
    };

    /// <summary>The canonical domain filter text, or null for no filter.</summary>
    public static string? Rewrite(string? filter, FilterParserOptions? options = null)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return null;
        }

        return Node(FilterParser.Parse(filter, options)).ToString();
    }

    /// <summary>The domain field to sort by, or null for the service's default order.</summary>
    public static string? SortField(ResolvedAttribute? sortBy)
    {
        if (sortBy is null)
        {
            return null;
        }

        return _fields.GetValueOrDefault(Key(sortBy))
            ?? throw ScimException.InvalidValue($"Cannot sort by '{sortBy.ShortPath}': Assure keeps no sortable field for it.");
    }

    private static Filter Node(Filter filter) => filter switch
    {
        AndFilter and => new AndFilter(and.Operands.Select(Node)),
        OrFilter or => new OrFilter(or.Operands.Select(Node)),
        NotFilter not => new NotFilter(Node(not.Operand)),
        ComparisonFilter c => c with { Path = Path(c.Path) },
        PresentFilter p => p with { Path = Path(p.Path) },
        ValuePathFilter v => ValuePath(v),
        _ => throw ScimException.InvalidFilter($"Unsupported filter expression '{filter}'."),
    };

    private static Filter ValuePath(ValuePathFilter valuePath)
    {
        var resolved = _resolver.Resolve(valuePath.Path);
        if (resolved is null || valuePath.Path.SubAttribute is not null || _fields.GetValueOrDefault(Key(resolved)) != "emails.value")
        {
            throw ScimException.InvalidFilter($"'{valuePath.Path}[…]' cannot be filtered on; of the multi-valued attributes only emails[…] can.");
        }

        return new ValuePathFilter(new AttributePath(null, "emails"), Inner(valuePath.ValueFilter, valuePath.Path));
    }

    // Inside emails[…] names are sub-attributes of emails.
    private static Filter Inner(Filter filter, AttributePath parent) => filter switch
    {
        AndFilter and => new AndFilter(and.Operands.Select(o => Inner(o, parent))),
        OrFilter or => new OrFilter(or.Operands.Select(o => Inner(o, parent))),
        NotFilter not => new NotFilter(Inner(not.Operand, parent)),
        ComparisonFilter c => c with { Path = InnerPath(c.Path, parent) },
        PresentFilter p => p with { Path = InnerPath(p.Path, parent) },
        _ => throw ScimException.InvalidFilter($"Unsupported filter expression '{filter}' inside '{parent}[…]'."),
    };

    private static AttributePath InnerPath(AttributePath path, AttributePath parent)
    {
        var field = _fields.GetValueOrDefault(Key(ScimConstants.UserSchema, "emails", path.Name));
        return path.SchemaUri is null && path.SubAttribute is null && field is not null
            ? new AttributePath(null, path.Name.ToLowerInvariant())
            : throw ScimException.InvalidFilter($"'{parent}[{path}]' cannot be filtered on: emails[…] filters value, type and primary.");
    }

    private static AttributePath Path(AttributePath path)
    {
        var resolved = _resolver.Resolve(path)
            ?? throw ScimException.InvalidFilter($"Unknown attribute '{path}' in filter.");
        var field = _fields.GetValueOrDefault(Key(resolved))
            ?? throw ScimException.InvalidFilter($"The attribute '{path}' cannot be filtered on: Assure keeps no field for it.");
        var dot = field.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? new AttributePath(null, field) : new AttributePath(null, field[..dot], field[(dot + 1)..]);
    }

    private static string Key(ResolvedAttribute resolved) => Key(resolved.Schema.Id, resolved.Attribute.Name, resolved.SubAttribute?.Name);

    private static string Key(string schema, string attribute, string? subAttribute = null) =>
        subAttribute is null ? $"{schema}:{attribute}" : $"{schema}:{attribute}.{subAttribute}";
}
