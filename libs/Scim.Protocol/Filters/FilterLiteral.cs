using System.Globalization;

namespace Microservices.Scim.Filters;

/// <summary>
/// A <c>compValue</c> of RFC 7644 §3.4.2.2: a JSON string, number, <c>true</c>, <c>false</c> or <c>null</c>.
/// Dates are strings; what a comparison means comes from the attribute's type, not from the literal.
/// </summary>
public abstract record FilterLiteral
{
    public sealed override string ToString() => FilterPrinter.PrintLiteral(this);
}

/// <summary>A JSON string literal, unescaped. It must be well-formed UTF-16 (no lone surrogates).</summary>
public sealed record StringLiteral(string Value) : FilterLiteral;

/// <summary>
/// A JSON number, kept as written (<c>42</c>, <c>-1.5e3</c>) so that printing gives back the same text and values
/// beyond <see cref="decimal"/> range are not lost before an attribute type says how to compare them.
/// </summary>
public sealed record NumberLiteral(string Text) : FilterLiteral
{
    public bool TryGetDecimal(out decimal value) =>
        decimal.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    public double ToDouble() => double.Parse(Text, NumberStyles.Float, CultureInfo.InvariantCulture);
}

public sealed record BooleanLiteral(bool Value) : FilterLiteral
{
    public static BooleanLiteral True { get; } = new(true);

    public static BooleanLiteral False { get; } = new(false);
}

public sealed record NullLiteral : FilterLiteral
{
    public static NullLiteral Instance { get; } = new();
}
