using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim.Errors;
using Microservices.Scim.Filters;
using Microservices.Scim.Patch;
using static Microservices.Scim.Protocol.Tests.Patch.PatchTestData;

namespace Microservices.Scim.Protocol.Tests.Patch;

public sealed class PatchRequestTests
{
    [Fact]
    public void Parse_RfcBody_ReadsEachOperation()
    {
        var request = Request("""
            {"op":"add","path":"members","value":[{"display":"Babs Jensen","value":"2819c223"}]},
            {"op":"remove","path":"members[value eq \"2819c223\"]"},
            {"op":"replace","value":{"displayName":"Tour Guides"}}
            """);

        Assert.Collection(
            request.Operations,
            op =>
            {
                Assert.Equal(PatchOperationType.Add, op.Type);
                Assert.Equal(new PatchPath(new AttributePath(null, "members")), op.Path);
                Assert.IsType<JsonArray>(op.Value);
            },
            op =>
            {
                Assert.Equal(PatchOperationType.Remove, op.Type);
                Assert.Equal(
                    new PatchPath(new AttributePath(null, "members"), new ComparisonFilter(new AttributePath(null, "value"), ComparisonOperator.Eq, new StringLiteral("2819c223"))),
                    op.Path);
            },
            op =>
            {
                Assert.Equal(PatchOperationType.Replace, op.Type);
                Assert.Null(op.Path);
            });
    }

    [Theory]
    [InlineData("Add", PatchOperationType.Add)]
    [InlineData("ADD", PatchOperationType.Add)]
    [InlineData("Replace", PatchOperationType.Replace)]
    [InlineData("Remove", PatchOperationType.Remove)]
    [InlineData("rEmOvE", PatchOperationType.Remove)]
    public void Parse_OpInAnyCase_IsRecognised(string op, PatchOperationType expected)
    {
        var request = Request("{\"op\":\"" + op + "\",\"path\":\"title\",\"value\":\"x\"}");

        Assert.Equal(expected, request.Operations[0].Type);
    }

    [Fact]
    public void Parse_MemberNamesInAnyCase_AreRecognised()
    {
        var request = PatchRequest.Parse("{\"SCHEMAS\":[\"" + ScimConstants.PatchOpSchema + "\"],\"operations\":[{\"OP\":\"replace\",\"Path\":\"title\",\"Value\":\"x\"}]}");

        Assert.Equal("title", request.Operations[0].Path!.Attribute.Name);
        Assert.Equal("x", request.Operations[0].Value!.GetValue<string>());
    }

    [Theory]
    [InlineData("emails[type eq \"work\"].value", "emails", "value", true)]
    [InlineData("members[value eq \"2819c223\"]", "members", null, true)]
    [InlineData("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "department", null, false)]
    [InlineData("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", "manager", "value", false)]
    [InlineData("name.givenName", "name", "givenName", false)]
    [InlineData("addresses[type eq \"work\"].streetAddress", "addresses", "streetAddress", true)]
    public void PatchPathParse_RfcAndIdpPaths_SplitIntoAttributeFilterAndSubAttribute(string text, string name, string? sub, bool filtered)
    {
        var path = PatchPath.Parse(text);

        Assert.Equal(name, path.Attribute.Name);
        Assert.Equal(sub, path.Attribute.SubAttribute);
        Assert.Equal(filtered, path.ValueFilter is not null);
        Assert.Equal(text, path.ToString());
        Assert.Equal(path, PatchPath.Parse(path.ToString()));
    }

    [Fact]
    public void PatchPathParse_UrnPath_KeepsTheSchema()
    {
        Assert.Equal(Enterprise, PatchPath.Parse(Enterprise + ":manager.value").Attribute.SchemaUri);
    }

    [Theory]
    [InlineData("emails[type eq \"work\"].value.x")]
    [InlineData("emails[type eq \"work\"]value")]
    [InlineData("emails[type eq \"work\"")]
    [InlineData("emails[type eq]")]
    [InlineData("name.givenName[type eq \"x\"]")]
    [InlineData("name given")]
    [InlineData("emails[type eq \"work\"].")]
    [InlineData("emails[type eq \"work\"].urn:x:y")]
    [InlineData("title pr")]
    public void PatchPathParse_Malformed_IsInvalidPath(string text)
    {
        var error = Assert.Throws<ScimException>(() => PatchPath.Parse(text));

        Assert.Equal(ScimErrorType.InvalidPath, error.ScimType);
    }

    [Theory]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("\"patch\"", "must be a JSON object")]
    [InlineData("null", "must be a JSON object")]
    [InlineData("{\"Operations\":[{\"op\":\"add\",\"value\":{}}]}", "'schemas' must contain")]
    [InlineData("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"Operations\":[{\"op\":\"add\",\"value\":{}}]}", "'schemas' must contain")]
    [InlineData("{\"schemas\":\"urn:ietf:params:scim:api:messages:2.0:PatchOp\",\"Operations\":[{\"op\":\"add\",\"value\":{}}]}", "'schemas' must contain")]
    [InlineData("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"]}", "needs an 'Operations' array")]
    [InlineData("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":{}}", "needs an 'Operations' array")]
    [InlineData("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[]}", "must not be empty")]
    [InlineData("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[5]}", "Operations[0] must be an object")]
    [InlineData("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"path\":\"title\"}]}", "Operations[0] needs an 'op'")]
    [InlineData("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":1}]}", "Operations[0].op must be a string")]
    [InlineData("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":\"move\",\"path\":\"title\"}]}", "\"move\" is not add, remove or replace")]
    [InlineData("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":\"add\",\"value\":{}}, {\"op\":\"copy\"}]}", "Operations[1].op")]
    [InlineData("{not json", "not valid JSON")]
    public void Parse_MalformedBody_IsInvalidSyntax(string json, string message)
    {
        var error = Assert.Throws<ScimException>(() => PatchRequest.Parse(json));

        Assert.Equal(ScimErrorType.InvalidSyntax, error.ScimType);
        Assert.Equal(400, error.Status);
        Assert.Contains(message, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateMemberNames_IsInvalidSyntax()
    {
        var error = Assert.Throws<ScimException>(() => PatchRequest.Parse(Body("{\"op\":\"add\",\"op\":\"remove\",\"path\":\"title\",\"value\":\"x\"}")));

        Assert.Equal(ScimErrorType.InvalidSyntax, error.ScimType);
    }

    [Fact]
    public void Parse_PathThatIsNotAString_IsInvalidPath()
    {
        var error = Assert.Throws<ScimException>(() => Request("{\"op\":\"replace\",\"path\":[\"title\"],\"value\":\"x\"}"));

        Assert.Equal(ScimErrorType.InvalidPath, error.ScimType);
        Assert.Contains("Operations[0].path must be a string", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MalformedPath_IsInvalidPathNamingTheOperation()
    {
        var error = Assert.Throws<ScimException>(() => Request("{\"op\":\"replace\",\"value\":{}},{\"op\":\"replace\",\"path\":\"emails[type eq \\\"work\\\"\",\"value\":\"x\"}"));

        Assert.Equal(ScimErrorType.InvalidPath, error.ScimType);
        Assert.StartsWith("Operations[1].path: invalid path: missing ']'", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RemoveWithoutPath_IsNoTarget()
    {
        var error = Assert.Throws<ScimException>(() => Request("{\"op\":\"remove\"}"));

        Assert.Equal(ScimErrorType.NoTarget, error.ScimType);
    }

    [Theory]
    [InlineData("{\"op\":\"add\",\"path\":\"title\"}")]
    [InlineData("{\"op\":\"replace\"}")]
    [InlineData("{\"op\":\"replace\",\"value\":\"x\"}")]
    [InlineData("{\"op\":\"add\",\"value\":[{\"title\":\"x\"}]}")]
    public void Parse_AddOrReplaceWithoutUsableValue_IsInvalidValue(string operation)
    {
        var error = Assert.Throws<ScimException>(() => Request(operation));

        Assert.Equal(ScimErrorType.InvalidValue, error.ScimType);
    }

    [Fact]
    public void Parse_MoreOperationsThanTheLimit_IsTooManyNamingTheLimit()
    {
        var operations = string.Join(",", Enumerable.Repeat("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}", 1001));

        var error = Assert.Throws<ScimException>(() => Request(operations));

        Assert.Equal(400, error.Status);
        Assert.Equal(ScimErrorType.TooMany, error.ScimType);
        Assert.Contains("1001 operations, over the limit of 1000 (MaxOperations)", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExactlyTheLimit_IsAccepted()
    {
        var operations = string.Join(",", Enumerable.Repeat("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"x\"}", 10));

        var request = PatchRequest.Parse(Body(operations), new PatchOptions(MaxOperations: 10));

        Assert.Equal(10, request.Operations.Count);
    }

    [Fact]
    public void Parse_JsonElement_GivesTheSameOperations()
    {
        using var document = JsonDocument.Parse(Body("{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}"));

        var request = PatchRequest.Parse(document.RootElement);

        Assert.Equal(PatchOperationType.Replace, request.Operations[0].Type);
        Assert.Equal("active", request.Operations[0].Path!.Attribute.Name);
    }

    [Fact]
    public void Parse_EmptyPath_IsTreatedAsNoPath()
    {
        var request = Request("{\"op\":\"replace\",\"path\":\"\",\"value\":{\"active\":false}}");

        Assert.Null(request.Operations[0].Path);
    }
}
