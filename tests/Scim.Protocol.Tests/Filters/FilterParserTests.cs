using Microservices.Scim.Errors;
using Microservices.Scim.Filters;

namespace Microservices.Scim.Protocol.Tests.Filters;

public sealed class FilterParserTests
{
    private const string Enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    private static AttributePath P(string name, string? sub = null, string? schema = null) => new(schema, name, sub);

    private static StringLiteral S(string value) => new(value);

    // Every filter example of RFC 7644 §3.4.2.2, with its canonical print.
    [Theory]
    [InlineData("userName eq \"bjensen\"", "userName eq \"bjensen\"")]
    [InlineData("name.familyName co \"O'Malley\"", "name.familyName co \"O'Malley\"")]
    [InlineData("userName sw \"J\"", "userName sw \"J\"")]
    [InlineData("urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"J\"", "urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"J\"")]
    [InlineData("title pr", "title pr")]
    [InlineData("meta.lastModified gt \"2011-05-13T04:42:34Z\"", "meta.lastModified gt \"2011-05-13T04:42:34Z\"")]
    [InlineData("meta.lastModified ge \"2011-05-13T04:42:34Z\"", "meta.lastModified ge \"2011-05-13T04:42:34Z\"")]
    [InlineData("meta.lastModified lt \"2011-05-13T04:42:34Z\"", "meta.lastModified lt \"2011-05-13T04:42:34Z\"")]
    [InlineData("meta.lastModified le \"2011-05-13T04:42:34Z\"", "meta.lastModified le \"2011-05-13T04:42:34Z\"")]
    [InlineData("title pr and userType eq \"Employee\"", "title pr and userType eq \"Employee\"")]
    [InlineData("title pr or userType eq \"Intern\"", "title pr or userType eq \"Intern\"")]
    [InlineData("schemas eq \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"", "schemas eq \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"")]
    [InlineData("userType eq \"Employee\" and (emails co \"example.com\" or emails.value co \"example.org\")", "userType eq \"Employee\" and (emails co \"example.com\" or emails.value co \"example.org\")")]
    [InlineData("userType ne \"Employee\" and not (emails co \"example.com\" or emails.value co \"example.org\")", "userType ne \"Employee\" and not (emails co \"example.com\" or emails.value co \"example.org\")")]
    [InlineData("userType eq \"Employee\" and (emails.type eq \"work\")", "userType eq \"Employee\" and emails.type eq \"work\"")]
    [InlineData("userType eq \"Employee\" and emails[type eq \"work\" and value co \"@example.com\"]", "userType eq \"Employee\" and emails[type eq \"work\" and value co \"@example.com\"]")]
    [InlineData("emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\" and value co \"@foo.com\"]", "emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\" and value co \"@foo.com\"]")]
    public void Parse_RfcExample_PrintsCanonicalTextThatParsesToTheSameTree(string filter, string canonical)
    {
        var parsed = FilterParser.Parse(filter);

        Assert.Equal(canonical, parsed.ToString());
        Assert.Equal(parsed, FilterParser.Parse(canonical));
    }

    [Fact]
    public void Parse_RfcLogicalExample_BuildsTheExpectedTree()
    {
        var parsed = FilterParser.Parse("userType ne \"Employee\" and not (emails co \"example.com\" or emails.value co \"example.org\")");

        var expected = new AndFilter(
            new ComparisonFilter(P("userType"), ComparisonOperator.Ne, S("Employee")),
            new NotFilter(new OrFilter(
                new ComparisonFilter(P("emails"), ComparisonOperator.Co, S("example.com")),
                new ComparisonFilter(P("emails", "value"), ComparisonOperator.Co, S("example.org")))));
        Assert.Equal(expected, parsed);
    }

    [Fact]
    public void Parse_ValuePathsJoinedByOr_BuildsValuePathNodes()
    {
        var parsed = FilterParser.Parse("emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\" and value co \"@foo.com\"]");

        var expected = new OrFilter(
            new ValuePathFilter(P("emails"), new AndFilter(
                new ComparisonFilter(P("type"), ComparisonOperator.Eq, S("work")),
                new ComparisonFilter(P("value"), ComparisonOperator.Co, S("@example.com")))),
            new ValuePathFilter(P("ims"), new AndFilter(
                new ComparisonFilter(P("type"), ComparisonOperator.Eq, S("xmpp")),
                new ComparisonFilter(P("value"), ComparisonOperator.Co, S("@foo.com")))));
        Assert.Equal(expected, parsed);
    }

    [Fact]
    public void Parse_EnterpriseUrnPath_SplitsSchemaFromAttribute()
    {
        var parsed = Assert.IsType<ComparisonFilter>(FilterParser.Parse(Enterprise + ":department eq \"Sales\""));

        Assert.Equal(P("department", schema: Enterprise), parsed.Path);
    }

    [Fact]
    public void Parse_EnterpriseUrnPathWithSubAttribute_SplitsAfterTheLastColon()
    {
        var parsed = Assert.IsType<ComparisonFilter>(FilterParser.Parse(Enterprise + ":manager.value eq \"26118915-6090-4610-87e4-49d8ca9f808d\""));

        Assert.Equal(P("manager", "value", Enterprise), parsed.Path);
        Assert.Equal(Enterprise + ":manager.value", parsed.Path.ToString());
    }

    [Theory]
    [InlineData("title pr or userType eq \"a\" and nickName pr", "title pr or (userType eq \"a\" and nickName pr)")]
    [InlineData("title pr and userType eq \"a\" or nickName pr", "(title pr and userType eq \"a\") or nickName pr")]
    [InlineData("not (title pr) and userType pr", "(not (title pr)) and userType pr")]
    public void Parse_Precedence_AndBindsTighterThanOrAndNotTighterThanAnd(string filter, string explicitlyGrouped)
    {
        Assert.Equal(FilterParser.Parse(explicitlyGrouped), FilterParser.Parse(filter));
    }

    [Fact]
    public void Parse_ChainOfAnd_IsOneNodeWhileAParenthesisedChainStaysNested()
    {
        var flat = Assert.IsType<AndFilter>(FilterParser.Parse("a pr and b pr and c pr"));
        var nested = Assert.IsType<AndFilter>(FilterParser.Parse("(a pr and b pr) and c pr"));

        Assert.Equal(3, flat.Operands.Count);
        Assert.Equal(2, nested.Operands.Count);
        Assert.NotEqual<Filter>(flat, nested);
        Assert.Equal("(a pr and b pr) and c pr", nested.ToString());
        Assert.Equal(nested, FilterParser.Parse(nested.ToString()));
    }

    [Theory]
    [InlineData("USERNAME EQ \"x\"", "USERNAME eq \"x\"")]
    [InlineData("title PR AND userType Eq \"x\"", "title pr and userType eq \"x\"")]
    [InlineData("NOT (title pr) Or nickName pr", "not (title pr) or nickName pr")]
    [InlineData("active eq TRUE", "active eq true")]
    [InlineData("manager eq Null", "manager eq null")]
    [InlineData("  userName   eq\t\"x\"  ", "userName eq \"x\"")]
    [InlineData("(title pr)and(nickName pr)", "title pr and nickName pr")]
    public void Parse_KeywordsAnyCase_PrintsThemLowerCaseAndNamesAsWritten(string filter, string canonical)
    {
        Assert.Equal(canonical, FilterParser.Parse(filter).ToString());
    }

    [Theory]
    [InlineData("a eq \"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t")]
    [InlineData("a eq \"\\u00e9\\u4E2D\"", "é中")]
    [InlineData("a eq \"\\ud83d\\ude00\"", "\U0001F600")]
    [InlineData("a eq \"raw \U0001F600 é\"", "raw \U0001F600 é")]
    [InlineData("a eq \"\"", "")]
    public void Parse_JsonStringEscapes_AreDecoded(string filter, string expected)
    {
        var comparison = Assert.IsType<ComparisonFilter>(FilterParser.Parse(filter));

        Assert.Equal(expected, Assert.IsType<StringLiteral>(comparison.Value).Value);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("42")]
    [InlineData("-1.5")]
    [InlineData("2e10")]
    [InlineData("6.02E+23")]
    [InlineData("1e-400")]
    [InlineData("123456789012345678901234567890123")]
    public void Parse_JsonNumbers_AreKeptAsWritten(string number)
    {
        var comparison = Assert.IsType<ComparisonFilter>(FilterParser.Parse("loginCount ge " + number));

        Assert.Equal(number, Assert.IsType<NumberLiteral>(comparison.Value).Text);
    }

    [Theory]
    [InlineData("not eq \"x\"", "not")]
    [InlineData("and pr", "and")]
    [InlineData("or pr and pr pr", "or")]
    public void Parse_KeywordUsedAsAttributeName_IsAnAttribute(string filter, string name)
    {
        var parsed = FilterParser.Parse(filter);
        var first = parsed is AndFilter and ? and.Operands[0] : parsed;

        Assert.Equal(name, first switch
        {
            ComparisonFilter c => c.Path.Name,
            PresentFilter p => p.Path.Name,
            _ => null,
        });
    }

    [Fact]
    public void Parse_ReferenceSubAttribute_IsAccepted()
    {
        var parsed = Assert.IsType<ComparisonFilter>(FilterParser.Parse("members.$ref eq \"https://x/Users/1\""));

        Assert.Equal(P("members", "$ref"), parsed.Path);
    }

    // What Okta and Entra send (domain notes §2.4, §3): eq on userName, externalId, displayName; Entra's
    // Test Connection filters on a random GUID; Entra joins with "and".
    [Theory]
    [InlineData("userName eq \"test.user@okta.local\"", "userName", "test.user@okta.local")]
    [InlineData("externalId eq \"00u1a2b3c4D5e6F7g8h9\"", "externalId", "00u1a2b3c4D5e6F7g8h9")]
    [InlineData("displayName eq \"Sales EMEA\"", "displayName", "Sales EMEA")]
    [InlineData("userName eq \"9a7b8e8e-5e55-4e4c-8d8f-0ab2c5d4e6f7\"", "userName", "9a7b8e8e-5e55-4e4c-8d8f-0ab2c5d4e6f7")]
    [InlineData("id eq \"9a7b8e8e-5e55-4e4c-8d8f-0ab2c5d4e6f7\"", "id", "9a7b8e8e-5e55-4e4c-8d8f-0ab2c5d4e6f7")]
    public void Parse_IdentityProviderLookup_IsAnEqComparison(string filter, string attribute, string value)
    {
        var parsed = Assert.IsType<ComparisonFilter>(FilterParser.Parse(filter));

        Assert.Equal(new ComparisonFilter(P(attribute), ComparisonOperator.Eq, S(value)), parsed);
    }

    [Fact]
    public void Parse_EntraAndOfEqualities_IsAnAndNode()
    {
        var parsed = FilterParser.Parse("userName eq \"a@contoso.com\" and externalId eq \"a\"");

        Assert.Equal(
            new AndFilter(
                new ComparisonFilter(P("userName"), ComparisonOperator.Eq, S("a@contoso.com")),
                new ComparisonFilter(P("externalId"), ComparisonOperator.Eq, S("a"))),
            parsed);
    }

    [Theory]
    [InlineData("userName", "expected a comparison operator after 'userName' at position 9")]
    [InlineData("userName \"x\"", "expected a comparison operator after 'userName' at position 10")]
    [InlineData("userName eq \"bjensen", "unterminated string starting at position 13")]
    [InlineData("userName eq", "expected a value after 'eq' at position 12")]
    [InlineData("userName eq ", "expected a value after 'eq' at position 13")]
    [InlineData("userName xx \"x\"", "unknown operator 'xx' at position 10")]
    [InlineData("userName equals \"x\"", "unknown operator 'equals' at position 10")]
    [InlineData("userName eq \"x\" foo", "unexpected 'foo' at position 17")]
    [InlineData("userName eq \"x\")", "unexpected ')' at position 16")]
    [InlineData("", "filter is empty")]
    [InlineData("   ", "filter is empty")]
    [InlineData("(userName eq \"x\"", "missing ')' to close the '(' at position 1")]
    [InlineData("emails[type eq \"work\"", "missing ']' to close the '[' at position 7")]
    [InlineData("emails[type eq \"work\")", "expected 'and', 'or' or ']' to close the '[' at position 7")]
    [InlineData("userName eq bjensen", "found 'bjensen'; strings must be in double quotes")]
    [InlineData("userName eq \"a\\x\"", "invalid escape '\\x' at position 15")]
    [InlineData("userName eq \"\\u12\"", "invalid \\u escape at position 14")]
    [InlineData("userName eq \"\\ud83d\"", "unpaired surrogate escape \\uD83D at position 14")]
    [InlineData("userName eq \"\\ude00\"", "unpaired surrogate escape \\uDE00 at position 14")]
    [InlineData("userName eq 01", "invalid number '01' at position 13")]
    [InlineData("userName eq 1.", "invalid number '1.' at position 13")]
    [InlineData("userName eq 1abc", "invalid number '1abc' at position 13")]
    [InlineData("not title pr", "'not' at position 1 must be followed by a parenthesised filter")]
    [InlineData("title pr and", "expected an expression after 'and' at position 13")]
    [InlineData("title pr or or", "expected a comparison operator after 'or'")]
    [InlineData("emails[type eq \"work\"].value eq \"x\"", "a sub-attribute after a value filter ('].' at position 22) is allowed only in PATCH paths")]
    [InlineData("emails[phones[type pr]]", "value filters cannot be nested")]
    [InlineData("emails[emails.type eq \"x\"]", "name a sub-attribute of 'emails' without prefix or '.'")]
    [InlineData("name.givenName.x eq \"a\"", "more than one sub-attribute level")]
    [InlineData("urn:x: eq \"a\"", "expected an attribute name after the schema URN 'urn:x'")]
    [InlineData(":name eq \"a\"", "unexpected character ':' at position 1")]
    [InlineData("\"x\" eq userName", "expected an attribute name at position 1, found a value")]
    [InlineData("userName eq \"x\" and and", "expected a comparison operator after 'and'")]
    [InlineData("userName ｅｑ \"x\"", "expected a comparison operator after 'userName' at position 10")]
    [InlineData("userName ſw \"x\"", "expected a comparison operator after 'userName' at position 10")]
    [InlineData("userName eq \"x\" ａnd title pr", "unexpected 'ａ' (U+FF41) at position 17")]
    [InlineData("userName\0eq \"x\"", "expected a comparison operator after 'userName' at position 9")]
    [InlineData("userName eq \"a\0b\"", "control character U+0000 in the string at position 15")]
    [InlineData("title pr and ]", "unexpected ']' at position 14 after 'and'")]
    [InlineData("title gt", "expected a value after 'gt' at position 9")]
    public void Parse_MalformedFilter_ThrowsInvalidFilterSayingWhereAndWhy(string filter, string message)
    {
        var error = Assert.Throws<ScimException>(() => FilterParser.Parse(filter));

        Assert.Equal(ScimErrorType.InvalidFilter, error.ScimType);
        Assert.Equal(400, error.Status);
        Assert.Contains(message, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LoneHighSurrogateInString_IsInvalidFilter()
    {
        var error = Assert.Throws<ScimException>(() => FilterParser.Parse("userName eq \"a\ud800b\""));

        Assert.Contains("unpaired surrogate U+D800 in the string at position 15", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OverMaxLength_NamesTheLimit()
    {
        var filter = "userName eq \"" + new string('a', 5000) + "\"";

        var error = Assert.Throws<ScimException>(() => FilterParser.Parse(filter));

        Assert.Equal(ScimErrorType.InvalidFilter, error.ScimType);
        Assert.Contains("over the limit of 4096 (MaxLength)", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LongerLimit_AcceptsTheLongFilter()
    {
        var filter = "userName eq \"" + new string('a', 5000) + "\"";

        var parsed = Assert.IsType<ComparisonFilter>(FilterParser.Parse(filter, new FilterParserOptions(MaxLength: 10_000)));

        Assert.Equal(5000, Assert.IsType<StringLiteral>(parsed.Value).Value.Length);
    }

    [Fact]
    public void Parse_NestingAtTheLimit_IsAccepted()
    {
        var filter = new string('(', 32) + "title pr" + new string(')', 32);

        Assert.Equal(new PresentFilter(P("title")), FilterParser.Parse(filter));
    }

    [Fact]
    public void Parse_NestingOverTheLimit_NamesTheLimit()
    {
        var filter = new string('(', 33) + "title pr" + new string(')', 33);

        var error = Assert.Throws<ScimException>(() => FilterParser.Parse(filter));

        Assert.Contains("deeper than the limit of 32 levels (MaxDepth)", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotsCountTowardsTheDepthLimit()
    {
        var filter = string.Concat(Enumerable.Repeat("not (", 5)) + "title pr" + new string(')', 5);

        var error = Assert.Throws<ScimException>(() => FilterParser.Parse(filter, new FilterParserOptions(MaxDepth: 4)));
        Assert.Contains("(MaxDepth)", error.Detail, StringComparison.Ordinal);
        Assert.IsType<NotFilter>(FilterParser.Parse(filter, new FilterParserOptions(MaxDepth: 5)));
    }

    [Fact]
    public void Parse_HundredThousandOpeningParentheses_IsInvalidFilterNotAStackOverflow()
    {
        var filter = new string('(', 100_000);

        var error = Assert.Throws<ScimException>(() => FilterParser.Parse(filter, new FilterParserOptions(MaxLength: 200_000, MaxDepth: int.MaxValue)));

        Assert.Equal(ScimErrorType.InvalidFilter, error.ScimType);
    }

    [Fact]
    public void Parse_LongFlatChain_KeepsTheTreeShallow()
    {
        var filter = string.Join(" and ", Enumerable.Range(0, 300).Select(i => "a" + i + " pr"));

        var parsed = Assert.IsType<AndFilter>(FilterParser.Parse(filter));

        Assert.Equal(300, parsed.Operands.Count);
    }

    [Fact]
    public void Parse_Span_GivesTheSameTreeAsTheString()
    {
        const string Text = "xx userName eq \"x\" yy";

        Assert.Equal(FilterParser.Parse("userName eq \"x\""), FilterParser.Parse(Text.AsSpan(3, 15)));
    }

    [Theory]
    [InlineData("userName", null, "userName", null)]
    [InlineData("name.givenName", null, "name", "givenName")]
    [InlineData("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", Enterprise, "manager", "value")]
    public void ParseAttributePath_ValidPath_Splits(string text, string? schema, string name, string? sub)
    {
        Assert.Equal(new AttributePath(schema, name, sub), AttributePath.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("emails[type eq \"work\"]")]
    [InlineData("name..x")]
    [InlineData("1abc")]
    [InlineData("name given")]
    public void ParseAttributePath_Malformed_IsInvalidPath(string text)
    {
        var error = Assert.Throws<ScimException>(() => AttributePath.Parse(text));

        Assert.Equal(ScimErrorType.InvalidPath, error.ScimType);
    }

    [Fact]
    public void AttributePath_Matches_IgnoresCase()
    {
        Assert.True(P("Name", "GivenName").Matches(P("name", "givenName")));
        Assert.False(P("name", "givenName").Matches(P("name", "familyName")));
    }

    [Fact]
    public void AndFilter_WithOneOperand_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => new AndFilter(new PresentFilter(P("a"))));
    }
}
