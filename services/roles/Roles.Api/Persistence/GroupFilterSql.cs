using System.Globalization;
using Dapper;
using Microservices.Roles.Api.Domain;
using Microservices.Roles.Api.Endpoints;
using Microservices.Scim;
using Microservices.Scim.Errors;
using Microservices.Scim.Filters;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Roles.Api.Persistence;

/// <summary>
/// Translates a SCIM filter (parsed by the shared <see cref="FilterParser"/>) over the group fields into a
/// parameterised SQL condition on <c>roles</c>; nothing is ever filtered in memory. Semantics follow the shared
/// evaluator: an absent value behaves as null (<c>externalId ne "x"</c> and <c>externalId eq null</c> are true for a
/// group without one), displayName compares case-insensitively, the rest case-exactly, dates as instants.
/// Every adaptation to the parser's AST lives in this file.
/// </summary>
public static class GroupFilterSql
{
    private enum Kind
    {
        /// <summary>Compared through the upper-cased column, the value upper-cased the same way.</summary>
        TextIgnoreCase,
        TextExact,
        Instant,
    }

    private sealed record Field(string Name, string Column, Kind Kind, bool Nullable);

    private static readonly Field[] _fields =
    [
        new("displayName", "external_id_norm", Kind.TextIgnoreCase, Nullable: false),
        new("externalId", "group_external_id", Kind.TextExact, Nullable: true),
        new("id", "id", Kind.TextExact, Nullable: false),
        new("created", "created", Kind.Instant, Nullable: false),
        new("lastModified", "last_modified", Kind.Instant, Nullable: false),
    ];

    /// <summary>The SQL condition for <paramref name="filter"/> (TRUE when there is none); values go into <paramref name="parameters"/>.</summary>
    public static string Translate(Database db, string? filter, DynamicParameters parameters)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return "TRUE";
        }

        Filter parsed;
        try
        {
            parsed = FilterParser.Parse(filter);
        }
        catch (ScimException exception)
        {
            throw ApiProblemException.InvalidFilter(exception.Detail);
        }

        return new Translator(db, parameters).Condition(parsed);
    }

    /// <summary>The ORDER BY column of a sortBy value, or a 400 naming it.</summary>
    public static (string Column, bool Nullable) SortColumn(string sortBy)
    {
        var path = ParseSortPath(sortBy);
        var field = Find(path) ?? throw ApiProblemException.InvalidValue("sortBy", $"Cannot sort by '{sortBy}'; sortable: {string.Join(", ", _fields.Select(f => f.Name))}.");
        return (field.Column, field.Nullable);
    }

    private static AttributePath ParseSortPath(string sortBy)
    {
        try
        {
            return AttributePath.Parse(sortBy);
        }
        catch (ScimException exception)
        {
            throw ApiProblemException.InvalidValue("sortBy", exception.Detail);
        }
    }

    private static Field? Find(AttributePath path)
    {
        if (path.SchemaUri is not null && !string.Equals(path.SchemaUri, ScimConstants.GroupSchema, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return path.SubAttribute is null
            ? _fields.FirstOrDefault(f => string.Equals(f.Name, path.Name, StringComparison.OrdinalIgnoreCase))
            : null;
    }

    private static bool IsMembers(AttributePath path, bool withValue) =>
        (path.SchemaUri is null || string.Equals(path.SchemaUri, ScimConstants.GroupSchema, StringComparison.OrdinalIgnoreCase))
        && string.Equals(path.Name, "members", StringComparison.OrdinalIgnoreCase)
        && (withValue
            ? string.Equals(path.SubAttribute, "value", StringComparison.OrdinalIgnoreCase)
            : path.SubAttribute is null);

    private sealed class Translator(Database db, DynamicParameters parameters)
    {
        private int _next;

        public string Condition(Filter filter) => filter switch
        {
            AndFilter and => "(" + string.Join(" AND ", and.Operands.Select(Condition)) + ")",
            OrFilter or => "(" + string.Join(" OR ", or.Operands.Select(Condition)) + ")",
            // Every leaf below is TRUE or FALSE, never NULL, so NOT is the SCIM "not" even on absent values.
            NotFilter not => "(NOT " + Condition(not.Operand) + ")",
            PresentFilter present => Present(present.Path),
            ComparisonFilter comparison => Compare(comparison),
            ValuePathFilter valuePath => ValuePath(valuePath),
            _ => throw ApiProblemException.InvalidFilter($"Unsupported filter '{filter}'."),
        };

        private string Present(AttributePath path)
        {
            if (IsMembers(path, withValue: false) || IsMembers(path, withValue: true))
            {
                return "EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = roles.tenant_id AND m.role_id = roles.id)";
            }

            var field = Find(path) ?? throw UnknownAttribute(path);
            return field.Nullable ? $"({field.Column} IS NOT NULL)" : "(1 = 1)";
        }

        private string ValuePath(ValuePathFilter filter)
        {
            // members[value eq "u1"]: the one value filter on members that is cheap, an indexed EXISTS.
            if (IsMembers(filter.Path, withValue: false)
                && filter.ValueFilter is ComparisonFilter { Operator: ComparisonOperator.Eq, Value: StringLiteral } inner
                && inner.Path.SchemaUri is null && inner.Path.SubAttribute is null
                && string.Equals(inner.Path.Name, "value", StringComparison.OrdinalIgnoreCase))
            {
                return MemberEquals((StringLiteral)inner.Value);
            }

            throw ApiProblemException.InvalidFilter($"Only members[value eq \"…\"] is supported as a value filter, not '{filter}'.");
        }

        private string Compare(ComparisonFilter comparison)
        {
            if (IsMembers(comparison.Path, withValue: true))
            {
                return comparison is { Operator: ComparisonOperator.Eq, Value: StringLiteral literal }
                    ? MemberEquals(literal)
                    : throw ApiProblemException.InvalidFilter($"Only 'members.value eq \"…\"' is supported on members, not '{comparison}'.");
            }

            var field = Find(comparison.Path) ?? throw UnknownAttribute(comparison.Path);
            var column = field.Column;
            var op = comparison.Operator;

            if (comparison.Value is NullLiteral)
            {
                // As the shared evaluator: eq null is "absent", ne null is "present", any other operator is false.
                return op switch
                {
                    ComparisonOperator.Eq => field.Nullable ? $"({column} IS NULL)" : "(1 = 0)",
                    ComparisonOperator.Ne => field.Nullable ? $"({column} IS NOT NULL)" : "(1 = 1)",
                    _ => "(1 = 0)",
                };
            }

            if (comparison.Value is not StringLiteral text)
            {
                throw ApiProblemException.InvalidFilter($"'{field.Name}' is {(field.Kind == Kind.Instant ? "a dateTime" : "a string")}; compare it with a quoted string, not {comparison.Value}.");
            }

            var condition = field.Kind == Kind.Instant
                ? CompareInstant(field, op, text.Value)
                : CompareText(column, op, field.Kind == Kind.TextIgnoreCase ? Input.Normalise(text.Value) : text.Value);

            if (!field.Nullable)
            {
                return condition;
            }

            return op == ComparisonOperator.Ne ? $"({column} IS NULL OR {condition})" : $"({column} IS NOT NULL AND {condition})";
        }

        private string CompareText(string column, ComparisonOperator op, string value)
        {
            var p = Add(value);
            return op switch
            {
                ComparisonOperator.Eq => $"({column} = {p})",
                ComparisonOperator.Ne => $"({column} <> {p})",
                // No LIKE: SQLite's LIKE ignores ASCII case and both need wildcard escaping; position tests are exact.
                ComparisonOperator.Co => db.IsPostgres ? $"(strpos({column}, {p}) > 0)" : $"(instr({column}, {p}) > 0)",
                ComparisonOperator.Sw => $"(substr({column}, 1, length({p})) = {p})",
                ComparisonOperator.Ew => $"(length({column}) >= length({p}) AND substr({column}, length({column}) - length({p}) + 1) = {p})",
                ComparisonOperator.Gt => $"({column} > {p})",
                ComparisonOperator.Ge => $"({column} >= {p})",
                ComparisonOperator.Lt => $"({column} < {p})",
                ComparisonOperator.Le => $"({column} <= {p})",
                _ => throw ApiProblemException.InvalidFilter($"Unsupported operator {op}."),
            };
        }

        private string CompareInstant(Field field, ComparisonOperator op, string value)
        {
            // xsd:dateTime (RFC 7643 §2.3.5); a value without an offset is UTC, as in the shared evaluator.
            if (!value.Contains('T', StringComparison.OrdinalIgnoreCase)
                || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var instant))
            {
                throw ApiProblemException.InvalidFilter($"'{field.Name}' is a dateTime; '{value}' is not one (e.g. 2025-01-31T12:00:00Z).");
            }

            var p = Add(Clock.ToMicros(instant));
            return op switch
            {
                ComparisonOperator.Eq => $"({field.Column} = {p})",
                ComparisonOperator.Ne => $"({field.Column} <> {p})",
                ComparisonOperator.Gt => $"({field.Column} > {p})",
                ComparisonOperator.Ge => $"({field.Column} >= {p})",
                ComparisonOperator.Lt => $"({field.Column} < {p})",
                ComparisonOperator.Le => $"({field.Column} <= {p})",
                _ => throw ApiProblemException.InvalidFilter($"'{field.Name}' is a dateTime; co, sw and ew do not apply."),
            };
        }

        private string MemberEquals(StringLiteral literal) =>
            $"EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = roles.tenant_id AND m.role_id = roles.id AND m.user_id = {Add(literal.Value)})";

        private string Add(object value)
        {
            if (value is string text && !Input.IsClean(text))
            {
                throw ApiProblemException.InvalidFilter("A filter value contains control characters or invalid UTF-16.");
            }

            var name = "f" + _next++.ToString(CultureInfo.InvariantCulture);
            parameters.Add(name, value);
            return "@" + name;
        }

        private static ApiProblemException UnknownAttribute(AttributePath path) =>
            ApiProblemException.InvalidFilter($"Unknown attribute '{path}' in filter; groups filter on {string.Join(", ", _fields.Select(f => f.Name))} and members.value.");
    }
}
