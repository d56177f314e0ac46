using System.Text.Json.Nodes;
using Microservices.Scim.Errors;
using Microservices.Scim.Json;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Protocol.Tests.Schemas;

public sealed class ScimResourceValidatorTests
{
    private const string Enterprise = ScimConstants.EnterpriseUserSchema;
    private const string Assure = ScimConstants.AssureUserSchema;

    [Fact]
    public void Validate_Rfc7643FullUser_KeepsWritableAttributesAndDropsReadOnlyOnes()
    {
        var output = ValidateUser(ScimExamples.Rfc7643FullUser);

        Assert.Equal("bjensen@example.com", (string?)output["userName"]);
        Assert.Equal("701984", (string?)output["externalId"]);
        Assert.Equal("Jane", (string?)output["name"]!["middleName"]);
        Assert.Equal("III", (string?)output["name"]!["honorificSuffix"]);
        Assert.Equal(2, output["emails"]!.AsArray().Count);
        Assert.True((bool)output["emails"]![0]!["primary"]!);
        Assert.Equal("100 Universal City Plaza\nHollywood, CA 91608 USA", (string?)output["addresses"]![0]!["formatted"]);
        Assert.Equal("mobile", (string?)output["phoneNumbers"]![1]!["type"]);
        Assert.Equal("aim", (string?)output["ims"]![0]!["type"]);
        Assert.Equal("thumbnail", (string?)output["photos"]![1]!["type"]);
        Assert.StartsWith("MIIDQzCC", (string?)output["x509Certificates"]![0]!["value"], StringComparison.Ordinal);
        Assert.Equal("America/Los_Angeles", (string?)output["timezone"]);
        Assert.True((bool)output["active"]!);
        Assert.Equal("t1meMa$heen", (string?)output["password"]);
        Assert.Null(output["id"]);
        Assert.Null(output["meta"]);
        Assert.Null(output["groups"]);
        Assert.Equal([ScimConstants.UserSchema], Schemas(output));
    }

    [Fact]
    public void Validate_Rfc7643EnterpriseUser_KeepsExtensionAndDropsManagerDisplayName()
    {
        var output = ValidateUser(ScimExamples.Rfc7643EnterpriseUser);

        var extension = output[Enterprise]!.AsObject();
        Assert.Equal("Tour Operations", (string?)extension["department"]);
        Assert.Equal("4130", (string?)extension["costCenter"]);
        Assert.Equal("26118915-6090-4610-87e4-49d8ca9f808d", (string?)extension["manager"]!["value"]);
        Assert.Equal("../Users/26118915-6090-4610-87e4-49d8ca9f808d", (string?)extension["manager"]!["$ref"]);
        Assert.Null(extension["manager"]!["displayName"]);
        Assert.Equal([ScimConstants.UserSchema, Enterprise], Schemas(output));
    }

    [Fact]
    public void Validate_Rfc7643Group_KeepsMembersWithoutEchoedDisplay()
    {
        var output = ScimResourceValidator.Validate(ScimJson.ParseObject(ScimExamples.Rfc7643Group), ScimSchemas.GroupResourceType);

        Assert.Equal("Tour Guides", (string?)output["displayName"]);
        var members = output["members"]!.AsArray();
        Assert.Equal(2, members.Count);
        Assert.Equal("902c246b-6245-4190-8e05-00816be7344a", (string?)members[1]!["value"]);
        Assert.Equal("https://example.com/v2/Users/902c246b-6245-4190-8e05-00816be7344a", (string?)members[1]!["$ref"]);
        Assert.Null(members[1]!["display"]);
        Assert.Null(output["id"]);
        Assert.Null(output["meta"]);
        Assert.Equal([ScimConstants.GroupSchema], Schemas(output));
    }

    [Fact]
    public void Validate_OktaCreateUser_KeepsPasswordAndExternalIdAndDropsGroups()
    {
        var output = ValidateUser(ScimExamples.OktaCreateUser);

        Assert.Equal("test.user@okta.local", (string?)output["userName"]);
        Assert.Equal("00ujl29u0le5T6Aj10h7", (string?)output["externalId"]);
        Assert.Equal("1mz050nq", (string?)output["password"]);
        Assert.Equal("Test", (string?)output["name"]!["givenName"]);
        Assert.Equal("en-US", (string?)output["locale"]);
        Assert.Null(output["groups"]);
    }

    [Fact]
    public void Validate_OktaReplaceUserEchoingIdMetaAndGroups_DropsThem()
    {
        var output = ValidateUser(ScimExamples.OktaReplaceUser);

        Assert.Null(output["id"]);
        Assert.Null(output["meta"]);
        Assert.Null(output["groups"]);
        Assert.Equal("Another Test User", (string?)output["displayName"]);
        Assert.Equal("Test", (string?)output["name"]!["middleName"]);
    }

    [Fact]
    public void Validate_EntraCreateUser_KeepsCoreAndEnterpriseAttributes()
    {
        var output = ValidateUser(ScimExamples.EntraCreateUser);

        Assert.Equal("jdoe@contoso.com", (string?)output["userName"]);
        Assert.Equal("jdoe", (string?)output["externalId"]);
        Assert.True((bool)output["active"]!);
        Assert.Equal("Jane Doe", (string?)output["displayName"]);
        Assert.Equal("Safety Officer", (string?)output["title"]);
        Assert.Equal("en-GB", (string?)output["preferredLanguage"]);
        Assert.Equal("work", (string?)output["emails"]![0]!["type"]);
        Assert.True((bool)output["emails"]![0]!["primary"]!);
        Assert.Equal("Jane", (string?)output["name"]!["givenName"]);
        Assert.Equal("Doe", (string?)output["name"]!["familyName"]);
        Assert.Empty(output["roles"]!.AsArray());
        Assert.Equal("OU-0042", (string?)output[Enterprise]!["department"]);
        Assert.Equal("E1234", (string?)output[Enterprise]!["employeeNumber"]);
        Assert.Null(output["meta"]);
    }

    [Fact]
    public void Validate_OktaGroupPush_KeepsDisplayNameAndEmptyMembers()
    {
        var output = ScimResourceValidator.Validate(
            ScimJson.ParseObject($$"""{"schemas":["{{ScimConstants.GroupSchema}}"],"displayName":"Test SCIMv2","members":[]}"""),
            ScimSchemas.GroupResourceType);

        Assert.Equal("Test SCIMv2", (string?)output["displayName"]);
        Assert.Empty(output["members"]!.AsArray());
        Assert.False(output.ContainsKey("externalId"));
    }

    [Fact]
    public void Validate_EntraCreateGroup_KeepsExternalIdAndDropsMeta()
    {
        var output = ScimResourceValidator.Validate(
            ScimJson.ParseObject($$"""
                {
                  "schemas": ["{{ScimConstants.GroupSchema}}", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
                  "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                  "displayName": "Group1",
                  "members": [],
                  "meta": { "resourceType": "Group" }
                }
                """),
            ScimSchemas.GroupResourceType);

        Assert.Equal("8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", (string?)output["externalId"]);
        Assert.Equal("Group1", (string?)output["displayName"]);
        Assert.False(output.ContainsKey("meta"));
        Assert.Equal([ScimConstants.GroupSchema], Schemas(output));
    }

    [Theory]
    [InlineData("\"True\"", true)]
    [InlineData("\"False\"", false)]
    [InlineData("\"false\"", false)]
    [InlineData("\"TRUE\"", true)]
    [InlineData("true", true)]
    public void Validate_BooleanAsEntraString_IsCoercedToBoolean(string json, bool expected)
    {
        var output = ValidateUser($$"""{"schemas":["{{ScimConstants.UserSchema}}"],"userName":"a","active":{{json}},"emails":[{"value":"a@b.c","primary":{{json}}}]}""");

        Assert.Equal(expected, output["active"]!.GetValue<bool>());
        Assert.Equal(expected, output["emails"]![0]!["primary"]!.GetValue<bool>());
    }

    [Fact]
    public void Validate_CaseVariantNames_AreRewrittenToCanonicalNames()
    {
        var output = ValidateUser($$"""
            {
              "SCHEMAS": ["{{ScimConstants.UserSchema.ToUpperInvariant()}}", "{{Enterprise.ToLowerInvariant()}}"],
              "USERNAME": "a@b.c",
              "Name": { "GIVENNAME": "A", "familyname": "B" },
              "Emails": [{ "VALUE": "a@b.c", "Primary": true, "TYPE": "work" }],
              "{{Enterprise.ToLowerInvariant()}}": { "DEPARTMENT": "OU-1", "Manager": { "VALUE": "m1" } }
            }
            """);

        Assert.Equal("a@b.c", (string?)output["userName"]);
        Assert.Equal("A", (string?)output["name"]!["givenName"]);
        Assert.Equal("B", (string?)output["name"]!["familyName"]);
        Assert.Equal("a@b.c", (string?)output["emails"]![0]!["value"]);
        Assert.Equal("OU-1", (string?)output[Enterprise]!["department"]);
        Assert.Equal("m1", (string?)output[Enterprise]!["manager"]!["value"]);
        Assert.DoesNotContain(ScimJson.Properties(output), p => p.Key is "USERNAME" or "Name" or "Emails");
        Assert.Equal([ScimConstants.UserSchema, Enterprise], Schemas(output));
    }

    [Fact]
    public void Validate_OutputFollowsSchemaOrder()
    {
        var output = ValidateUser($$"""{"active":true,"displayName":"D","userName":"u","schemas":["{{ScimConstants.UserSchema}}"],"externalId":"x"}""");

        Assert.Equal(["schemas", "externalId", "userName", "displayName", "active"], ScimJson.Properties(output).Select(p => p.Key));
    }

    [Fact]
    public void Validate_MissingUserName_IsInvalidValueNamingIt()
    {
        var error = Reject($$"""{"schemas":["{{ScimConstants.UserSchema}}"],"displayName":"x"}""");

        Assert.Equal(ScimErrorType.InvalidValue, error.ScimType);
        Assert.Contains("'userName'", error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"\"")]
    [InlineData("\"   \"")]
    public void Validate_NullOrBlankUserName_IsTreatedAsMissing(string value)
    {
        var error = Reject($$"""{"schemas":["{{ScimConstants.UserSchema}}"],"userName":{{value}} }""");

        Assert.Equal(ScimErrorType.InvalidValue, error.ScimType);
        Assert.Contains("'userName' is required", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GroupWithoutDisplayName_IsInvalidValueNamingIt()
    {
        var exception = Assert.Throws<ScimException>(() => ScimResourceValidator.Validate(
            ScimJson.ParseObject($$"""{"schemas":["{{ScimConstants.GroupSchema}}"],"members":[]}"""),
            ScimSchemas.GroupResourceType));

        Assert.Equal(400, exception.Status);
        Assert.Equal(ScimErrorType.InvalidValue, exception.ScimType);
        Assert.Contains("'displayName'", exception.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GroupWithEmptyMembers_KeepsEmptyArray()
    {
        var output = ScimResourceValidator.Validate(
            ScimJson.ParseObject($$"""{"schemas":["{{ScimConstants.GroupSchema}}"],"displayName":"Managers","members":[]}"""),
            ScimSchemas.GroupResourceType);

        Assert.Empty(output["members"]!.AsArray());
    }

    [Theory]
    [InlineData("\"active\": \"yes\"", "'active' must be a boolean")]
    [InlineData("\"active\": 1", "'active' must be a boolean")]
    [InlineData("\"name\": \"Barbara\"", "'name' must be a JSON object")]
    [InlineData("\"name\": [{\"givenName\": \"B\"}]", "'name' is single-valued")]
    [InlineData("\"name\": {\"givenName\": {\"x\": 1}}", "'name.givenName' must be a string")]
    [InlineData("\"emails\": \"a@b.c\"", "'emails' is multi-valued")]
    [InlineData("\"emails\": [\"a@b.c\"]", "'emails' must be a JSON object")]
    [InlineData("\"emails\": [{\"value\": true}]", "'emails.value' must be a string")]
    [InlineData("\"emails\": [{\"value\": \"a\", \"primary\": \"maybe\"}]", "'emails.primary' must be a boolean")]
    [InlineData("\"x509Certificates\": [{\"value\": \"not base64!\"}]", "'x509Certificates.value' must be a base64 string")]
    [InlineData("\"displayName\": [\"a\", \"b\"]", "'displayName' is single-valued")]
    public void Validate_WrongType_IsInvalidValueNamingTheAttribute(string member, string expected)
    {
        var error = Reject($$"""{"schemas":["{{ScimConstants.UserSchema}}"],"userName":"u",{{member}} }""");

        Assert.Equal(ScimErrorType.InvalidValue, error.ScimType);
        Assert.Contains(expected, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NumericUserName_IsInvalidValue()
    {
        var error = Reject($$"""{"schemas":["{{ScimConstants.UserSchema}}"],"userName":42}""");

        Assert.Equal(ScimErrorType.InvalidValue, error.ScimType);
        Assert.Contains("'userName' must be a string", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TwoPrimaryEmails_IsInvalidValue()
    {
        var error = Reject($$"""{"schemas":["{{ScimConstants.UserSchema}}"],"userName":"u","emails":[{"value":"a","primary":true},{"value":"b","primary":"True"}]}""");

        Assert.Equal(ScimErrorType.InvalidValue, error.ScimType);
        Assert.Contains("'emails'", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SingleObjectForMultiValuedComplex_IsOneElementArray()
    {
        var output = ValidateUser($$$"""{"schemas":["{{{ScimConstants.UserSchema}}}"],"userName":"u","emails":{"value":"a@b.c","type":"work"}}""");

        var emails = output["emails"]!.AsArray();
        Assert.Single(emails);
        Assert.Equal("a@b.c", (string?)emails[0]!["value"]);
    }

    [Fact]
    public void Validate_UnknownAttributesAndSubAttributes_AreDropped()
    {
        var output = ValidateUser($$"""
            {
              "schemas": ["{{ScimConstants.UserSchema}}", "urn:okta:custom:1.0:User"],
              "userName": "u",
              "favouriteColour": "blue",
              "name": { "givenName": "G", "nickname2": "x" },
              "urn:okta:custom:1.0:User": { "badge": "7" }
            }
            """);

        Assert.Null(output["favouriteColour"]);
        Assert.Null(output["urn:okta:custom:1.0:User"]);
        Assert.Equal(["givenName"], ScimJson.Properties(output["name"]!.AsObject()).Select(p => p.Key));
        Assert.Equal([ScimConstants.UserSchema], Schemas(output));
    }

    [Fact]
    public void Validate_TypeSubAttributeOutsideCanonicalValues_IsKept()
    {
        var output = ValidateUser($$"""{"schemas":["{{ScimConstants.UserSchema}}"],"userName":"u","emails":[{"value":"a","type":"Corporate"}]}""");

        Assert.Equal("Corporate", (string?)output["emails"]![0]!["type"]);
    }

    [Fact]
    public void Validate_NullValues_AreAbsent()
    {
        var output = ValidateUser($$"""{"schemas":["{{ScimConstants.UserSchema}}"],"userName":"u","displayName":null,"name":{"givenName":null},"emails":[null,{"value":null}]}""");

        Assert.Null(output["displayName"]);
        Assert.False(output.ContainsKey("displayName"));
        Assert.False(output.ContainsKey("name"));
        Assert.Empty(output["emails"]!.AsArray());
    }

    [Fact]
    public void Validate_ExtensionObjectWithoutItsUrnInSchemas_IsAcceptedAndListed()
    {
        var output = ValidateUser($$$"""{"schemas":["{{{ScimConstants.UserSchema}}}"],"userName":"u","{{{Enterprise}}}":{"department":"OU-7"}}""");

        Assert.Equal("OU-7", (string?)output[Enterprise]!["department"]);
        Assert.Equal([ScimConstants.UserSchema, Enterprise], Schemas(output));
    }

    [Fact]
    public void Validate_AssureExtension_CanonicalisesDateFormatAndDropsDerivedAttributes()
    {
        var output = ValidateUser($$"""
            {
              "schemas": ["{{ScimConstants.UserSchema}}", "{{Assure}}"],
              "userName": "u",
              "{{Assure}}": { "dateFormat": "yyyy-mm-dd", "personReference": "P-001", "accessType": "AssureGO+ only", "isManager": true }
            }
            """);

        var extension = output[Assure]!.AsObject();
        Assert.Equal("YYYY-MM-DD", (string?)extension["dateFormat"]);
        Assert.Equal("P-001", (string?)extension["personReference"]);
        Assert.False(extension.ContainsKey("accessType"));
        Assert.False(extension.ContainsKey("isManager"));
        Assert.Equal([ScimConstants.UserSchema, Assure], Schemas(output));
    }

    [Fact]
    public void Validate_UnknownDateFormat_IsInvalidValue()
    {
        var error = Reject($$$"""{"schemas":["{{{ScimConstants.UserSchema}}}"],"userName":"u","{{{Assure}}}":{"dateFormat":"D.M.Y"}}""");

        Assert.Equal(ScimErrorType.InvalidValue, error.ScimType);
        Assert.Contains("dateFormat", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ExtensionObjectWithOnlyReadOnlyAttributes_IsLeftOut()
    {
        var output = ValidateUser($$$"""{"schemas":["{{{ScimConstants.UserSchema}}}","{{{Assure}}}"],"userName":"u","{{{Assure}}}":{"isManager":true}}""");

        Assert.False(output.ContainsKey(Assure));
        Assert.Equal([ScimConstants.UserSchema], Schemas(output));
    }

    [Theory]
    [InlineData("""{"userName":"u"}""", "'schemas' is required")]
    [InlineData("""{"schemas":[],"userName":"u"}""", "must contain")]
    [InlineData("""{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"u"}""", "must contain")]
    [InlineData("""{"schemas":[42],"userName":"u"}""", "array of URN strings")]
    [InlineData("""{"schemas":{"a":1},"userName":"u"}""", "array of URN strings")]
    public void Validate_BadSchemas_IsInvalidSyntax(string body, string expected)
    {
        var error = Reject(body);

        Assert.Equal(ScimErrorType.InvalidSyntax, error.ScimType);
        Assert.Contains(expected, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SchemasAsSingleString_IsAccepted()
    {
        var output = ValidateUser($$"""{"schemas":"{{ScimConstants.UserSchema}}","userName":"u"}""");

        Assert.Equal([ScimConstants.UserSchema], Schemas(output));
    }

    [Fact]
    public void Validate_SameAttributeInTwoCases_IsInvalidSyntax()
    {
        var error = Reject($$"""{"schemas":["{{ScimConstants.UserSchema}}"],"userName":"a","USERNAME":"b"}""");

        Assert.Equal(ScimErrorType.InvalidSyntax, error.ScimType);
        Assert.Contains("'userName'", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ExtensionNotAnObject_IsInvalidValue()
    {
        var error = Reject($$"""{"schemas":["{{ScimConstants.UserSchema}}"],"userName":"u","{{Enterprise}}":"OU-1"}""");

        Assert.Equal(ScimErrorType.InvalidValue, error.ScimType);
        Assert.Contains(Enterprise, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TooManyValues_IsInvalidValue()
    {
        var members = string.Join(",", Enumerable.Range(0, 11).Select(i => $$"""{"value":"m{{i}}"}"""));
        var body = ScimJson.ParseObject($$"""{"schemas":["{{ScimConstants.GroupSchema}}"],"displayName":"G","members":[{{members}}]}""");

        var exception = Assert.Throws<ScimException>(() => ScimResourceValidator.Validate(body, ScimSchemas.GroupResourceType, maxValuesPerAttribute: 10));

        Assert.Equal(ScimErrorType.InvalidValue, exception.ScimType);
        Assert.Contains("'members'", exception.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"" + ScimConstants.EnterpriseUserSchema + "\":{}")]
    [InlineData(",\"" + ScimConstants.EnterpriseUserSchema + "\":{\"manager\":{\"displayName\":\"read-only\"}}")]
    public void Validate_RequiredExtensionMissingOrEmpty_IsInvalidValue(string extension)
    {
        var resourceType = ScimSchemas.UserResourceType with
        {
            Extensions = [new SchemaExtensionDefinition(ScimSchemas.EnterpriseUser, Required: true)],
        };

        var exception = Assert.Throws<ScimException>(() => ScimResourceValidator.Validate(
            ScimJson.ParseObject($$"""{"schemas":["{{ScimConstants.UserSchema}}"],"userName":"u"{{extension}} }"""),
            resourceType));

        Assert.Equal(ScimErrorType.InvalidValue, exception.ScimType);
        Assert.Contains(Enterprise, exception.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("42", "42")]
    [InlineData("-7", "-7")]
    [InlineData("4.5", null)]
    [InlineData("\"42\"", null)]
    public void Validate_IntegerAttribute_AcceptsOnlyWholeNumbers(string json, string? expected)
    {
        var body = ScimJson.ParseObject($$"""{"schemas":["urn:test:Thing"],"count":{{json}} }""");

        if (expected is null)
        {
            var exception = Assert.Throws<ScimException>(() => ScimResourceValidator.Validate(body, _typedResourceType));
            Assert.Contains("'count' must be an integer", exception.Detail, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(expected, ScimResourceValidator.Validate(body, _typedResourceType)["count"]!.ToJsonString());
        }
    }

    [Theory]
    [InlineData("1.25", true)]
    [InlineData("3", true)]
    [InlineData("1e400", false)]
    [InlineData("\"1.5\"", false)]
    public void Validate_DecimalAttribute_AcceptsFiniteNumbers(string json, bool valid)
    {
        var body = ScimJson.ParseObject($$"""{"schemas":["urn:test:Thing"],"ratio":{{json}} }""");

        if (valid)
        {
            Assert.Equal(json, ScimResourceValidator.Validate(body, _typedResourceType)["ratio"]!.ToJsonString());
        }
        else
        {
            Assert.Throws<ScimException>(() => ScimResourceValidator.Validate(body, _typedResourceType));
        }
    }

    [Theory]
    [InlineData("2010-01-23T04:56:22Z", true)]
    [InlineData("2010-01-23T04:56:22.123+01:00", true)]
    [InlineData("2010-01-23T04:56:22", true)]
    [InlineData("2010-01-23", false)]
    [InlineData("23/01/2010 04:56", false)]
    [InlineData("2010-13-45T99:00:00Z", false)]
    public void Validate_DateTimeAttribute_AcceptsIso8601(string text, bool valid)
    {
        var body = ScimJson.ParseObject($$"""{"schemas":["urn:test:Thing"],"when":"{{text}}"}""");

        if (valid)
        {
            Assert.Equal(text, (string?)ScimResourceValidator.Validate(body, _typedResourceType)["when"]);
        }
        else
        {
            var exception = Assert.Throws<ScimException>(() => ScimResourceValidator.Validate(body, _typedResourceType));
            Assert.Contains("'when' must be an ISO 8601 date-time", exception.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_DoesNotChangeTheInput()
    {
        var body = ScimJson.ParseObject(ScimExamples.OktaReplaceUser);
        var before = body.ToJsonString();

        ScimResourceValidator.Validate(body, ScimSchemas.UserResourceType);

        Assert.Equal(before, body.ToJsonString());
    }

    private static readonly ResourceTypeDefinition _typedResourceType = new(
        "Thing",
        "Thing",
        "/Things",
        "A test resource with every scalar type",
        new SchemaDefinition("urn:test:Thing", "Thing", "test",
        [
            new AttributeDefinition("count", AttributeType.Integer),
            new AttributeDefinition("ratio", AttributeType.Decimal),
            new AttributeDefinition("when", AttributeType.DateTime),
        ]),
        []);

    private static JsonObject ValidateUser(string json) =>
        ScimResourceValidator.Validate(ScimJson.ParseObject(json), ScimSchemas.UserResourceType);

    private static ScimException Reject(string json)
    {
        var exception = Assert.Throws<ScimException>(() => ValidateUser(json));
        Assert.Equal(400, exception.Status);
        return exception;
    }

    private static List<string?> Schemas(JsonObject output) => [.. output["schemas"]!.AsArray().Select(s => (string?)s)];
}
