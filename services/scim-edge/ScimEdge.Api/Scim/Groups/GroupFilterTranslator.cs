using Microservices.Scim;
using Microservices.Scim.Errors;
using Microservices.Scim.Filters;

namespace Microservices.ScimEdge.Api.Scim.Groups;

/// <summary>
/// Rewrites a SCIM Group filter into the roles service's names (docs/roles-service.md, "GET list"): the core schema
/// URN is dropped, <c>meta.created</c> / <c>meta.lastModified</c> become <c>created</c> / <c>lastModified</c>. The
/// roles service then translates it to SQL; anything it cannot name is refused here as <c>invalidFilter</c> so the
/// IdP learns which attribute was at fault.
/// </summary>
public static class GroupFilterTranslator
{
    public static string Translate(string filter, FilterParserOptions? options = null) => FilterPrinter.Print(Rewrite(FilterParser.Parse(filter, options)));

    /// <summary>The roles sort name for a SCIM <c>sortBy</c> attribute, e.g. <c>meta.created</c> → <c>created</c>.</summary>
    public static string? SortName(string attribute, string? subAttribute) => Map(new AttributePath(null, attribute, subAttribute), allowMembers: false);

    private static Filter Rewrite(Filter filter) => filter switch
    {
        ComparisonFilter comparison => comparison with { Path = Path(comparison.Path) },
        PresentFilter present => present with { Path = Path(present.Path) },
        NotFilter not => new NotFilter(Rewrite(not.Operand)),
        AndFilter and => new AndFilter(and.Operands.Select(Rewrite)),
        OrFilter or => new OrFilter(or.Operands.Select(Rewrite)),
        ValuePathFilter valuePath when IsMembers(valuePath.Path) && valuePath.Path.SubAttribute is null =>
            new ValuePathFilter(new AttributePath(null, "members"), valuePath.ValueFilter),
        ValuePathFilter valuePath => throw Unsupported(valuePath.Path),
        _ => throw ScimException.InvalidFilter("The filter has a form the Groups endpoint does not support."),
    };

    private static AttributePath Path(AttributePath path)
    {
        var name = Map(path, allowMembers: true) ?? throw Unsupported(path);
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? new AttributePath(null, name) : new AttributePath(null, name[..dot], name[(dot + 1)..]);
    }

    private static string? Map(AttributePath path, bool allowMembers)
    {
        if (path.SchemaUri is not null && !string.Equals(path.SchemaUri, ScimConstants.GroupSchema, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var name = path.Name.ToUpperInvariant();
        var sub = path.SubAttribute?.ToUpperInvariant();
        return (name, sub) switch
        {
            ("DISPLAYNAME", null) => "displayName",
            ("EXTERNALID", null) => "externalId",
            ("ID", null) => "id",
            ("META", "CREATED") => "created",
            ("META", "LASTMODIFIED") => "lastModified",
            ("MEMBERS", "VALUE") when allowMembers => "members.value",
            ("MEMBERS", null) when allowMembers => "members",
            _ => null,
        };
    }

    private static bool IsMembers(AttributePath path) =>
        string.Equals(path.Name, "members", StringComparison.OrdinalIgnoreCase)
        && (path.SchemaUri is null || string.Equals(path.SchemaUri, ScimConstants.GroupSchema, StringComparison.OrdinalIgnoreCase));

    private static ScimException Unsupported(AttributePath path) =>
        ScimException.InvalidFilter($"Groups cannot be filtered by '{Shorten(path.ToString())}'; use displayName, externalId, id, meta.created, meta.lastModified or members.value.");

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";
}
