using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microservices.Scim.Errors;
using Microservices.Scim.Filters;
using Microservices.Scim.Patch;

namespace Microservices.Scim.Protocol.Tests.Filters;

public sealed class FilterPropertyTests
{
    [Property(Arbitrary = [typeof(FilterArbitraries)], MaxTest = 500)]
    public bool ParseOfPrint_RandomTree_GivesTheSameTree(Filter filter) =>
        FilterParser.Parse(filter.ToString()).Equals(filter);

    [Property(Arbitrary = [typeof(FilterArbitraries)], MaxTest = 300)]
    public bool Print_RandomTree_IsAFixedPoint(Filter filter)
    {
        var text = filter.ToString();
        return FilterParser.Parse(text).ToString() == text;
    }

    [Property(Arbitrary = [typeof(FilterArbitraries)], MaxTest = 300)]
    public bool PatchPathParseOfPrint_RandomPath_GivesTheSamePath(PatchPath path) =>
        PatchPath.Parse(path.ToString()).Equals(path);

    [Property(MaxTest = 1000)]
    public bool Parse_ArbitraryText_ParsesOrThrowsInvalidFilter(string text) =>
        ParsesOrRejects(text ?? string.Empty);

    [Property(Arbitrary = [typeof(FilterArbitraries)], MaxTest = 1000)]
    public bool Parse_MutatedValidFilter_ParsesOrThrowsInvalidFilter(Filter filter, int position, char inserted, bool delete)
    {
        var text = filter.ToString();
        var at = (int)((uint)position % (uint)(text.Length + 1));
        var mutated = delete && at < text.Length ? text.Remove(at, 1) : text.Insert(at, inserted.ToString());
        return ParsesOrRejects(mutated);
    }

    private static bool ParsesOrRejects(string text)
    {
        try
        {
            FilterParser.Parse(text);
            return true;
        }
        catch (ScimException e)
        {
            return e.ScimType == ScimErrorType.InvalidFilter && e.Status == 400;
        }
    }
}

public static class FilterArbitraries
{
    public static Arbitrary<Filter> Filters() => Arb.From(FilterGenerators.Filter);

    public static Arbitrary<PatchPath> PatchPaths() => Arb.From(FilterGenerators.PatchPath);
}

internal static class FilterGenerators
{
    private const string NameStarts = "abcdefxyzABCXYZ";
    private const string NameChars = "abcdefxyzABCXYZ0123456789_-";

    private static readonly Gen<string> _generatedName =
        from first in Gen.Elements(NameStarts.ToCharArray())
        from rest in Gen.ArrayOf(Gen.Elements(NameChars.ToCharArray()))
        select first + new string(rest.Take(10).ToArray());

    // Keywords are legal attribute names; the parser must tell them apart by position.
    private static readonly Gen<string> _name = Gen.Frequency(
        (6, _generatedName),
        (1, Gen.Elements("not", "and", "or", "pr", "eq", "true", "null", "$ref", "userName", "NOT", "And")));

    private static readonly Gen<string?> _schema = Gen.Frequency(
        (4, Gen.Constant<string?>(null)),
        (1, Gen.Elements<string?>(
            ScimConstants.EnterpriseUserSchema,
            ScimConstants.UserSchema,
            "urn:a.b-c:x1",
            "urn:ietf:params:scim:schemas:extension:assure:2.0:User")));

    private static readonly Gen<AttributePath> _outerPath =
        from schema in _schema
        from name in _name
        from sub in Gen.Frequency((3, Gen.Constant<string?>(null)), (1, _name.Select(s => (string?)s)))
        select new AttributePath(schema, name, sub);

    private static readonly Gen<AttributePath> _valuePathAttribute =
        from schema in _schema
        from name in _name
        select new AttributePath(schema, name, null);

    private static readonly Gen<AttributePath> _innerPath = _name.Select(n => new AttributePath(null, n, null));

    private static readonly Gen<string> _stringPiece = Gen.Frequency(
        (8, Gen.Choose(0x20, 0x7E).Select(c => ((char)c).ToString())),
        (2, Gen.Elements("\"", "\\", "/", "\\u", "\\\"")),
        (2, Gen.Choose(0x00, 0x1F).Select(c => ((char)c).ToString())),
        (2, Gen.Choose(0xA0, 0xD7FF).Select(char.ConvertFromUtf32)),
        (1, Gen.Choose(0xE000, 0xFFFD).Select(char.ConvertFromUtf32)),
        (1, Gen.Choose(0x10000, 0x10FFFF).Select(char.ConvertFromUtf32)));

    private static readonly Gen<string> _text = Gen.ArrayOf(_stringPiece).Select(string.Concat);

    private static readonly Gen<string> _digits = Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 9), n))
        .Select(d => string.Concat(d));

    private static readonly Gen<string> _number =
        from negative in Gen.Elements(false, true)
        from integer in Gen.Frequency((1, Gen.Constant("0")), (4, _digits.Select(d => d.TrimStart('0') is { Length: > 0 } t ? t : "1")))
        from fraction in Gen.Frequency((2, Gen.Constant(string.Empty)), (1, _digits.Select(d => "." + d)))
        from exponent in Gen.Frequency(
            (3, Gen.Constant(string.Empty)),
            (1, from e in Gen.Elements("e", "E", "e+", "E-", "e-") from d in _digits select e + d))
        select (negative ? "-" : string.Empty) + integer + fraction + exponent;

    private static readonly Gen<FilterLiteral> _literal = Gen.Frequency(
        (5, _text.Select(s => (FilterLiteral)new StringLiteral(s))),
        (2, _number.Select(n => (FilterLiteral)new NumberLiteral(n))),
        (1, Gen.Elements<FilterLiteral>(BooleanLiteral.True, BooleanLiteral.False, NullLiteral.Instance)));

    private static readonly Gen<ComparisonOperator> _operator = Gen.Elements(Enum.GetValues<ComparisonOperator>());

    public static Gen<Filter> Filter { get; } = Gen.Sized(size => Node(Math.Min(size, 40), inValue: false));

    public static Gen<PatchPath> PatchPath { get; } =
        from attribute in _valuePathAttribute
        from filter in Gen.Frequency((1, Gen.Constant<Filter?>(null)), (3, Gen.Sized(size => Node(Math.Min(size, 30), inValue: true)).Select(f => (Filter?)f)))
        from sub in Gen.Frequency((1, Gen.Constant<string?>(null)), (1, _name.Select(n => (string?)n)))
        select new PatchPath(attribute with { SubAttribute = sub }, filter);

    private static Gen<Filter> Leaf(bool inValue)
    {
        var path = inValue ? _innerPath : _outerPath;
        return Gen.Frequency(
            (4, from p in path from op in _operator from value in _literal select (Filter)new ComparisonFilter(p, op, value)),
            (1, path.Select(p => (Filter)new PresentFilter(p))));
    }

    private static Gen<Filter> Node(int size, bool inValue)
    {
        if (size <= 1)
        {
            return Leaf(inValue);
        }

        var child = Node(size / 3, inValue);
        var options = new List<(int, Gen<Filter>)>
        {
            (3, Leaf(inValue)),
            (1, Node(size / 2, inValue).Select(f => (Filter)new NotFilter(f))),
            (1, Gen.Choose(2, 4).SelectMany(n => Gen.ArrayOf(child, n)).Select(a => (Filter)new AndFilter(a))),
            (1, Gen.Choose(2, 4).SelectMany(n => Gen.ArrayOf(child, n)).Select(a => (Filter)new OrFilter(a))),
        };

        if (!inValue)
        {
            options.Add((1, from p in _valuePathAttribute from inner in Node(size / 2, inValue: true) select (Filter)new ValuePathFilter(p, inner)));
        }

        return Gen.Frequency(options);
    }
}
