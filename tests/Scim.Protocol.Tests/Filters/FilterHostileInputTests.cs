using Microservices.Scim.Errors;
using Microservices.Scim.Filters;

namespace Microservices.Scim.Protocol.Tests.Filters;

/// <summary>Input an attacker or a broken client could send: every one must be a clean invalidFilter.</summary>
public sealed class FilterHostileInputTests
{
    private static readonly FilterParserOptions _generous = new(MaxLength: 2_000_000, MaxDepth: 32);

    private const string Alphabet = "()[]\"\\ .:$-aeqorndt0192\0\uD800\uDC00é";

    private static readonly Dictionary<string, string> _inputs = BuildInputs();

    public static TheoryData<string> Corpus() => new(_inputs.Keys);

    private static Dictionary<string, string> BuildInputs()
    {
        var data = new Dictionary<string, string>
        {
            { "deep parentheses", new string('(', 100_000) + "a pr" + new string(')', 100_000) },
            { "deep opening only", new string('(', 1_000_000) },
            { "deep nots", string.Concat(Enumerable.Repeat("not (", 50_000)) + "a pr" },
            { "deep brackets", string.Concat(Enumerable.Repeat("a[", 50_000)) },
            { "closing only", new string(')', 100_000) },
            { "1 MB unterminated string", "userName eq \"" + new string('x', 1_000_000) },
            { "1 MB of backslashes", "userName eq \"" + new string('\\', 1_000_001) + "\"" },
            { "1 MB attribute name", new string('a', 1_000_000) },
            { "1 MB number", "a eq " + new string('9', 1_000_000) + "x" },
            { "bad escape", "userName eq \"\\q\"" },
            { "truncated unicode escape", "userName eq \"\\u00\"" },
            { "non-hex unicode escape", "userName eq \"\\uZZZZ\"" },
            { "escape at end", "userName eq \"\\" },
            { "lone high surrogate escape", "userName eq \"\\uD800\"" },
            { "high surrogate then non-low", "userName eq \"\\uD800\\u0041\"" },
            { "lone low surrogate raw", "userName eq \"\uDC00\"" },
            { "lone high surrogate raw at end", "userName eq \"\uD800" },
            { "unknown operator", "userName like \"x\"" },
            { "sql injection operator", "userName = 'x' OR 1=1 --" },
            { "eq without value", "userName eq" },
            { "eq with bracket value", "userName eq ]" },
            { "NUL at start", "\0" },
            { "NUL inside name", "user\0Name eq \"x\"" },
            { "NUL inside string", "userName eq \"\0\"" },
            { "fullwidth operator", "userName ｅｑ \"x\"" },
            { "dotless i keyword", "title pr or\u0131 userName pr" },
            { "long s operator", "userName \u017Fw \"x\"" },
            { "kelvin sign in and", "title pr \u212Aand nickName pr" },
            { "zero-width space", "userName\u200Beq \"x\"" },
            { "non-breaking space", "userName\u00A0eq \"x\"" },
            { "right-to-left override", "userName eq \u202E\"x\"" },
            { "emoji name", "\U0001F600 eq \"x\"" },
            { "single quotes", "userName eq 'x'" },
            { "trailing garbage", "userName eq \"x\" garbage" },
            { "trailing and", "userName eq \"x\" and" },
            { "double operator", "userName eq eq \"x\"" },
            { "unbalanced bracket", "emails[type eq \"work\"" },
            { "stray bracket", "emails]type eq \"work\"[" },
            { "empty brackets", "emails[]" },
            { "empty parentheses", "()" },
            { "not without parentheses", "not title pr" },
            { "not alone", "not" },
            { "bare value", "\"x\"" },
            { "number exponent without digits", "a eq 1e" },
            { "plus sign number", "a eq +1" },
            { "leading-dot number", "a eq .5" },
            { "hex number", "a eq 0x1F" },
            { "NaN", "a eq NaN" },
            { "infinity", "a eq Infinity" },
            { "url-encoded", "userName%20eq%20%22x%22" },
            { "schema only", "urn:ietf:params:scim:schemas:core:2.0:User: pr" },
            { "empty schema", ":userName pr" },
            { "three path levels", "a.b.c pr" },
            { "nested value path", "emails[x[y pr]]" },
            { "sub after value path", "emails[type pr].value pr" },
            { "dollar only", "$ eq \"x\"" },
            { "whitespace only", " \t\r\n" },
            { "empty", string.Empty },
            { "only and", "and" },
            { "only or or", "or or" },
            { "comparison then paren", "a eq \"x\"(" },
        };

        var random = new Random(20260504);
        for (var i = 0; i < 40; i++)
        {
            var chars = new char[random.Next(1, 60)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = Alphabet[random.Next(0, Alphabet.Length)];
            }

            data.Add("random " + i, new string(chars));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Parse_HostileInput_ThrowsInvalidFilterAndNothingElse(string label)
    {
        var filter = _inputs[label];
        try
        {
            var parsed = FilterParser.Parse(filter, _generous);

            // A few random inputs may be valid filters; then they must print back to something that re-parses.
            Assert.Equal(parsed, FilterParser.Parse(parsed.ToString(), _generous));
            Assert.StartsWith("random", label, StringComparison.Ordinal);
        }
        catch (ScimException e)
        {
            Assert.Equal(ScimErrorType.InvalidFilter, e.ScimType);
            Assert.Equal(400, e.Status);
            Assert.True(e.Detail.Length < 400, "the error echoes at most a short excerpt of the input");
        }
    }

    [Fact]
    public void Parse_OversizeInputWithDefaultOptions_IsRejectedByLengthBeforeParsing()
    {
        var error = Assert.Throws<ScimException>(() => FilterParser.Parse(new string('(', 1_000_000)));

        Assert.Contains("(MaxLength)", error.Detail, StringComparison.Ordinal);
    }
}
