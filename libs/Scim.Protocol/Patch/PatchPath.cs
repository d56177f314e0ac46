using System.Text;
using Microservices.Scim.Errors;
using Microservices.Scim.Filters;

namespace Microservices.Scim.Patch;

/// <summary>
/// A PATCH <c>path</c> (RFC 7644 §3.5.2: <c>PATH = attrPath / valuePath [subAttr]</c>):
/// <c>name.givenName</c>, <c>members[value eq "2819c223"]</c>, <c>emails[type eq "work"].value</c>,
/// <c>urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value</c>.
/// <see cref="Attribute"/> carries the sub-attribute, also the one after the brackets.
/// </summary>
public sealed record PatchPath(AttributePath Attribute, Filter? ValueFilter = null)
{
    /// <exception cref="ScimException"><c>invalidPath</c> for any malformed path.</exception>
    public static PatchPath Parse(string path, FilterParserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var (attribute, valueFilter) = FilterParser.ParsePatchPath(path, options);
        return new PatchPath(attribute, valueFilter);
    }

    public override string ToString()
    {
        if (ValueFilter is null)
        {
            return Attribute.ToString();
        }

        var builder = new StringBuilder();
        builder.Append(Attribute.Parent.ToString()).Append('[');
        FilterPrinter.Write(builder, ValueFilter);
        builder.Append(']');
        if (Attribute.SubAttribute is not null)
        {
            builder.Append('.').Append(Attribute.SubAttribute);
        }

        return builder.ToString();
    }
}
