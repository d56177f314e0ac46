using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim.Errors;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Filters;

/// <summary>
/// Evaluates filters in memory against a resource (RFC 7644 §3.4.2.2). With an attribute lookup the comparison follows
/// the attribute's type and <c>caseExact</c>; without one it follows the JSON value (strings case-insensitive).
/// </summary>
/// <remarks>
/// Semantics: a comparison on a multi-valued attribute is true if any value matches; an absent attribute behaves as a
/// single null value (so <c>title eq null</c> and <c>title ne "x"</c> are true for a user without a title); a complex
/// attribute named without a sub-attribute is compared through its <c>value</c> sub-attribute
/// (<c>emails co "example.com"</c>). Ordering (<c>gt ge lt le</c>) on booleans, complex values or null, and
/// <c>co sw ew</c> on non-strings, are <c>invalidFilter</c>.
/// </remarks>
/// <param name="lookup">The definition of an attribute path, or null when unknown.</param>
/// <param name="extensionSchemas">URNs of the resource's extension schemas. Known extensions are read only from their
/// URN object; without this list a URN whose object is absent is taken as the core schema.</param>
public sealed class FilterEvaluator(
    Func<AttributePath, AttributeDefinition?>? lookup = null,
    IReadOnlyCollection<string>? extensionSchemas = null)
{
    private readonly Func<AttributePath, AttributeDefinition?> _lookup = lookup ?? (static _ => null);
    private readonly HashSet<string>? _extensions = extensionSchemas is null ? null : new(extensionSchemas, StringComparer.OrdinalIgnoreCase);

    /// <summary>An evaluator that knows no schema: types come from the JSON values.</summary>
    public static FilterEvaluator Untyped { get; } = new();

    public static FilterEvaluator For(ResourceTypeDefinition resourceType)
    {
        ArgumentNullException.ThrowIfNull(resourceType);
        return new(new AttributeResolver(resourceType).Find, [.. resourceType.Extensions.Select(e => e.Schema.Id)]);
    }

    /// <exception cref="ScimException"><c>invalidFilter</c> when an operator does not suit the attribute's type.</exception>
    public bool Matches(Filter filter, JsonObject resource)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(resource);
        return Evaluate(filter, resource, null);
    }

    /// <summary>
    /// Evaluates the inside of a value path (<c>type eq "work"</c> of <c>emails[type eq "work"]</c>) against one value of
    /// the multi-valued <paramref name="attribute"/>. PATCH uses this to select the values an operation targets.
    /// </summary>
    public bool MatchesValue(Filter valueFilter, AttributePath attribute, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(valueFilter);
        ArgumentNullException.ThrowIfNull(attribute);
        return Evaluate(valueFilter, value, attribute.Parent);
    }

    private bool Evaluate(Filter filter, JsonNode? scope, AttributePath? parent)
    {
        switch (filter)
        {
            case AndFilter and:
                foreach (var operand in and.Operands)
                {
                    if (!Evaluate(operand, scope, parent))
                    {
                        return false;
                    }
                }

                return true;
            case OrFilter or:
                foreach (var operand in or.Operands)
                {
                    if (Evaluate(operand, scope, parent))
                    {
                        return true;
                    }
                }

                return false;
            case NotFilter not:
                return !Evaluate(not.Operand, scope, parent);
            case PresentFilter present:
                foreach (var value in Values(present.Path, scope, parent))
                {
                    if (ScimJson.HasValue(value))
                    {
                        return true;
                    }
                }

                return false;
            case ComparisonFilter comparison:
                return EvaluateComparison(comparison, scope, parent);
            case ValuePathFilter valuePath:
                if (parent is not null)
                {
                    throw ScimException.InvalidFilter("invalid filter: value filters cannot be nested");
                }

                foreach (var element in Values(valuePath.Path, scope, null))
                {
                    if (element is not null && Evaluate(valuePath.ValueFilter, element, valuePath.Path.Parent))
                    {
                        return true;
                    }
                }

                return false;
            default:
                throw ScimException.InvalidFilter($"invalid filter: unsupported node {filter.GetType().Name}");
        }
    }

    private bool EvaluateComparison(ComparisonFilter comparison, JsonNode? scope, AttributePath? parent)
    {
        var path = comparison.Path;
        var fullPath = parent is null ? path : parent with { SubAttribute = path.Name };
        var definition = _lookup(fullPath);
        var values = Values(path, scope, parent);

        // RFC 7644 §3.4.2.2: "emails co ..." on a complex attribute compares its "value" sub-attribute.
        var complexDefinition = definition is { Type: AttributeType.Complex };
        if (complexDefinition || (definition is null && values.Exists(v => v is JsonObject)))
        {
            if (fullPath.SubAttribute is not null)
            {
                throw ScimException.InvalidFilter($"invalid filter: '{comparison.Path}' is complex and cannot be compared");
            }

            var valueDefinition = definition?.FindSubAttribute("value");
            if (complexDefinition && valueDefinition is null && comparison.Value is NullLiteral
                && comparison.Operator is ComparisonOperator.Eq or ComparisonOperator.Ne)
            {
                // "addresses eq null": a complex attribute equals null exactly when it has no value.
                return values.Exists(ScimJson.HasValue) == (comparison.Operator == ComparisonOperator.Ne);
            }

            if (complexDefinition && valueDefinition is null)
            {
                throw ScimException.InvalidFilter(
                    $"invalid filter: '{comparison.Path}' is complex; compare one of its sub-attributes, e.g. {comparison.Path}.<name>");
            }

            definition = valueDefinition ?? definition;
            values = values.ConvertAll(v => v is JsonObject obj && (complexDefinition || ScimJson.TryGetProperty(obj, "value", out _, out _))
                ? ScimJson.Get(obj, "value")
                : v);
        }

        var kind = CheckOperator(comparison, definition);
        if (values.Count == 0)
        {
            return Compare(null, comparison.Operator, comparison.Value, kind, definition, comparison);
        }

        foreach (var value in values)
        {
            if (Compare(value, comparison.Operator, comparison.Value, kind, definition, comparison))
            {
                return true;
            }
        }

        return false;
    }

    private enum Kind
    {
        Untyped,
        Text,
        Number,
        DateTime,
        Boolean,
    }

    private static Kind CheckOperator(ComparisonFilter comparison, AttributeDefinition? definition)
    {
        var op = comparison.Operator;
        var literal = comparison.Value;
        var ordering = op is ComparisonOperator.Gt or ComparisonOperator.Ge or ComparisonOperator.Lt or ComparisonOperator.Le;
        var substring = op is ComparisonOperator.Co or ComparisonOperator.Sw or ComparisonOperator.Ew;
        if (ordering && literal is NullLiteral or BooleanLiteral)
        {
            throw Unsupported(comparison, "ordering needs a string, number or date");
        }

        if (substring && literal is not StringLiteral)
        {
            throw Unsupported(comparison, "co, sw and ew need a string");
        }

        if (definition is null)
        {
            return Kind.Untyped;
        }

        var kind = definition.Type switch
        {
            AttributeType.Boolean => Kind.Boolean,
            AttributeType.Integer or AttributeType.Decimal => Kind.Number,
            AttributeType.DateTime => Kind.DateTime,
            _ => Kind.Text,
        };

        if (literal is NullLiteral)
        {
            return kind;
        }

        switch (kind)
        {
            case Kind.Boolean:
                if (ordering || substring)
                {
                    throw Unsupported(comparison, $"'{comparison.Path}' is boolean");
                }

                if (literal is not BooleanLiteral && !(literal is StringLiteral s && bool.TryParse(s.Value, out _)))
                {
                    throw Unsupported(comparison, $"'{comparison.Path}' is boolean; compare it with true or false");
                }

                break;
            case Kind.Number:
                if (substring)
                {
                    throw Unsupported(comparison, $"'{comparison.Path}' is a number");
                }

                if (literal is not NumberLiteral)
                {
                    throw Unsupported(comparison, $"'{comparison.Path}' is a number; compare it with a number");
                }

                break;
            case Kind.DateTime:
                if (substring)
                {
                    throw Unsupported(comparison, $"'{comparison.Path}' is a dateTime");
                }

                if (literal is not StringLiteral date || !TryParseInstant(date.Value, out _))
                {
                    throw Unsupported(comparison, $"'{comparison.Path}' is a dateTime; compare it with an xsd:dateTime string such as \"2011-05-13T04:42:34Z\"");
                }

                break;
            default:
                if (literal is not StringLiteral)
                {
                    throw Unsupported(comparison, $"'{comparison.Path}' is a string; compare it with a quoted string");
                }

                break;
        }

        return kind;
    }

    private static ScimException Unsupported(ComparisonFilter comparison, string why) =>
        ScimException.InvalidFilter(
            $"invalid filter: '{comparison.Path} {FilterPrinter.OperatorText(comparison.Operator)} {Shorten(comparison.Value)}' is not supported: {why}");

    private static string Shorten(FilterLiteral literal)
    {
        var text = literal.ToString();
        return text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "...");
    }

    private static bool Compare(JsonNode? value, ComparisonOperator op, FilterLiteral literal, Kind kind, AttributeDefinition? definition, ComparisonFilter comparison)
    {
        var isNull = value is null || value.GetValueKind() == JsonValueKind.Null;
        if (isNull || literal is NullLiteral)
        {
            var bothNull = isNull && literal is NullLiteral;
            return op switch
            {
                ComparisonOperator.Eq => bothNull,
                ComparisonOperator.Ne => !bothNull,
                _ => false,
            };
        }

        int? order = kind switch
        {
            Kind.Text => CompareText(value!, literal, op, definition?.CaseExact ?? false),
            Kind.Number => CompareNumber(value!, literal),
            Kind.DateTime => CompareDateTime(value!, literal),
            Kind.Boolean => CompareBoolean(value!, literal),
            _ => CompareUntyped(value!, literal, op, comparison),
        };

        if (op is ComparisonOperator.Co or ComparisonOperator.Sw or ComparisonOperator.Ew)
        {
            return order == 0;
        }

        return order switch
        {
            null => op == ComparisonOperator.Ne,
            var o => op switch
            {
                ComparisonOperator.Eq => o == 0,
                ComparisonOperator.Ne => o != 0,
                ComparisonOperator.Gt => o > 0,
                ComparisonOperator.Ge => o >= 0,
                ComparisonOperator.Lt => o < 0,
                ComparisonOperator.Le => o <= 0,
                _ => false,
            },
        };
    }

    /// <summary>For co/sw/ew returns 0 on a match and 1 otherwise; for the rest the ordering; null when incomparable.</summary>
    private static int? CompareText(JsonNode value, FilterLiteral literal, ComparisonOperator op, bool caseExact)
    {
        if (!ScimJson.TryGetString(value, out var text) || literal is not StringLiteral s)
        {
            return null;
        }

        var comparison = caseExact ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return op switch
        {
            ComparisonOperator.Co => text.Contains(s.Value, comparison) ? 0 : 1,
            ComparisonOperator.Sw => text.StartsWith(s.Value, comparison) ? 0 : 1,
            ComparisonOperator.Ew => text.EndsWith(s.Value, comparison) ? 0 : 1,
            _ => Math.Sign(string.Compare(text, s.Value, comparison)),
        };
    }

    private static int? CompareNumber(JsonNode value, FilterLiteral literal)
    {
        if (value is not JsonValue json || json.GetValueKind() != JsonValueKind.Number || literal is not NumberLiteral number)
        {
            return null;
        }

        if (json.TryGetValue<decimal>(out var left) && number.TryGetDecimal(out var right))
        {
            return left.CompareTo(right);
        }

        return json.TryGetValue<double>(out var l) ? l.CompareTo(number.ToDouble()) : null;
    }

    private static int? CompareDateTime(JsonNode value, FilterLiteral literal)
    {
        if (!ScimJson.TryGetString(value, out var text) || !TryParseInstant(text, out var left)
            || literal is not StringLiteral s || !TryParseInstant(s.Value, out var right))
        {
            return null;
        }

        return left.CompareTo(right);
    }

    private static int? CompareBoolean(JsonNode value, FilterLiteral literal)
    {
        bool left;
        if (!ScimJson.TryGetBoolean(value, out left) && !(ScimJson.TryGetString(value, out var text) && bool.TryParse(text, out left)))
        {
            return null;
        }

        bool right;
        switch (literal)
        {
            case BooleanLiteral b:
                right = b.Value;
                break;
            case StringLiteral s when bool.TryParse(s.Value, out var parsed):
                right = parsed;
                break;
            default:
                return null;
        }

        return left == right ? 0 : 1;
    }

    private static int? CompareUntyped(JsonNode value, FilterLiteral literal, ComparisonOperator op, ComparisonFilter comparison)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return CompareText(value, literal, op, caseExact: false);
            case JsonValueKind.Number:
                if (op is ComparisonOperator.Co or ComparisonOperator.Sw or ComparisonOperator.Ew)
                {
                    throw Unsupported(comparison, $"'{comparison.Path}' holds a number");
                }

                return CompareNumber(value, literal);
            case JsonValueKind.True or JsonValueKind.False:
                if (op is not (ComparisonOperator.Eq or ComparisonOperator.Ne))
                {
                    throw Unsupported(comparison, $"'{comparison.Path}' holds a boolean");
                }

                return literal is BooleanLiteral b ? (ScimJson.TryGetBoolean(value, out var v) && v == b.Value ? 0 : 1) : null;
            default:
                if (op is not (ComparisonOperator.Eq or ComparisonOperator.Ne))
                {
                    throw Unsupported(comparison, $"'{comparison.Path}' holds a complex value");
                }

                return null;
        }
    }

    /// <summary>xsd:dateTime (RFC 7643 §2.3.5) compared as instants; a value without an offset is taken as UTC.</summary>
    internal static bool TryParseInstant(string text, out DateTimeOffset instant) =>
        DateTimeOffset.TryParse(
            text,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces,
            out instant)
        && text.Contains('T', StringComparison.OrdinalIgnoreCase);

    /// <summary>The values a path names in a scope; arrays are flattened (any-value semantics).</summary>
    private List<JsonNode?> Values(AttributePath path, JsonNode? scope, AttributePath? parent)
    {
        var result = new List<JsonNode?>();
        if (parent is not null)
        {
            // Inside attr[...]: the path names a sub-attribute of one value; a simple value is its own "value".
            if (scope is JsonObject element)
            {
                Add(result, ScimJson.Get(element, path.Name));
            }
            else if (scope is not null && string.Equals(path.Name, "value", StringComparison.OrdinalIgnoreCase))
            {
                Add(result, scope);
            }

            return result;
        }

        if (scope is not JsonObject resource)
        {
            return result;
        }

        var node = Locate(resource, path);
        if (path.SubAttribute is null)
        {
            Add(result, node);
            return result;
        }

        if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is JsonObject obj)
                {
                    Add(result, ScimJson.Get(obj, path.SubAttribute));
                }
            }
        }
        else if (node is JsonObject complex)
        {
            Add(result, ScimJson.Get(complex, path.SubAttribute));
        }

        return result;
    }

    /// <summary>
    /// The attribute's node: under the URN object for a prefixed path (the root for the core schema); for an
    /// unprefixed name the root, then the extension objects, matching <see cref="AttributeResolver"/>'s order.
    /// </summary>
    private JsonNode? Locate(JsonObject resource, AttributePath path)
    {
        if (path.SchemaUri is not null)
        {
            if (ScimJson.Get(resource, path.SchemaUri) is JsonObject extension)
            {
                return ScimJson.Get(extension, path.Name);
            }

            return _extensions?.Contains(path.SchemaUri) == true ? null : ScimJson.Get(resource, path.Name);
        }

        if (ScimJson.TryGetProperty(resource, path.Name, out _, out var node))
        {
            return node;
        }

        foreach (var (key, value) in resource)
        {
            var isExtension = _extensions?.Contains(key) ?? key.StartsWith("urn:", StringComparison.OrdinalIgnoreCase);
            if (isExtension && value is JsonObject extension && ScimJson.TryGetProperty(extension, path.Name, out _, out var inner))
            {
                return inner;
            }
        }

        return null;
    }

    private static void Add(List<JsonNode?> result, JsonNode? node)
    {
        if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is not null)
                {
                    result.Add(item);
                }
            }
        }
        else if (node is not null)
        {
            result.Add(node);
        }
    }
}
