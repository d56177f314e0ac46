using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microservices.Scim.Discovery;
using Microservices.Scim.Errors;
using Microservices.Scim.Json;
using Microservices.Scim.Lists;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Protocol.Tests.Schemas;

/// <summary>Arbitrary JSON shaped like SCIM bodies: real attribute names in any case, any value anywhere.</summary>
public static class ScimJsonArbitraries
{
    private static readonly string[] _names =
    [
        "schemas", "id", "externalId", "meta", "userName", "USERNAME", "name", "givenName", "familyName", "displayName",
        "active", "Active", "password", "emails", "value", "type", "primary", "Primary", "groups", "members", "$ref",
        "display", "x509Certificates", "addresses", "phoneNumbers", "roles", "entitlements", "manager", "department",
        ScimConstants.EnterpriseUserSchema, ScimConstants.AssureUserSchema, "dateFormat", "isManager", "unknown",
        "attributes", "excludedAttributes", "filter", "sortBy", "sortOrder", "startIndex", "count", "Count",
    ];

    private static readonly string[] _strings =
    [
        "", " ", "True", "false", "work", "YYYY-MM-DD", "2010-01-23T04:56:22Z", "TWFu", "not base64!",
        ScimConstants.UserSchema, ScimConstants.GroupSchema, ScimConstants.EnterpriseUserSchema, "\u0000", "é",
        "userName,emails.value", "name.givenName", "descending", "sideways", "12", "-3",
    ];

    /// <summary>
    /// Objects that mostly carry a valid envelope (schemas, userName, displayName) so validation gets past it and
    /// meets the random members, and sometimes are random throughout.
    /// </summary>
    public static Arbitrary<JsonObject> Bodies() => Arb.From(Gen.Sized(size => Gen.Zip(
        ObjectGen(Math.Min(size / 10, 4)),
        Gen.Elements(true, true, true, false)).Select(pair =>
        {
            var (random, withEnvelope) = pair;
            if (!withEnvelope)
            {
                return random;
            }

            var body = new JsonObject
            {
                ["schemas"] = new JsonArray(ScimConstants.UserSchema, ScimConstants.GroupSchema, ScimConstants.EnterpriseUserSchema),
                ["userName"] = "u",
                ["displayName"] = "G",
            };
            foreach (var (name, value) in ScimJson.Properties(random))
            {
                if (name is not "schemas" and not "userName" and not "displayName")
                {
                    body[name] = value?.DeepClone();
                }
            }

            return body;
        })));

    private static Gen<JsonNode?> NodeGen(int depth)
    {
        var scalars = Gen.OneOf(
            Gen.Constant<JsonNode?>(null),
            Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b)),
            Gen.Choose(-5, 5).Select(i => (JsonNode?)JsonValue.Create(i)),
            Gen.Elements(1.5, 1e300, -0.0).Select(d => (JsonNode?)JsonValue.Create(d)),
            Gen.Elements(_strings).Select(s => (JsonNode?)JsonValue.Create(s)));
        if (depth <= 0)
        {
            return scalars;
        }

        return Gen.Frequency(
            (3, scalars),
            (2, ObjectGen(depth - 1).Select(o => (JsonNode?)o)),
            (2, ListOf(NodeGen(depth - 1), 4).Select(items => (JsonNode?)new JsonArray([.. items]))));
    }

    private static Gen<JsonObject> ObjectGen(int depth) =>
        ListOf(Gen.Zip(Gen.Elements(_names), NodeGen(depth)), 6).Select(pairs =>
        {
            var obj = new JsonObject();
            foreach (var (name, value) in pairs)
            {
                obj[name] = value;
            }

            return obj;
        });

    private static Gen<List<T>> ListOf<T>(Gen<T> gen, int max) =>
        Gen.Choose(0, max).SelectMany(n => Gen.ListOf(gen, n).Select(items => items.ToList()));
}

public sealed class HostileInputTests
{
    private static readonly string[] _readOnlyUserAttributes = ["id", "meta", "groups"];

    [Property(Arbitrary = [typeof(ScimJsonArbitraries)], MaxTest = 500)]
    public void Validate_AnyBody_ReturnsOrThrowsScimException(JsonObject body)
    {
        foreach (var resourceType in ScimSchemas.AllResourceTypes)
        {
            JsonObject output;
            try
            {
                output = ScimResourceValidator.Validate(body, resourceType);
            }
            catch (ScimException e)
            {
                Assert.Equal(400, e.Status);
                Assert.True(e.ScimType is ScimErrorType.InvalidValue or ScimErrorType.InvalidSyntax, e.ScimType);
                continue;
            }

            Assert.All(_readOnlyUserAttributes, name => Assert.False(output.ContainsKey(name)));
            Assert.All(ScimJson.Properties(output), p => Assert.True(
                p.Key == "schemas" || resourceType.Schema.Attributes.Any(a => a.Name == p.Key) || resourceType.FindExtension(p.Key) is not null,
                p.Key));
        }
    }

    [Property(Arbitrary = [typeof(ScimJsonArbitraries)], MaxTest = 300)]
    public void Apply_AnyResource_NeverReturnsNeverAttributesAndKeepsId(JsonObject resource)
    {
        var selection = AttributeSelection.Parse(ScimSchemas.UserResourceType, "userName,password,emails.value", null);

        var output = selection.Apply(resource);

        Assert.False(output.ContainsKey("password"));
        Assert.Equal(resource.ContainsKey("id") && resource["id"] is not null, output.ContainsKey("id"));
    }

    [Property(Arbitrary = [typeof(ScimJsonArbitraries)], MaxTest = 300)]
    public void FromSearchRequest_AnyBody_ReturnsOrThrowsScimException(JsonObject body)
    {
        try
        {
            var query = ListQuery.FromSearchRequest(ScimSchemas.UserResourceType, body, ScimServiceLimits.Default);
            Assert.InRange(query.Page.Count, 0, ScimServiceLimits.Default.MaxPageSize);
            Assert.True(query.Page.StartIndex >= 1);
        }
        catch (ScimException e)
        {
            Assert.Equal(400, e.Status);
        }
    }

    [Theory]
    [InlineData(33)]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public void ParseObject_DeepNesting_IsInvalidSyntax(int depth)
    {
        var json = string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

        var exception = Assert.Throws<ScimException>(() => ScimJson.ParseObject(json));

        Assert.Equal(ScimErrorType.InvalidSyntax, exception.ScimType);
    }

    [Fact]
    public void Validate_DeeplyNestedValueUnderAnAttribute_IsInvalidValue()
    {
        var nested = string.Concat(Enumerable.Repeat("{\"givenName\":", 30)) + "\"x\"" + new string('}', 30);
        var body = ScimJson.ParseObject($$"""{"schemas":["{{ScimConstants.UserSchema}}"],"userName":"u","name":{{nested}} }""");

        var exception = Assert.Throws<ScimException>(() => ScimResourceValidator.Validate(body, ScimSchemas.UserResourceType));

        Assert.Equal(ScimErrorType.InvalidValue, exception.ScimType);
    }

    [Fact]
    public void Validate_HugeArrayOfWrongTypes_IsInvalidValueWithoutWalkingIt()
    {
        var items = string.Join(",", Enumerable.Repeat("1", 200_000));
        var body = ScimJson.ParseObject($$"""{"schemas":["{{ScimConstants.GroupSchema}}"],"displayName":"G","members":[{{items}}]}""");

        var exception = Assert.Throws<ScimException>(() => ScimResourceValidator.Validate(body, ScimSchemas.GroupResourceType));

        Assert.Equal(ScimErrorType.InvalidValue, exception.ScimType);
        Assert.Contains("more than", exception.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{\"a\":1}{\"b\":2}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"a\":1,\"a\":2}")]
    [InlineData("{\"a\":{\"b\":1,\"b\":2}}")]
    public void ParseObject_NotASingleObject_IsInvalidSyntax(string json)
    {
        var exception = Assert.Throws<ScimException>(() => ScimJson.ParseObject(json));

        Assert.Equal(400, exception.Status);
        Assert.Equal(ScimErrorType.InvalidSyntax, exception.ScimType);
    }

    [Fact]
    public void Validate_ObjectWithDuplicateNamesFromALenientParser_IsInvalidSyntax()
    {
        // JsonNode.Parse with default options accepts duplicates and fails only when the object is first read.
        var body = JsonNode.Parse($$"""{"schemas":["{{ScimConstants.UserSchema}}"],"userName":"a","userName":"b"}""")!.AsObject();

        var exception = Assert.Throws<ScimException>(() => ScimResourceValidator.Validate(body, ScimSchemas.UserResourceType));

        Assert.Equal(ScimErrorType.InvalidSyntax, exception.ScimType);
    }
}
