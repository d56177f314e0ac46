using System.Globalization;
using System.Text;
using Microservices.Scim.Errors;
using Microservices.Scim.Filters;
using Microservices.Users.Api.Domain;

namespace Microservices.Users.Api.Persistence;

/// <summary>A filter as SQL: a WHERE fragment over users u (and org_units ou when <see cref="UsesUnit"/>) and its parameters.</summary>
public sealed record FilterSql(string Where, IReadOnlyList<KeyValuePair<string, object>> Parameters, bool UsesUnit);

/// <summary>
/// Translates the shared parser's AST (libs/Scim.Protocol/Filters) into parameterised SQL over the domain fields of
/// <see cref="UserAttributes"/>, so every filter runs in the database and never over users loaded into memory. This
/// file is the only place that knows the AST's shape.
/// </summary>
public static class UserFilterSql
{
    private const string EmailScope = "e";

    public static FilterSql Translate(string filter, SqlDialect dialect)
    {
        Filter ast;
        try
        {
            ast = FilterParser.Parse(filter);
        }
        catch (ScimException exception)
        {
            throw ProblemException.InvalidFilter("filter", exception.Detail);
        }

        var translator = new Translator(dialect);
        var where = translator.Node(ast, scope: null);
        return new FilterSql(where, translator.Parameters, translator.UsesUnit);
    }

    private sealed class Translator(SqlDialect dialect)
    {
        public List<KeyValuePair<string, object>> Parameters { get; } = [];

        public bool UsesUnit { get; private set; }

        // scope: null at the top level, EmailScope inside emails[…].
        public string Node(Filter filter, string? scope) => filter switch
        {
            AndFilter and => "(" + string.Join(" AND ", and.Operands.Select(o => Node(o, scope))) + ")",
            OrFilter or => "(" + string.Join(" OR ", or.Operands.Select(o => Node(o, scope))) + ")",

            // SQL's third truth value would make `not (title eq "x")` drop users without a title; SCIM means "does not
            // match", so an unknown operand counts as false before it is negated.
            NotFilter not => $"(NOT COALESCE({Node(not.Operand, scope)}, {dialect.False}))",
            ValuePathFilter valuePath => ValuePath(valuePath, scope),
            ComparisonFilter comparison => Leaf(comparison.Path, scope, a => Compare(a, comparison.Operator, comparison.Value, comparison.Path)),
            PresentFilter present => Leaf(present.Path, scope, Present),
            _ => throw ProblemException.InvalidFilter("filter", $"unsupported filter expression {filter}"),
        };

        private string ValuePath(ValuePathFilter valuePath, string? scope)
        {
            var path = valuePath.Path;
            if (scope is not null || path.SchemaUri is not null || path.SubAttribute is not null || !path.Name.Equals(UserAttributes.Emails, StringComparison.OrdinalIgnoreCase))
            {
                throw ProblemException.InvalidFilter(path.ToString(), $"'{path}[…]' is not a filterable multi-valued field; only emails[…] is");
            }

            return Exists(Node(valuePath.ValueFilter, EmailScope));
        }

        private string Leaf(AttributePath path, string? scope, Func<UserAttribute, string> condition)
        {
            if (path.SchemaUri is not null)
            {
                throw Unknown(path);
            }

            if (scope == EmailScope)
            {
                // Inside emails[…] every name is a sub-attribute of emails (the parser refuses dotted names there).
                return path.SubAttribute is null
                    ? condition(UserAttributes.FindEmail(path.Name) ?? throw Unknown(path))
                    : throw Unknown(path);
            }

            if (path.Name.Equals(UserAttributes.Emails, StringComparison.OrdinalIgnoreCase))
            {
                // RFC 7644 §3.4.2.2: a filter on a multi-valued attribute matches when any of its values matches.
                return Exists(condition(UserAttributes.FindEmail(path.SubAttribute) ?? throw Unknown(path)));
            }

            if (path.SubAttribute is not null)
            {
                throw Unknown(path);
            }

            var attribute = UserAttributes.Find(path.Name) ?? throw Unknown(path);
            if (attribute.Name == "department")
            {
                UsesUnit = true;
            }

            return condition(attribute);
        }

        private static string Exists(string condition) =>
            $"EXISTS (SELECT 1 FROM user_emails e WHERE e.tenant_id = u.tenant_id AND e.user_id = u.id AND {condition})";

        private static string Present(UserAttribute attribute) =>
            attribute.Nullable ? $"({attribute.Column} IS NOT NULL)" : "(1 = 1)";

        private string Compare(UserAttribute attribute, ComparisonOperator op, FilterLiteral literal, AttributePath path)
        {
            if (literal is NullLiteral)
            {
                // `eq null` / `ne null` are absence tests; ordering or matching against null means nothing.
                return op switch
                {
                    ComparisonOperator.Eq => attribute.Nullable ? $"({attribute.Column} IS NULL)" : "(1 = 0)",
                    ComparisonOperator.Ne => attribute.Nullable ? $"({attribute.Column} IS NOT NULL)" : "(1 = 1)",
                    _ => throw Invalid(path, $"operator '{Op(op)}' cannot compare '{path}' with null"),
                };
            }

            return attribute.Kind switch
            {
                UserAttributeKind.Boolean => CompareBoolean(attribute, op, literal, path),
                UserAttributeKind.DateTime => CompareDateTime(attribute, op, literal, path),
                _ => CompareString(attribute, op, literal, path),
            };
        }

        private string CompareBoolean(UserAttribute attribute, ComparisonOperator op, FilterLiteral literal, AttributePath path)
        {
            if (literal is not BooleanLiteral boolean)
            {
                throw Invalid(path, $"'{path}' is a boolean: compare it with true or false");
            }

            // RFC 7644 §3.4.2.2: gt/ge/lt/le and the substring operators on booleans are an invalidFilter.
            return op switch
            {
                ComparisonOperator.Eq => $"({attribute.Column} = {Parameter(boolean.Value)})",
                ComparisonOperator.Ne => $"({attribute.Column} <> {Parameter(boolean.Value)})",
                _ => throw Invalid(path, $"operator '{Op(op)}' is not defined for the boolean '{path}'"),
            };
        }

        private string CompareDateTime(UserAttribute attribute, ComparisonOperator op, FilterLiteral literal, AttributePath path)
        {
            if (literal is not StringLiteral text
                || !DateTimeOffset.TryParse(text.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
            {
                throw Invalid(path, $"'{path}' is a dateTime: compare it with an xsd:dateTime string such as \"2024-01-31T12:00:00Z\"");
            }

            // Stored as microseconds, so the literal is compared as the same instant rather than as text.
            return $"({attribute.Column} {Ordering(op, path, "dateTime")} {Parameter(UnixMicros.From(instant))})";
        }

        private string CompareString(UserAttribute attribute, ComparisonOperator op, FilterLiteral literal, AttributePath path)
        {
            if (literal is not StringLiteral text)
            {
                throw Invalid(path, $"'{path}' is a string: compare it with a string value");
            }

            var value = attribute.CaseExact ? text.Value : UserData.Normalize(text.Value);
            var compared = attribute.Compared(dialect);
            switch (op)
            {
                case ComparisonOperator.Eq:
                    return $"({compared} = {Parameter(value)})";
                case ComparisonOperator.Ne:
                    return attribute.Nullable
                        ? $"({attribute.Column} IS NULL OR {compared} <> {Parameter(value)})"
                        : $"({compared} <> {Parameter(value)})";
                case ComparisonOperator.Co or ComparisonOperator.Sw or ComparisonOperator.Ew:
                    var prefix = op == ComparisonOperator.Sw ? "" : "%";
                    var suffix = op == ComparisonOperator.Ew ? "" : "%";
                    if (attribute.CaseExact && !dialect.IsPostgres)
                    {
                        // SQLite's LIKE ignores ASCII case; GLOB is its case-sensitive matcher.
                        return $"({compared} GLOB {Parameter(prefix.Replace('%', '*') + EscapeGlob(value) + suffix.Replace('%', '*'))})";
                    }

                    return $"({compared} LIKE {Parameter(prefix + EscapeLike(value) + suffix)} ESCAPE '\\')";
                default:
                    return $"({compared} {Ordering(op, path, "string")} {Parameter(value)})";
            }
        }

        private static string Ordering(ComparisonOperator op, AttributePath path, string kind) => op switch
        {
            ComparisonOperator.Eq => "=",
            ComparisonOperator.Ne => "<>",
            ComparisonOperator.Gt => ">",
            ComparisonOperator.Ge => ">=",
            ComparisonOperator.Lt => "<",
            ComparisonOperator.Le => "<=",
            _ => throw Invalid(path, $"operator '{Op(op)}' is not defined for the {kind} '{path}'"),
        };

        private static string EscapeLike(string value)
        {
            var builder = new StringBuilder(value.Length + 8);
            foreach (var c in value)
            {
                if (c is '\\' or '%' or '_')
                {
                    builder.Append('\\');
                }

                builder.Append(c);
            }

            return builder.ToString();
        }

        private static string EscapeGlob(string value)
        {
            var builder = new StringBuilder(value.Length + 8);
            foreach (var c in value)
            {
                builder.Append(c switch
                {
                    '*' => "[*]",
                    '?' => "[?]",
                    '[' => "[[]",
                    _ => c.ToString(),
                });
            }

            return builder.ToString();
        }

        private string Parameter(object value)
        {
            // No stored value holds a NUL or a lone surrogate (UserData refuses them), and PostgreSQL cannot even be
            // asked about one: the filter is the caller's error, as it is for groups.
            if (value is string text && !UserData.IsStorable(text))
            {
                throw ProblemException.InvalidFilter("filter", "a filter value contains a NUL character or an unpaired surrogate");
            }

            var name = string.Create(CultureInfo.InvariantCulture, $"f{Parameters.Count}");
            Parameters.Add(new(name, value));
            return "@" + name;
        }

        private static ProblemException Unknown(AttributePath path) =>
            ProblemException.InvalidFilter(path.ToString(), $"unknown attribute '{path}' in filter");

        private static ProblemException Invalid(AttributePath path, string detail) => ProblemException.InvalidFilter(path.ToString(), detail);

        private static string Op(ComparisonOperator op) => FilterPrinter.OperatorText(op);
    }
}
