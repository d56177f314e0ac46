namespace Microservices.Scim.Filters;

/// <summary>
/// An attribute path of RFC 7644 §3.4.2.2 (<c>attrPath = [URI ":"] ATTRNAME *1subAttr</c>), e.g.
/// <c>userName</c>, <c>name.givenName</c>, or
/// <c>urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value</c>.
/// Names are kept as written; SCIM compares them case-insensitively (see <see cref="Matches"/>).
/// </summary>
public sealed record AttributePath(string? SchemaUri, string Name, string? SubAttribute = null)
{
    /// <summary>The same path without its sub-attribute.</summary>
    public AttributePath Parent => SubAttribute is null ? this : this with { SubAttribute = null };

    /// <summary>Compares two paths as SCIM does: names and schema URNs case-insensitively.</summary>
    public bool Matches(AttributePath other) =>
        string.Equals(SchemaUri, other.SchemaUri, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase)
        && string.Equals(SubAttribute, other.SubAttribute, StringComparison.OrdinalIgnoreCase);

    public override string ToString()
    {
        var text = SchemaUri is null ? Name : string.Concat(SchemaUri, ":", Name);
        return SubAttribute is null ? text : string.Concat(text, ".", SubAttribute);
    }

    /// <summary>Parses a bare attribute path (as in <c>sortBy</c>, <c>attributes</c>); errors are <c>invalidPath</c>.</summary>
    public static AttributePath Parse(string text) => FilterParser.ParseAttributePath(text);
}

/// <summary>The comparison operators of RFC 7644 §3.4.2.2, table 3.</summary>
public enum ComparisonOperator
{
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

/// <summary>
/// A parsed SCIM filter. Records compare structurally (child lists by value), and <see cref="ToString"/> prints the
/// canonical text, so that <c>FilterParser.Parse(f.ToString()) == f</c>.
/// </summary>
public abstract record Filter
{
    public sealed override string ToString() => FilterPrinter.Print(this);
}

/// <summary><c>attrPath compareOp compValue</c>.</summary>
public sealed record ComparisonFilter(AttributePath Path, ComparisonOperator Operator, FilterLiteral Value) : Filter;

/// <summary><c>attrPath pr</c>.</summary>
public sealed record PresentFilter(AttributePath Path) : Filter;

/// <summary><c>not (filter)</c>.</summary>
public sealed record NotFilter(Filter Operand) : Filter;

/// <summary>
/// <c>attrPath[valFilter]</c>: matches when some value of the multi-valued <see cref="Path"/> satisfies
/// <see cref="ValueFilter"/>, whose attribute paths name sub-attributes of <see cref="Path"/>.
/// </summary>
public sealed record ValuePathFilter(AttributePath Path, Filter ValueFilter) : Filter;

/// <summary>
/// A chain of <c>and</c>: <c>a and b and c</c> is one node with three operands. A parenthesised chain stays a nested
/// node, so the tree's depth is bounded by the parser's nesting limit rather than by the filter's length.
/// </summary>
public sealed record AndFilter : Filter
{
    public AndFilter(IEnumerable<Filter> operands) => Operands = LogicalOperands.Validate(operands, "and");

    public AndFilter(params Filter[] operands)
        : this((IEnumerable<Filter>)operands)
    {
    }

    public IReadOnlyList<Filter> Operands { get; }

    public bool Equals(AndFilter? other) => other is not null && LogicalOperands.SequenceEqual(Operands, other.Operands);

    public override int GetHashCode() => LogicalOperands.Hash(Operands, 17);
}

/// <summary>A chain of <c>or</c>; see <see cref="AndFilter"/>.</summary>
public sealed record OrFilter : Filter
{
    public OrFilter(IEnumerable<Filter> operands) => Operands = LogicalOperands.Validate(operands, "or");

    public OrFilter(params Filter[] operands)
        : this((IEnumerable<Filter>)operands)
    {
    }

    public IReadOnlyList<Filter> Operands { get; }

    public bool Equals(OrFilter? other) => other is not null && LogicalOperands.SequenceEqual(Operands, other.Operands);

    public override int GetHashCode() => LogicalOperands.Hash(Operands, 31);
}

internal static class LogicalOperands
{
    public static Filter[] Validate(IEnumerable<Filter> operands, string word)
    {
        ArgumentNullException.ThrowIfNull(operands);
        var array = operands.ToArray();
        if (array.Length < 2)
        {
            throw new ArgumentException($"'{word}' needs at least two operands.", nameof(operands));
        }

        foreach (var operand in array)
        {
            ArgumentNullException.ThrowIfNull(operand, nameof(operands));
        }

        return array;
    }

    public static bool SequenceEqual(IReadOnlyList<Filter> left, IReadOnlyList<Filter> right)
    {
        if (left.Count != right.Count)
        {
            return false;
        }

        for (var i = 0; i < left.Count; i++)
        {
            if (!left[i].Equals(right[i]))
            {
                return false;
            }
        }

        return true;
    }

    public static int Hash(IReadOnlyList<Filter> operands, int seed)
    {
        var hash = new HashCode();
        hash.Add(seed);
        foreach (var operand in operands)
        {
            hash.Add(operand);
        }

        return hash.ToHashCode();
    }
}
