using System.Text.Json.Nodes;
using Microservices.Scim.Json;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Protocol.Tests.Schemas;

public sealed class AttributeSelectionTests
{
    private const string Enterprise = ScimConstants.EnterpriseUserSchema;

    // A stored user as the edge would return it, password included to prove projection removes it.
    private static JsonObject StoredUser() => ScimJson.ParseObject($$"""
        {
          "schemas": ["{{ScimConstants.UserSchema}}", "{{Enterprise}}"],
          "id": "u-1",
          "externalId": "ext-1",
          "userName": "bjensen@example.com",
          "name": { "givenName": "Barbara", "familyName": "Jensen" },
          "displayName": "Babs Jensen",
          "active": true,
          "password": "secret",
          "emails": [
            { "value": "bjensen@example.com", "type": "work", "primary": true },
            { "value": "babs@jensen.org", "type": "home" }
          ],
          "groups": [{ "value": "g-1", "display": "Tour Guides" }],
          "{{Enterprise}}": { "department": "OU-1", "costCenter": "4130" },
          "meta": { "resourceType": "User", "location": "https://scim.uk.sheassure.net/v1/scim/Users/u-1" }
        }
        """);

    private static JsonObject StoredGroup() => ScimJson.ParseObject($$"""
        {
          "schemas": ["{{ScimConstants.GroupSchema}}"],
          "id": "g-1",
          "displayName": "Tour Guides",
          "members": [{ "value": "u-1", "display": "Babs Jensen" }],
          "meta": { "resourceType": "Group" }
        }
        """);

    [Fact]
    public void Apply_Default_ReturnsEverythingButPassword()
    {
        var output = AttributeSelection.Default(ScimSchemas.UserResourceType).Apply(StoredUser());

        Assert.False(output.ContainsKey("password"));
        Assert.Equal(
            ["schemas", "id", "externalId", "userName", "name", "displayName", "active", "emails", "groups", Enterprise, "meta"],
            Keys(output));
        Assert.Equal(2, output["emails"]!.AsArray().Count);
    }

    [Fact]
    public void Apply_AttributesUserName_ReturnsAlwaysAttributesAndUserNameOnly()
    {
        var output = Select("userName", null).Apply(StoredUser());

        Assert.Equal(["schemas", "id", "userName"], Keys(output));
    }

    [Fact]
    public void Apply_AttributesPassword_NeverReturnsIt()
    {
        var output = Select("password,userName", null).Apply(StoredUser());

        Assert.Equal(["schemas", "id", "userName"], Keys(output));
    }

    [Fact]
    public void Apply_ExcludedId_StillReturnsId()
    {
        var output = Select(null, "id,userName").Apply(StoredUser());

        Assert.True(output.ContainsKey("id"));
        Assert.False(output.ContainsKey("userName"));
        Assert.True(output.ContainsKey("displayName"));
    }

    [Fact]
    public void Apply_SubAttribute_ReturnsParentWithOnlyThatSubAttribute()
    {
        var output = Select("name.givenName", null).Apply(StoredUser());

        Assert.Equal(["schemas", "id", "name"], Keys(output));
        Assert.Equal(["givenName"], Keys(output["name"]!.AsObject()));
    }

    [Fact]
    public void Apply_SubAttributeOfMultiValued_AppliesToEveryValue()
    {
        var output = Select("emails.value", null).Apply(StoredUser());

        var emails = output["emails"]!.AsArray();
        Assert.Equal(2, emails.Count);
        Assert.All(emails, e => Assert.Equal(["value"], Keys(e!.AsObject())));
    }

    [Fact]
    public void Apply_ExcludedSubAttribute_RemovesOnlyIt()
    {
        var output = Select(null, "name.familyName,emails.type").Apply(StoredUser());

        Assert.Equal(["givenName"], Keys(output["name"]!.AsObject()));
        Assert.Equal(["value", "primary"], Keys(output["emails"]![0]!.AsObject()));
    }

    [Fact]
    public void Apply_UrnPrefixedExtensionAttribute_ReturnsExtensionWithOnlyIt()
    {
        var output = Select($"{Enterprise}:department", null).Apply(StoredUser());

        Assert.Equal(["schemas", "id", Enterprise], Keys(output));
        Assert.Equal(["department"], Keys(output[Enterprise]!.AsObject()));
    }

    [Fact]
    public void Apply_UrnPrefixedCoreAttributeInOtherCase_IsMatched()
    {
        var output = Select($"{ScimConstants.UserSchema.ToUpperInvariant()}:USERNAME,DisplayName", null).Apply(StoredUser());

        Assert.Equal(["schemas", "id", "userName", "displayName"], Keys(output));
    }

    [Fact]
    public void Apply_WholeExtensionUrn_ReturnsAllOfIt()
    {
        var output = Select(Enterprise, null).Apply(StoredUser());

        Assert.Equal(["department", "costCenter"], Keys(output[Enterprise]!.AsObject()));
    }

    [Fact]
    public void Apply_ExcludedExtensionUrn_RemovesTheExtensionObject()
    {
        var output = Select(null, Enterprise).Apply(StoredUser());

        Assert.False(output.ContainsKey(Enterprise));
        Assert.True(output.ContainsKey("userName"));
    }

    [Fact]
    public void Apply_ExcludedMembersOnGroup_RemovesMembers()
    {
        var selection = AttributeSelection.Parse(ScimSchemas.GroupResourceType, null, "members");

        var output = selection.Apply(StoredGroup());

        Assert.Equal(["schemas", "id", "displayName", "meta"], Keys(output));
    }

    [Fact]
    public void Apply_UnknownNames_AreIgnored()
    {
        Assert.Equal(["schemas", "id", "userName"], Keys(Select("userName,shoeSize,urn:x:y:z", null).Apply(StoredUser())));
        Assert.Equal(["schemas", "id"], Keys(Select("shoeSize", null).Apply(StoredUser())));
        Assert.Equal(Keys(Select(null, null).Apply(StoredUser())), Keys(Select(null, "shoeSize,name.shoe").Apply(StoredUser())));
    }

    [Fact]
    public void Apply_BothParameters_AttributesWins()
    {
        var selection = Select("userName,displayName", "displayName");

        var output = selection.Apply(StoredUser());

        Assert.Equal(["schemas", "id", "userName", "displayName"], Keys(output));
        Assert.Empty(selection.ExcludedAttributes);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" , ,")]
    public void Parse_EmptyAttributes_MeansDefault(string attributes)
    {
        var selection = Select(attributes, null);

        Assert.False(selection.HasAttributes);
        Assert.True(selection.Apply(StoredUser()).ContainsKey("displayName"));
    }

    [Fact]
    public void Apply_RequestAttribute_OnlyWhenNamed()
    {
        var resourceType = new ResourceTypeDefinition(
            "Thing",
            "Thing",
            "/Things",
            "test",
            new SchemaDefinition("urn:test:Thing", "Thing", "test",
            [
                new AttributeDefinition("id", AttributeType.String, Returned: Returned.Always),
                new AttributeDefinition("summary", AttributeType.String),
                new AttributeDefinition("history", AttributeType.String, Returned: Returned.Request),
            ]),
            []);
        var thing = new JsonObject { ["id"] = "t", ["summary"] = "s", ["history"] = "h" };

        Assert.Equal(["id", "summary"], Keys(AttributeSelection.Default(resourceType).Apply(thing)));
        Assert.Equal(["id", "summary"], Keys(AttributeSelection.Parse(resourceType, null, "id").Apply(thing)));
        Assert.Equal(["id", "history"], Keys(AttributeSelection.Parse(resourceType, "history", null).Apply(thing)));
        Assert.False(AttributeSelection.Default(resourceType).IsRequested("history"));
        Assert.True(AttributeSelection.Parse(resourceType, "HISTORY", null).IsRequested("history"));
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(null, "members", false)]
    [InlineData(null, "MEMBERS", false)]
    [InlineData(null, "members.display", true)]
    [InlineData(null, ScimConstants.GroupSchema + ":members", false)]
    [InlineData("displayName", null, false)]
    [InlineData("members", null, true)]
    [InlineData("members.value", null, true)]
    [InlineData("displayName", "members", false)]
    public void IsRequested_Members_FollowsSelection(string? attributes, string? excluded, bool expected)
    {
        var selection = AttributeSelection.Parse(ScimSchemas.GroupResourceType, attributes, excluded);

        Assert.Equal(expected, selection.IsRequested("members"));
    }

    [Theory]
    [InlineData("name.givenName", "name", true)]
    [InlineData("name.givenName", "name.givenName", true)]
    [InlineData("name.givenName", "name.familyName", false)]
    [InlineData("name", "name.familyName", true)]
    [InlineData("userName", "id", true)]
    [InlineData("userName", "password", false)]
    [InlineData("userName", Enterprise, false)]
    [InlineData(Enterprise + ":department", Enterprise, true)]
    [InlineData(Enterprise + ":department", "department", true)]
    [InlineData(Enterprise + ":department", Enterprise + ":costCenter", false)]
    public void IsRequested_WithAttributes_CoversAncestorsAndDescendants(string attributes, string path, bool expected)
    {
        Assert.Equal(expected, Select(attributes, null).IsRequested(path));
    }

    [Fact]
    public void IsRequested_UnknownPath_IsDefault()
    {
        Assert.True(Select(null, "userName").IsRequested("shoeSize"));
        Assert.False(Select("userName", null).IsRequested("shoeSize"));
    }

    [Fact]
    public void Attributes_AreCanonicalFullPaths()
    {
        var selection = Select("NAME.GIVENNAME,department,userName", null);

        Assert.Equal(
            [$"{ScimConstants.UserSchema}:name.givenName", $"{Enterprise}:department", $"{ScimConstants.UserSchema}:userName"],
            selection.Attributes);
    }

    [Fact]
    public void Apply_DoesNotChangeTheInput()
    {
        var user = StoredUser();
        var before = user.ToJsonString();

        Select("name.givenName", null).Apply(user);
        Select(null, "emails").Apply(user);

        Assert.Equal(before, user.ToJsonString());
    }

    [Fact]
    public void Apply_Default_NothingToLeaveOut_ReturnsTheResourceItself()
    {
        var user = StoredUser();
        user.Remove("password");

        Assert.Same(user, AttributeSelection.Default(ScimSchemas.UserResourceType).Apply(user));
    }

    // Each resource holds one thing the default selection leaves out, or nothing: the shortcut for the default must
    // answer exactly what the full projection answers. Excluding an attribute none of them has forces the full walk.
    [Theory]
    [InlineData("""{"id":"u","userName":"a"}""")]
    [InlineData("""{"id":"u","userName":"a","password":"p"}""")]
    [InlineData("""{"id":"u","userName":"a","displayName":null}""")]
    [InlineData("""{"id":"u","userName":"a","name":{}}""")]
    [InlineData("""{"id":"u","userName":"a","name":{"givenName":null}}""")]
    [InlineData("""{"id":"u","userName":"a","emails":[{"value":"x@y"},null]}""")]
    [InlineData("""{"id":"u","userName":"a","emails":[{}]}""")]
    [InlineData("""{"id":"u","userName":"a","emails":[]}""")]
    [InlineData("""{"id":"u","userName":"a","emails":[{"value":"x@y","display":"X"}],"nickName":"n"}""")]
    [InlineData("""{"id":"u","userName":"a","x-unknown":{"a":null}}""")]
    [InlineData("""{"id":"u","userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"D"}}""")]
    [InlineData("""{"id":"u","userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{}}""")]
    [InlineData("""{"id":"u","userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"unknownMember":"v"}}""")]
    [InlineData("""{"id":"u","userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":"not an object"}""")]
    [InlineData("""{"id":"u","userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m","displayName":null}}}""")]
    public void Apply_Default_AnswersWhatTheFullProjectionAnswers(string json)
    {
        var forcedWalk = Select(null, "title");

        var shortcut = AttributeSelection.Default(ScimSchemas.UserResourceType).Apply(ScimJson.ParseObject(json));
        var walked = forcedWalk.Apply(ScimJson.ParseObject(json));

        Assert.Equal(walked.ToJsonString(), shortcut.ToJsonString());
    }

    private static AttributeSelection Select(string? attributes, string? excluded) =>
        AttributeSelection.Parse(ScimSchemas.UserResourceType, attributes, excluded);

    private static List<string> Keys(JsonObject obj) => [.. ScimJson.Properties(obj).Select(p => p.Key)];
}
