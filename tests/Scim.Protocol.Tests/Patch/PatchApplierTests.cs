using System.Text.Json.Nodes;
using Microservices.Scim.Errors;
using Microservices.Scim.Patch;
using static Microservices.Scim.Protocol.Tests.Patch.PatchTestData;

namespace Microservices.Scim.Protocol.Tests.Patch;

public sealed class PatchApplierTests
{
    private static readonly PatchApplier _users = new(TestSchemas.User);
    private static readonly PatchApplier _groups = new(TestSchemas.Group);

    private static JsonObject ApplyToUser(string operations, JsonObject? user = null) =>
        _users.Apply(user ?? User(), Request(operations)).Resource;

    private static JsonObject ApplyToGroup(string operations, JsonObject? group = null) =>
        _groups.Apply(group ?? Group(), Request(operations)).Resource;

    private static ScimException Fails(string operations, JsonObject? user = null) =>
        Assert.Throws<ScimException>(() => _users.Apply(user ?? User(), Request(operations)));

    private static List<string?> EmailValues(JsonObject user) =>
        [.. user["emails"]!.AsArray().Select(e => e!["value"]!.GetValue<string>())];

    // RFC 7644 §3.5.2.1
    [Fact]
    public void Apply_RfcAddMembers_AppendsTheMember()
    {
        var group = ApplyToGroup("""
            {"op":"add","path":"members","value":[{"display":"Babs Jensen","$ref":"https://example.com/v2/_users/2819c223","value":"2819c224"}]}
            """);

        var members = group["members"]!.AsArray();
        Assert.Equal(3, members.Count);
        Assert.Equal("2819c224", members[2]!["value"]!.GetValue<string>());
        Assert.Equal("https://example.com/v2/_users/2819c223", members[2]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_RfcPathlessAdd_AddsTheEmailAndTheNickName()
    {
        var user = ApplyToUser("""
            {"op":"add","value":{"emails":[{"value":"babs@jensen.org","type":"home"},{"value":"babs@example.net","type":"other"}],"nickname":"Babs"}}
            """);

        Assert.Equal(["bjensen@example.com", "babs@jensen.org", "babs@example.net"], EmailValues(user));
        Assert.Equal("Babs", user["nickName"]!.GetValue<string>());
    }

    // RFC 7644 §3.5.2.2
    [Fact]
    public void Apply_RfcRemoveMemberByFilter_RemovesOnlyThatMember()
    {
        var group = ApplyToGroup("""{"op":"remove","path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"}""");

        var member = Assert.Single(group["members"]!.AsArray());
        Assert.Equal("902c246b-6245-4190-8e05-00816be7344a", member!["value"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_RfcRemoveAllMembers_RemovesTheAttribute()
    {
        var group = ApplyToGroup("""{"op":"remove","path":"members"}""");

        Assert.False(group.ContainsKey("members"));
    }

    [Fact]
    public void Apply_RfcRemoveWithComplexFilter_RemovesMatchingValues()
    {
        var user = ApplyToUser("""{"op":"remove","path":"emails[type eq \"work\" and value ew \"example.com\"]"}""");

        Assert.Equal(["babs@jensen.org"], EmailValues(user));
    }

    [Fact]
    public void Apply_RfcRemoveAllThenAdd_ReplacesMembers()
    {
        var group = ApplyToGroup("""
            {"op":"remove","path":"members"},
            {"op":"add","path":"members","value":[{"display":"James Smith","value":"08e1d05d"},{"display":"Jane Doe","value":"2819c224"}]}
            """);

        Assert.Equal(["08e1d05d", "2819c224"], group["members"]!.AsArray().Select(m => m!["value"]!.GetValue<string>()));
    }

    [Fact]
    public void Apply_RemoveFilterThatMatchesNothing_IsANoOp()
    {
        var result = _users.Apply(User(), Request("""{"op":"remove","path":"emails[type eq \"other\"]"}"""));

        Assert.False(result.Changed);
    }

    // RFC 7644 §3.5.2.3
    [Fact]
    public void Apply_RfcReplaceMembers_ReplacesAllValues()
    {
        var group = ApplyToGroup("""
            {"op":"replace","path":"members","value":[{"display":"James Smith","value":"08e1d05d"},{"display":"Jane Doe","value":"2819c224"}]}
            """);

        Assert.Equal(["08e1d05d", "2819c224"], group["members"]!.AsArray().Select(m => m!["value"]!.GetValue<string>()));
    }

    [Fact]
    public void Apply_RfcReplaceAddressByFilter_ReplacesTheWholeRecord()
    {
        var user = ApplyToUser("""
            {"op":"replace","path":"addresses[type eq \"work\"]","value":{"type":"work","streetAddress":"911 Universal City Plaza","locality":"Hollywood","postalCode":"91608","country":"US","formatted":"911 Universal City Plaza\nHollywood, CA 91608 US","primary":true}}
            """);

        var work = user["addresses"]!.AsArray()[0]!.AsObject();
        Assert.Equal("911 Universal City Plaza", work["streetAddress"]!.GetValue<string>());
        Assert.Equal("US", work["country"]!.GetValue<string>());
        Assert.Equal(2, user["addresses"]!.AsArray().Count);
    }

    [Fact]
    public void Apply_RfcReplaceSubAttributeByFilter_ChangesOnlyThatSubAttribute()
    {
        var user = ApplyToUser("""{"op":"replace","path":"addresses[type eq \"work\"].streetAddress","value":"1010 Broadway Ave"}""");

        var work = user["addresses"]!.AsArray()[0]!.AsObject();
        Assert.Equal("1010 Broadway Ave", work["streetAddress"]!.GetValue<string>());
        Assert.Equal("Hollywood", work["locality"]!.GetValue<string>());
        Assert.Equal("456 Hollywood Blvd", user["addresses"]!.AsArray()[1]!["streetAddress"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_RfcPathlessReplace_ReplacesEmailsAndSetsNickName()
    {
        var user = ApplyToUser("""{"op":"replace","value":{"emails":[{"value":"bjensen@example.com","type":"work"}],"nickname":"Babs"}}""");

        Assert.Equal(["bjensen@example.com"], EmailValues(user));
        Assert.Equal("Babs", user["nickName"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_ReplaceWithFilterMatchingNothing_IsNoTarget()
    {
        var error = Fails("""{"op":"replace","path":"emails[type eq \"other\"].value","value":"x@example.com"}""");

        Assert.Equal(ScimErrorType.NoTarget, error.ScimType);
        Assert.StartsWith("Operations[0]:", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_ReplaceComplexWithoutFilter_MergesSubAttributes()
    {
        var user = ApplyToUser("""{"op":"replace","path":"name","value":{"givenName":"Babs"}}""");

        Assert.Equal("Babs", user["name"]!["givenName"]!.GetValue<string>());
        Assert.Equal("Jensen", user["name"]!["familyName"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_PathlessAddOfComplex_MergesSubAttributes()
    {
        var user = ApplyToUser("""{"op":"add","value":{"name":{"familyName":"Jensen-Smith"}}}""");

        Assert.Equal("Barbara", user["name"]!["givenName"]!.GetValue<string>());
        Assert.Equal("Jensen-Smith", user["name"]!["familyName"]!.GetValue<string>());
    }

    // Okta (domain notes §3)
    [Fact]
    public void Apply_OktaDeactivate_SetsActiveFalse()
    {
        var result = _users.Apply(User(), PatchRequest.Parse("""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}
            """));

        Assert.False(result.Resource["active"]!.GetValue<bool>());
        Assert.True(result.Changed);
    }

    [Fact]
    public void Apply_OktaGroupRenameWithItsOwnId_RenamesAndKeepsTheId()
    {
        var result = _groups.Apply(Group(), Request("""{"op":"replace","value":{"id":"e9e30dba-f08f-4109-8486-d5c6a331660a","displayName":"Tour Guides EMEA"}}"""));

        Assert.Equal("Tour Guides EMEA", result.Resource["displayName"]!.GetValue<string>());
        Assert.Equal("e9e30dba-f08f-4109-8486-d5c6a331660a", result.Resource["id"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_GroupRenameWithAnotherId_IsMutability()
    {
        var error = Assert.Throws<ScimException>(() => _groups.Apply(Group(), Request("""{"op":"replace","value":{"id":"other","displayName":"X"}}""")));

        Assert.Equal(ScimErrorType.Mutability, error.ScimType);
    }

    [Fact]
    public void Apply_OktaMembershipUpdate_RemovesByFilterAndAddsByList()
    {
        var group = ApplyToGroup("""
            {"op":"remove","path":"members[value eq \"902c246b-6245-4190-8e05-00816be7344a\"]"},
            {"op":"add","path":"members","value":[{"value":"00u1a2b3c4","display":"someone@example.com"}]}
            """);

        Assert.Equal(
            ["2819c223-7f76-453a-919d-413861904646", "00u1a2b3c4"],
            group["members"]!.AsArray().Select(m => m!["value"]!.GetValue<string>()));
    }

    // Entra (domain notes §2.4)
    [Fact]
    public void Apply_EntraActiveAsString_IsCoercedToBoolean()
    {
        var user = ApplyToUser("""{"op":"Replace","path":"active","value":"False"}""");

        Assert.False(user["active"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("\"TRUE\"", true)]
    [InlineData("\"false\"", false)]
    [InlineData("true", true)]
    public void Apply_BooleanInAnyCaseOrJson_IsStoredAsJsonBoolean(string value, bool expected)
    {
        var user = ApplyToUser("{\"op\":\"Replace\",\"value\":{\"active\":" + value + "}}");

        Assert.Equal(expected, user["active"]!.GetValue<bool>());
    }

    [Fact]
    public void Apply_EntraMemberRemovalByValueList_RemovesOnlyTheListedMembers()
    {
        var group = ApplyToGroup("""{"op":"Remove","path":"members","value":[{"value":"2819c223-7f76-453a-919d-413861904646"},{"value":"not-a-member"}]}""");

        var member = Assert.Single(group["members"]!.AsArray());
        Assert.Equal("902c246b-6245-4190-8e05-00816be7344a", member!["value"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_EntraMemberAddWithNullRef_AddsTheMemberWithoutRef()
    {
        var group = ApplyToGroup("""{"op":"Add","path":"members","value":[{"value":"id1","$ref":null}]}""");

        var added = group["members"]!.AsArray()[2]!.AsObject();
        Assert.Equal("id1", added["value"]!.GetValue<string>());
        Assert.False(added.ContainsKey("$ref"));
    }

    [Fact]
    public void Apply_EntraReAddsExistingMember_NoDuplicateAndNoChange()
    {
        var result = _groups.Apply(Group(), Request("""{"op":"Add","path":"members","value":[{"value":"2819c223-7f76-453a-919d-413861904646"}]}"""));

        Assert.Equal(2, result.Resource["members"]!.AsArray().Count);
        Assert.False(result.Changed);
    }

    [Fact]
    public void Apply_AddOfIdenticalEmail_DoesNotDuplicateIt()
    {
        var result = _users.Apply(User(), Request("""{"op":"add","path":"emails","value":[{"value":"BABS@jensen.org","type":"home"}]}"""));

        Assert.Equal(2, result.Resource["emails"]!.AsArray().Count);
        Assert.False(result.Changed);
    }

    [Fact]
    public void Apply_AddOfKnownEmailWithMoreDetail_MergesIntoTheExistingValue()
    {
        var user = ApplyToUser("""{"op":"add","path":"emails","value":[{"value":"babs@jensen.org","type":"home","display":"Babs at home"}]}""");

        Assert.Equal(2, user["emails"]!.AsArray().Count);
        Assert.Equal("Babs at home", user["emails"]![1]!["display"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_EntraPathlessReplaceWithPathKeys_AppliesEachKeyAsAPath()
    {
        var user = ApplyToUser("""
            {"op":"Replace","value":{
              "name.givenName":"Barb",
              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Tour Operations",
              "active":"False",
              "emails[type eq \"work\"].value":"barbara@example.com"}}
            """);

        Assert.Equal("Barb", user["name"]!["givenName"]!.GetValue<string>());
        Assert.Equal("Jensen", user["name"]!["familyName"]!.GetValue<string>());
        Assert.Equal("Tour Operations", user[Enterprise]!["department"]!.GetValue<string>());
        Assert.False(user["active"]!.GetValue<bool>());
        Assert.Equal(["barbara@example.com", "babs@jensen.org"], EmailValues(user));
        Assert.Contains(Enterprise, user["schemas"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public void Apply_PathlessReplaceKeyWithFilterMatchingNothing_AddsTheValue()
    {
        var user = ApplyToUser("""{"op":"Replace","value":{"emails[type eq \"other\"].value":"babs@other.example"}}""");

        var added = user["emails"]!.AsArray()[2]!.AsObject();
        Assert.Equal("other", added["type"]!.GetValue<string>());
        Assert.Equal("babs@other.example", added["value"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_EntraAddWorkEmailToUserWithoutOne_CreatesTheValueFromTheFilter()
    {
        var user = User();
        user.Remove("emails");

        var patched = ApplyToUser("""{"op":"Add","path":"emails[type eq \"work\"].value","value":"bjensen@example.com"}""", user);

        var email = Assert.Single(patched["emails"]!.AsArray())!.AsObject();
        Assert.Equal("work", email["type"]!.GetValue<string>());
        Assert.Equal("bjensen@example.com", email["value"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_EntraAddWorkEmailWhenOneExists_UpdatesIt()
    {
        var user = ApplyToUser("""{"op":"Add","path":"emails[type eq \"work\"].value","value":"new@example.com"}""");

        Assert.Equal(["new@example.com", "babs@jensen.org"], EmailValues(user));
    }

    [Fact]
    public void Apply_AddWithFilterThatDoesNotPinAValue_IsNoTarget()
    {
        var error = Fails("""{"op":"Add","path":"emails[type eq \"other\" or type eq \"x\"].value","value":"new@example.com"}""");

        Assert.Equal(ScimErrorType.NoTarget, error.ScimType);
    }

    [Fact]
    public void Apply_EntraReplaceWorkEmail_ReplacesTheValue()
    {
        var user = ApplyToUser("""
            {"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},
            {"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}
            """);

        Assert.Equal(["updatedEmail@microsoft.com", "babs@jensen.org"], EmailValues(user));
        Assert.Equal("updatedFamilyName", user["name"]!["familyName"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_EnterpriseDepartmentUrnPath_CreatesTheExtensionObject()
    {
        var user = ApplyToUser("""{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Sales"}""");

        Assert.Equal("Sales", user[Enterprise]!["department"]!.GetValue<string>());
        Assert.Equal([ScimConstants.UserSchema, Enterprise], user["schemas"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public void Apply_EnterpriseManagerAsString_SetsManagerValue()
    {
        var user = ApplyToUser("""{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"26118915-6090"}""");

        Assert.Equal("26118915-6090", user[Enterprise]!["manager"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_EnterpriseManagerValuePath_SetsTheSubAttribute()
    {
        var user = ApplyToUser("""{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value","value":"m-2"}""");

        Assert.Equal("m-2", user[Enterprise]!["manager"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_ManagerWithEchoedReadOnlyDisplayName_IgnoresTheDisplayName()
    {
        var user = ApplyToUser("""{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"m-3","displayName":"Echo"}}""");

        Assert.Equal("m-3", user[Enterprise]!["manager"]!["value"]!.GetValue<string>());
        Assert.False(user[Enterprise]!["manager"]!.AsObject().ContainsKey("displayName"));
    }

    [Fact]
    public void Apply_ReadOnlySubAttributeByPath_IsMutability()
    {
        var error = Fails("""{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName","value":"X"}""");

        Assert.Equal(ScimErrorType.Mutability, error.ScimType);
    }

    [Fact]
    public void Apply_PathlessValueWithExtensionObject_MergesIntoTheExtension()
    {
        var user = User();
        user[Enterprise] = new JsonObject { ["employeeNumber"] = "701984" };

        var patched = ApplyToUser("""{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour Operations"}}}""", user);

        Assert.Equal("701984", patched[Enterprise]!["employeeNumber"]!.GetValue<string>());
        Assert.Equal("Tour Operations", patched[Enterprise]!["department"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_UnprefixedExtensionAttribute_ResolvesToTheExtension()
    {
        var user = ApplyToUser("""{"op":"replace","path":"department","value":"Ops"}""");

        Assert.Equal("Ops", user[Enterprise]!["department"]!.GetValue<string>());
        Assert.False(user.ContainsKey("department"));
    }

    [Fact]
    public void Apply_RemoveLastExtensionAttribute_DropsTheExtensionAndItsSchema()
    {
        var user = User();
        user[Enterprise] = new JsonObject { ["department"] = "Ops" };
        user["schemas"]!.AsArray().Add(Enterprise);

        var patched = ApplyToUser("""{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}""", user);

        Assert.False(patched.ContainsKey(Enterprise));
        Assert.Equal([ScimConstants.UserSchema], patched["schemas"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public void Apply_NameGivenName_SetsTheSubAttribute()
    {
        var user = ApplyToUser("""{"op":"replace","path":"name.givenName","value":"Babs"}""");

        Assert.Equal("Babs", user["name"]!["givenName"]!.GetValue<string>());
        Assert.Equal("Ms. Barbara J Jensen", user["name"]!["formatted"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_SubAttributeOfAbsentComplex_CreatesIt()
    {
        var user = User();
        user.Remove("name");

        var patched = ApplyToUser("""{"op":"add","path":"name.familyName","value":"Jensen"}""", user);

        Assert.Equal("Jensen", patched["name"]!["familyName"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_AttributeNamesInAnyCase_UpdateTheExistingKey()
    {
        var user = ApplyToUser("""{"op":"replace","path":"DISPLAYNAME","value":"Barbara"}""");

        Assert.Equal("Barbara", user["displayName"]!.GetValue<string>());
        Assert.DoesNotContain(user, p => p.Key == "DISPLAYNAME");
    }

    // primary
    [Fact]
    public void Apply_AddPrimaryEmail_ClearsTheOtherPrimary()
    {
        var user = ApplyToUser("""{"op":"add","path":"emails","value":[{"value":"new@example.com","type":"other","primary":true}]}""");

        var emails = user["emails"]!.AsArray();
        Assert.False(emails[0]!["primary"]!.GetValue<bool>());
        Assert.True(emails[2]!["primary"]!.GetValue<bool>());
    }

    [Fact]
    public void Apply_SetPrimaryByFilter_ClearsTheOtherPrimary()
    {
        var user = ApplyToUser("""{"op":"replace","path":"emails[type eq \"home\"].primary","value":true}""");

        var emails = user["emails"]!.AsArray();
        Assert.False(emails[0]!["primary"]!.GetValue<bool>());
        Assert.True(emails[1]!["primary"]!.GetValue<bool>());
    }

    [Fact]
    public void Apply_TwoPrimariesInOneValue_IsInvalidValue()
    {
        var error = Fails("""{"op":"replace","path":"emails","value":[{"value":"a@x.com","primary":true},{"value":"b@x.com","primary":"True"}]}""");

        Assert.Equal(ScimErrorType.InvalidValue, error.ScimType);
    }

    // mutability
    [Theory]
    [InlineData("""{"op":"replace","path":"id","value":"other"}""")]
    [InlineData("""{"op":"replace","value":{"id":"other"}}""")]
    [InlineData("""{"op":"remove","path":"id"}""")]
    [InlineData("""{"op":"add","path":"groups","value":[{"value":"g2"}]}""")]
    [InlineData("""{"op":"remove","path":"groups"}""")]
    [InlineData("""{"op":"replace","path":"meta.lastModified","value":"2030-01-01T00:00:00Z"}""")]
    [InlineData("""{"op":"replace","value":{"meta":{"lastModified":"2030-01-01T00:00:00Z"}}}""")]
    [InlineData("""{"op":"remove","path":"userName"}""")]
    [InlineData("""{"op":"replace","path":"userName","value":null}""")]
    public void Apply_ReadOnlyOrRequiredChange_IsMutability(string operation)
    {
        var error = Fails(operation);

        Assert.Equal(ScimErrorType.Mutability, error.ScimType);
        Assert.Equal(400, error.Status);
    }

    [Theory]
    [InlineData("""{"op":"replace","path":"id","value":"2819c223-7f76-453a-919d-413861904646"}""")]
    [InlineData("""{"op":"replace","value":{"meta":{"lastModified":"2011-05-13T04:42:34Z"}}}""")]
    [InlineData("""{"op":"add","path":"groups","value":[{"value":"e9e30dba-f08f-4109-8486-d5c6a331660a","display":"Tour Guides"}]}""")]
    public void Apply_ReadOnlySetToItsCurrentValue_IsANoOp(string operation)
    {
        var result = _users.Apply(User(), Request(operation));

        Assert.False(result.Changed);
    }

    [Fact]
    public void Apply_ImmutableWhileUnassigned_IsSet()
    {
        var user = ApplyToUser("""{"op":"add","path":"employeeSince","value":"2020-01-01T00:00:00Z"}""");

        Assert.Equal("2020-01-01T00:00:00Z", user["employeeSince"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_ImmutableAlreadySet_IsMutability()
    {
        var user = User();
        user["employeeSince"] = "2020-01-01T00:00:00Z";

        var error = Fails("""{"op":"replace","path":"employeeSince","value":"2021-01-01T00:00:00Z"}""", user);

        Assert.Equal(ScimErrorType.Mutability, error.ScimType);
    }

    // paths and values
    [Theory]
    [InlineData("""{"op":"replace","path":"nosuch","value":"x"}""")]
    [InlineData("""{"op":"replace","path":"name.middle","value":"x"}""")]
    [InlineData("""{"op":"replace","path":"title.x","value":"x"}""")]
    [InlineData("""{"op":"replace","path":"name[givenName eq \"x\"]","value":"x"}""")]
    [InlineData("""{"op":"remove","path":"emails[kind eq \"work\"]"}""")]
    [InlineData("""{"op":"replace","path":"urn:example:unknown:1.0:User:x","value":"x"}""")]
    [InlineData("""{"op":"replace","path":"emails.value","value":"x@example.com"}""")]
    public void Apply_PathThatNamesNoAttribute_IsInvalidPath(string operation)
    {
        var error = Fails(operation);

        Assert.Equal(ScimErrorType.InvalidPath, error.ScimType);
    }

    [Theory]
    [InlineData("""{"op":"replace","path":"active","value":"maybe"}""")]
    [InlineData("""{"op":"replace","path":"active","value":1}""")]
    [InlineData("""{"op":"replace","path":"loginCount","value":"3"}""")]
    [InlineData("""{"op":"replace","path":"loginCount","value":1.5}""")]
    [InlineData("""{"op":"replace","path":"score","value":"1.5"}""")]
    [InlineData("""{"op":"replace","path":"title","value":42}""")]
    [InlineData("""{"op":"replace","path":"title","value":{"a":1}}""")]
    [InlineData("""{"op":"replace","path":"name","value":"x"}""")]
    [InlineData("""{"op":"replace","path":"name","value":{"middle":"x"}}""")]
    [InlineData("""{"op":"add","path":"emails","value":[{"value":5}]}""")]
    [InlineData("""{"op":"add","path":"emails","value":[{"value":"a@b.c","extra":true}]}""")]
    [InlineData("""{"op":"replace","path":"employeeSince","value":"last tuesday"}""")]
    [InlineData("""{"op":"replace","value":{"nosuch":"x"}}""")]
    [InlineData("""{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":"x"}}""")]
    [InlineData("""{"op":"replace","value":{"emails[type eq":"x"}}""")]
    [InlineData("""{"op":"add","path":"title","value":null}""")]
    public void Apply_ValueThatDoesNotFitTheSchema_IsInvalidValue(string operation)
    {
        var error = Fails(operation);

        Assert.Equal(ScimErrorType.InvalidValue, error.ScimType);
    }

    [Fact]
    public void Apply_FilterComparisonThatDoesNotSuitTheType_IsInvalidFilter()
    {
        var error = Fails("""{"op":"remove","path":"emails[primary gt true]"}""");

        Assert.Equal(ScimErrorType.InvalidFilter, error.ScimType);
    }

    [Fact]
    public void Apply_ReplaceWithNull_UnassignsTheAttribute()
    {
        var user = ApplyToUser("""{"op":"replace","path":"displayName","value":null}""");

        Assert.False(user.ContainsKey("displayName"));
    }

    [Fact]
    public void Apply_RemoveSubAttribute_RemovesOnlyIt()
    {
        var user = ApplyToUser("""{"op":"remove","path":"name.formatted"}""");

        Assert.False(user["name"]!.AsObject().ContainsKey("formatted"));
        Assert.Equal("Jensen", user["name"]!["familyName"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_RemoveSubAttributeByFilter_KeepsTheValue()
    {
        var user = ApplyToUser("""{"op":"remove","path":"emails[type eq \"work\"].primary"}""");

        Assert.False(user["emails"]![0]!.AsObject().ContainsKey("primary"));
        Assert.Equal(2, user["emails"]!.AsArray().Count);
    }

    [Fact]
    public void Apply_RemoveAbsentAttribute_IsANoOp()
    {
        var result = _users.Apply(User(), Request("""{"op":"remove","path":"title"}"""));

        Assert.False(result.Changed);
    }

    [Fact]
    public void Apply_ReplaceMultiValuedWithEmptyArray_UnassignsIt()
    {
        var user = ApplyToUser("""{"op":"replace","path":"emails","value":[]}""");

        Assert.False(user.ContainsKey("emails"));
    }

    // all or nothing
    [Fact]
    public void Apply_LaterOperationFails_LeavesTheInputUntouchedAndThrows()
    {
        var user = User();
        var before = user.DeepClone();

        var error = Assert.Throws<ScimException>(() => _users.Apply(user, Request("""
            {"op":"replace","path":"displayName","value":"Changed"},
            {"op":"add","path":"emails","value":[{"value":"x@example.com"}]},
            {"op":"replace","path":"id","value":"hijack"}
            """)));

        Assert.Equal(ScimErrorType.Mutability, error.ScimType);
        Assert.StartsWith("Operations[2]:", error.Detail, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(before, user));
    }

    [Fact]
    public void Apply_Success_ReturnsACopyAndLeavesTheInputUntouched()
    {
        var user = User();
        var before = user.DeepClone();

        var result = _users.Apply(user, Request("""{"op":"replace","path":"displayName","value":"Changed"}"""));

        Assert.True(JsonNode.DeepEquals(before, user));
        Assert.NotSame(user, result.Resource);
        Assert.Equal("Changed", result.Resource["displayName"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_SameRequestTwice_GivesTheSameResult()
    {
        var request = Request("""{"op":"add","path":"emails","value":[{"value":"x@example.com","type":"other"}]}""");

        var first = _users.Apply(User(), request).Resource;
        var second = _users.Apply(User(), request).Resource;

        Assert.True(JsonNode.DeepEquals(first, second));
        Assert.Equal(3, second["emails"]!.AsArray().Count);
    }

    [Fact]
    public void Apply_BodyOverload_ParsesAndApplies()
    {
        var result = _users.Apply(User(), JsonNode.Parse(Body("""{"op":"replace","path":"title","value":"Guide"}""")));

        Assert.Equal("Guide", result.Resource["title"]!.GetValue<string>());
    }
}
