using System.Text.Json.Nodes;
using Microservices.Scim.Errors;
using Microservices.Scim.Filters;
using Microservices.Scim.Protocol.Tests.Patch;

namespace Microservices.Scim.Protocol.Tests.Filters;

public sealed class FilterEvaluatorTests
{
    private static readonly FilterEvaluator _typed = FilterEvaluator.For(TestSchemas.User);

    private static JsonObject Babs() => JsonNode.Parse("""
        {
          "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
          "id": "2819c223-7f76-453a-919d-413861904646",
          "externalId": "bjensen",
          "userName": "bjensen@example.com",
          "name": { "familyName": "O'Malley", "givenName": "Barbara" },
          "title": "Tour Guide",
          "userType": "Employee",
          "active": true,
          "loginCount": 17,
          "score": 4.25,
          "badgeCode": "AbC",
          "emails": [
            { "value": "bjensen@example.com", "type": "work", "primary": true },
            { "value": "babs@jensen.org", "type": "home" }
          ],
          "ims": [ { "value": "babs@foo.com", "type": "xmpp" } ],
          "phoneNumbers": [],
          "nickName": "",
          "meta": { "resourceType": "User", "lastModified": "2011-05-13T04:42:34Z", "created": "2010-01-23T04:56:22+02:00" },
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "department": "Tour Operations",
            "manager": { "value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith" }
          }
        }
        """)!.AsObject();

    private static bool Eval(string filter, FilterEvaluator? evaluator = null) =>
        (evaluator ?? _typed).Matches(FilterParser.Parse(filter), Babs());

    // The RFC 7644 §3.4.2.2 examples against the RFC's own Babs Jensen.
    [Theory]
    [InlineData("userName eq \"bjensen@example.com\"", true)]
    [InlineData("userName eq \"BJENSEN@EXAMPLE.COM\"", true)]
    [InlineData("name.familyName co \"O'Malley\"", true)]
    [InlineData("name.familyName co \"malley\"", true)]
    [InlineData("userName sw \"J\"", false)]
    [InlineData("userName sw \"B\"", true)]
    [InlineData("urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"bj\"", true)]
    [InlineData("title pr", true)]
    [InlineData("meta.lastModified gt \"2011-05-13T04:42:34Z\"", false)]
    [InlineData("meta.lastModified ge \"2011-05-13T04:42:34Z\"", true)]
    [InlineData("meta.lastModified lt \"2011-05-13T04:42:35Z\"", true)]
    [InlineData("meta.lastModified le \"2011-05-13T04:42:33Z\"", false)]
    [InlineData("title pr and userType eq \"Employee\"", true)]
    [InlineData("title pr or userType eq \"Intern\"", true)]
    [InlineData("schemas eq \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"", true)]
    [InlineData("userType eq \"Employee\" and (emails co \"example.com\" or emails.value co \"example.org\")", true)]
    [InlineData("userType ne \"Employee\" and not (emails co \"example.com\" or emails.value co \"example.org\")", false)]
    [InlineData("userType eq \"Employee\" and (emails.type eq \"work\")", true)]
    [InlineData("userType eq \"Employee\" and emails[type eq \"work\" and value co \"@example.com\"]", true)]
    [InlineData("emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\" and value co \"@foo.com\"]", true)]
    [InlineData("emails[type eq \"home\" and value co \"@example.com\"]", false)]
    public void Matches_RfcExamples_FollowTheRfc(string filter, bool expected)
    {
        Assert.Equal(expected, Eval(filter));
    }

    [Theory]
    [InlineData("emails.value eq \"babs@jensen.org\"", true)]
    [InlineData("emails.value eq \"nobody@example.com\"", false)]
    [InlineData("emails.type eq \"home\" and emails.primary eq true", true)]
    [InlineData("emails[type eq \"home\" and primary eq true]", false)]
    [InlineData("emails eq \"babs@jensen.org\"", true)]
    [InlineData("emails.value ne \"babs@jensen.org\"", true)]
    public void Matches_MultiValued_AnyValueMatches(string filter, bool expected)
    {
        Assert.Equal(expected, Eval(filter));
    }

    [Theory]
    [InlineData("nickName pr", false)]
    [InlineData("phoneNumbers pr", false)]
    [InlineData("addresses pr", false)]
    [InlineData("emails pr", true)]
    [InlineData("name pr", true)]
    [InlineData("active pr", true)]
    [InlineData("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr", true)]
    [InlineData("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber pr", false)]
    public void Matches_Present_IsFalseForMissingEmptyStringAndEmptyArray(string filter, bool expected)
    {
        Assert.Equal(expected, Eval(filter));
    }

    [Theory]
    [InlineData("title eq null", false)]
    [InlineData("addresses eq null", true)]
    [InlineData("profileUrl ne \"x\"", true)]
    [InlineData("profileUrl eq \"x\"", false)]
    [InlineData("not (profileUrl pr)", true)]
    public void Matches_AbsentAttribute_BehavesAsNull(string filter, bool expected)
    {
        Assert.Equal(expected, Eval(filter));
    }

    [Theory]
    [InlineData("badgeCode eq \"AbC\"", true)]
    [InlineData("badgeCode eq \"abc\"", false)]
    [InlineData("badgeCode sw \"a\"", false)]
    [InlineData("id eq \"2819C223-7F76-453A-919D-413861904646\"", false)]
    [InlineData("externalId eq \"BJENSEN\"", false)]
    [InlineData("title eq \"tour guide\"", true)]
    public void Matches_CaseExactAttribute_ComparesOrdinally(string filter, bool expected)
    {
        Assert.Equal(expected, Eval(filter));
    }

    [Fact]
    public void Matches_CaseExactAttributeWithoutSchema_ComparesCaseInsensitively()
    {
        Assert.True(Eval("badgeCode eq \"abc\"", FilterEvaluator.Untyped));
    }

    [Theory]
    [InlineData("meta.created lt \"2010-01-23T03:00:00Z\"", true)]
    [InlineData("meta.created eq \"2010-01-23T02:56:22Z\"", true)]
    [InlineData("meta.created gt \"2010-01-23T02:56:22.001Z\"", false)]
    public void Matches_DateTime_ComparesInstantsAcrossOffsets(string filter, bool expected)
    {
        Assert.Equal(expected, Eval(filter));
    }

    [Theory]
    [InlineData("loginCount gt 9", true)]
    [InlineData("loginCount eq 17.0", true)]
    [InlineData("loginCount le 1.7e1", true)]
    [InlineData("loginCount lt 17", false)]
    [InlineData("score gt 4.2", true)]
    [InlineData("score lt 1e300", true)]
    public void Matches_Numbers_CompareNumerically(string filter, bool expected)
    {
        Assert.Equal(expected, Eval(filter));
    }

    [Theory]
    [InlineData("active eq true", true)]
    [InlineData("active eq false", false)]
    [InlineData("active ne false", true)]
    [InlineData("active eq \"True\"", true)]
    public void Matches_Boolean_ComparesTruth(string filter, bool expected)
    {
        Assert.Equal(expected, Eval(filter));
    }

    [Theory]
    [InlineData("ACTIVE eq true")]
    [InlineData("Name.FamilyName co \"malley\"")]
    [InlineData("EMAILS[TYPE eq \"work\"]")]
    [InlineData("URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:DEPARTMENT eq \"tour operations\"")]
    [InlineData("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq \"26118915-6090-4610-87e4-49d8ca9f808d\"")]
    public void Matches_NamesInAnyCase_FindTheAttribute(string filter)
    {
        Assert.True(Eval(filter));
    }

    [Theory]
    [InlineData("active gt true")]
    [InlineData("active gt \"a\"")]
    [InlineData("active co \"t\"")]
    [InlineData("name gt \"a\"")]
    [InlineData("name eq \"a\"")]
    [InlineData("loginCount co \"1\"")]
    [InlineData("loginCount eq \"17\"")]
    [InlineData("userName eq 17")]
    [InlineData("userName gt null")]
    [InlineData("meta.lastModified gt \"yesterday\"")]
    [InlineData("meta.lastModified co \"2011\"")]
    [InlineData("title co 5")]
    public void Matches_OperatorThatDoesNotSuitTheType_IsInvalidFilter(string filter)
    {
        var error = Assert.Throws<ScimException>(() => Eval(filter));

        Assert.Equal(ScimErrorType.InvalidFilter, error.ScimType);
    }

    [Theory]
    [InlineData("active gt true")]
    [InlineData("active le false")]
    [InlineData("loginCount sw \"1\"")]
    public void Matches_UntypedOrderingOnBooleanOrSubstringOnNumber_IsInvalidFilter(string filter)
    {
        var error = Assert.Throws<ScimException>(() => Eval(filter, FilterEvaluator.Untyped));

        Assert.Equal(ScimErrorType.InvalidFilter, error.ScimType);
    }

    [Theory]
    [InlineData("meta gt \"a\"")]
    public void Matches_UntypedOrderingOnComplex_IsInvalidFilter(string filter)
    {
        Assert.Throws<ScimException>(() => Eval(filter, FilterEvaluator.Untyped));
    }

    [Theory]
    [InlineData("userName eq \"bjensen@example.com\"", true)]
    [InlineData("loginCount gt 9", true)]
    [InlineData("emails[type eq \"work\"]", true)]
    [InlineData("title eq 5", false)]
    [InlineData("active eq true", true)]
    public void Matches_Untyped_FollowsTheJsonValues(string filter, bool expected)
    {
        Assert.Equal(expected, Eval(filter, FilterEvaluator.Untyped));
    }

    [Fact]
    public void MatchesValue_ValueFilterAgainstOneElement_SelectsIt()
    {
        var path = Microservices.Scim.Patch.PatchPath.Parse("emails[type eq \"WORK\"]");
        var emails = Babs()["emails"]!.AsArray();

        Assert.True(_typed.MatchesValue(path.ValueFilter!, path.Attribute, emails[0]));
        Assert.False(_typed.MatchesValue(path.ValueFilter!, path.Attribute, emails[1]));
    }

    [Theory]
    [InlineData("department eq \"Tour Operations\"", true)]
    [InlineData("manager.value pr", true)]
    [InlineData("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName pr", false)]
    [InlineData("urn:ietf:params:scim:schemas:core:2.0:User:title eq \"Tour Guide\"", true)]
    public void Matches_ExtensionAttributes_AreReadFromTheirUrnObject(string filter, bool expected)
    {
        Assert.Equal(expected, Eval(filter));
    }

    [Fact]
    public void Matches_EntraTestConnectionGuid_MatchesNothing()
    {
        Assert.False(Eval("userName eq \"e0a7fd2c-9b4c-4c1c-a3a0-2f3f0c4f1a9b\""));
    }
}
