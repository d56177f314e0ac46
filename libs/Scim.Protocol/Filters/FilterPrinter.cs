using System.Globalization;
using System.Text;

namespace Microservices.Scim.Filters;

/// <summary>
/// Prints filters canonically: operators and logical words lower-case, attribute names as written, one space between
/// tokens, parentheses only where the tree needs them (an <c>or</c> inside an <c>and</c>, or a chain nested in a chain
/// of the same word, which the parser would otherwise flatten).
/// </summary>
public static class FilterPrinter
{
    public static string Print(Filter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var builder = new StringBuilder();
        Write(builder, filter);
        return builder.ToString();
    }

    public static string PrintLiteral(FilterLiteral literal)
    {
        ArgumentNullException.ThrowIfNull(literal);
        var builder = new StringBuilder();
        WriteLiteral(builder, literal);
        return builder.ToString();
    }

    public static string OperatorText(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Eq => "eq",
        ComparisonOperator.Ne => "ne",
        ComparisonOperator.Co => "co",
        ComparisonOperator.Sw => "sw",
        ComparisonOperator.Ew => "ew",
        ComparisonOperator.Gt => "gt",
        ComparisonOperator.Ge => "ge",
        ComparisonOperator.Lt => "lt",
        ComparisonOperator.Le => "le",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    internal static void Write(StringBuilder builder, Filter filter)
    {
        switch (filter)
        {
            case ComparisonFilter comparison:
                builder.Append(comparison.Path.ToString()).Append(' ').Append(OperatorText(comparison.Operator)).Append(' ');
                WriteLiteral(builder, comparison.Value);
                break;
            case PresentFilter present:
                builder.Append(present.Path.ToString()).Append(" pr");
                break;
            case NotFilter not:
                builder.Append("not (");
                Write(builder, not.Operand);
                builder.Append(')');
                break;
            case ValuePathFilter valuePath:
                builder.Append(valuePath.Path.ToString()).Append('[');
                Write(builder, valuePath.ValueFilter);
                builder.Append(']');
                break;
            case AndFilter and:
                WriteChain(builder, and.Operands, " and ", static f => f is AndFilter or OrFilter);
                break;
            case OrFilter or:
                WriteChain(builder, or.Operands, " or ", static f => f is OrFilter);
                break;
            default:
                throw new ArgumentException($"Unknown filter node {filter.GetType().Name}.", nameof(filter));
        }
    }

    private static void WriteChain(StringBuilder builder, IReadOnlyList<Filter> operands, string word, Func<Filter, bool> needsParentheses)
    {
        for (var i = 0; i < operands.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(word);
            }

            var operand = operands[i];
            if (needsParentheses(operand))
            {
                builder.Append('(');
                Write(builder, operand);
                builder.Append(')');
            }
            else
            {
                Write(builder, operand);
            }
        }
    }

    internal static void WriteLiteral(StringBuilder builder, FilterLiteral literal)
    {
        switch (literal)
        {
            case StringLiteral s:
                WriteJsonString(builder, s.Value);
                break;
            case NumberLiteral n:
                builder.Append(n.Text);
                break;
            case BooleanLiteral b:
                builder.Append(b.Value ? "true" : "false");
                break;
            case NullLiteral:
                builder.Append("null");
                break;
            default:
                throw new ArgumentException($"Unknown literal {literal.GetType().Name}.", nameof(literal));
        }
    }

    internal static void WriteJsonString(StringBuilder builder, string value)
    {
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (c < ' ' || (char.IsSurrogate(c) && !IsPairAt(value, i)))
                    {
                        // A lone surrogate is printed escaped; the parser rejects it, as JSON parsers do.
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsHighSurrogate(c))
                    {
                        builder.Append(c).Append(value[i + 1]);
                        i++;
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    private static bool IsPairAt(string value, int i) =>
        char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
}
