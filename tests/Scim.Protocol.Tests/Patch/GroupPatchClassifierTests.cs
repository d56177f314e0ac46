using System.Text.Json.Nodes;
using Microservices.Scim.Errors;
using Microservices.Scim.Patch;
using static Microservices.Scim.Protocol.Tests.Patch.PatchTestData;

namespace Microservices.Scim.Protocol.Tests.Patch;

public sealed class GroupPatchClassifierTests
{
    private static GroupPatchPlan Classify(string operations) => GroupPatchClassifier.Classify(Request(operations));

    [Fact]
    public void Classify_OktaMembershipUpdate_GivesAddsAndRemoves()
    {
        var plan = Classify("""
            {"op":"remove","path":"members[value eq \"00u-old\"]"},
            {"op":"add","path":"members","value":[{"value":"00u-new1","display":"a@example.com"},{"value":"00u-new2","display":"b@example.com"}]}
            """);

        Assert.Null(plan.ReplaceMembers);
        Assert.Equal(["00u-new1", "00u-new2"], plan.AddMembers);
        Assert.Equal(["00u-old"], plan.RemoveMembers);
        Assert.Empty(plan.OtherOperations);
        Assert.True(plan.ChangesMembers);
    }

    [Fact]
    public void Classify_OktaRenameAlongsideMembers_KeepsTheRenameAsAnOtherOperation()
    {
        var plan = Classify("""
            {"op":"replace","value":{"id":"g1","displayName":"New name"}},
            {"op":"add","path":"members","value":[{"value":"u1"}]}
            """);

        var rename = Assert.Single(plan.OtherOperations);
        Assert.Equal(PatchOperationType.Replace, rename.Type);
        Assert.Equal("New name", rename.Value!["displayName"]!.GetValue<string>());
        Assert.Equal(["u1"], plan.AddMembers);
    }

    [Fact]
    public void Classify_EntraValueListRemoval_RemovesOnlyTheListedIds()
    {
        var plan = Classify("""{"op":"Remove","path":"members","value":[{"value":"id1"},{"value":"id2"}]}""");

        Assert.Null(plan.ReplaceMembers);
        Assert.Equal(["id1", "id2"], plan.RemoveMembers);
        Assert.Empty(plan.AddMembers);
    }

    [Fact]
    public void Classify_EntraAddWithNullRef_AddsTheId()
    {
        var plan = Classify("""{"op":"Add","path":"members","value":[{"value":"id1","$ref":null}]}""");

        Assert.Equal(["id1"], plan.AddMembers);
    }

    [Fact]
    public void Classify_OrOfValueEqualities_RemovesEachId()
    {
        var plan = Classify("""{"op":"remove","path":"members[value eq \"a\" or value eq \"b\" or (value eq \"c\")]"}""");

        Assert.Equal(["a", "b", "c"], plan.RemoveMembers);
    }

    [Theory]
    [InlineData("""{"op":"remove","path":"members[display eq \"Babs\"]"}""")]
    [InlineData("""{"op":"remove","path":"members[value eq \"a\" and type eq \"User\"]"}""")]
    [InlineData("""{"op":"remove","path":"members[value sw \"a\"]"}""")]
    [InlineData("""{"op":"remove","path":"members[not (value eq \"a\")]"}""")]
    [InlineData("""{"op":"replace","path":"members[value eq \"a\"]","value":{"value":"b"}}""")]
    [InlineData("""{"op":"replace","path":"members.display","value":"x"}""")]
    [InlineData("""{"op":"remove","path":"members[value eq \"a\"].display"}""")]
    public void Classify_UnsupportedMembersPath_IsInvalidPath(string operation)
    {
        var error = Assert.Throws<ScimException>(() => Classify(operation));

        Assert.Equal(ScimErrorType.InvalidPath, error.ScimType);
    }

    [Theory]
    [InlineData("""{"op":"add","path":"members","value":[{"display":"no id"}]}""")]
    [InlineData("""{"op":"add","path":"members","value":[{"value":""}]}""")]
    [InlineData("""{"op":"add","path":"members","value":[{"value":5}]}""")]
    [InlineData("""{"op":"add","path":"members","value":null}""")]
    [InlineData("""{"op":"add","path":"members","value":[null]}""")]
    public void Classify_MemberWithoutId_IsInvalidValue(string operation)
    {
        var error = Assert.Throws<ScimException>(() => Classify(operation));

        Assert.Equal(ScimErrorType.InvalidValue, error.ScimType);
    }

    [Fact]
    public void Classify_ReplaceMembers_GivesTheFullSetAndFoldsLaterChangesIn()
    {
        var plan = Classify("""
            {"op":"add","path":"members","value":[{"value":"early"}]},
            {"op":"replace","path":"members","value":[{"value":"a"},{"value":"b"}]},
            {"op":"add","path":"members","value":[{"value":"c"}]},
            {"op":"remove","path":"members[value eq \"a\"]"}
            """);

        Assert.Equal(["b", "c"], plan.ReplaceMembers);
        Assert.Empty(plan.AddMembers);
        Assert.Empty(plan.RemoveMembers);
    }

    [Fact]
    public void Classify_RemoveAllMembers_IsAnEmptyReplace()
    {
        var plan = Classify("""{"op":"remove","path":"members"}""");

        Assert.NotNull(plan.ReplaceMembers);
        Assert.Empty(plan.ReplaceMembers);
    }

    [Fact]
    public void Classify_AddThenRemoveSameId_NetsToARemove()
    {
        var plan = Classify("""
            {"op":"add","path":"members","value":[{"value":"x"},{"value":"y"}]},
            {"op":"remove","path":"members","value":[{"value":"x"}]}
            """);

        Assert.Equal(["y"], plan.AddMembers);
        Assert.Equal(["x"], plan.RemoveMembers);
    }

    [Fact]
    public void Classify_RemoveThenAddSameId_NetsToAnAdd()
    {
        var plan = Classify("""
            {"op":"remove","path":"members[value eq \"x\"]"},
            {"op":"add","path":"members","value":{"value":"x"}}
            """);

        Assert.Equal(["x"], plan.AddMembers);
        Assert.Empty(plan.RemoveMembers);
    }

    [Fact]
    public void Classify_PathlessReplaceWithMembers_SplitsMembersFromTheRest()
    {
        var plan = Classify("""{"op":"replace","value":{"displayName":"Ops","members":[{"value":"a"}],"externalId":"ext-1"}}""");

        Assert.Equal(["a"], plan.ReplaceMembers);
        var rest = Assert.Single(plan.OtherOperations);
        var value = Assert.IsType<JsonObject>(rest.Value);
        Assert.Equal(["displayName", "externalId"], value.Select(p => p.Key));
    }

    [Fact]
    public void Classify_UrnPrefixedMembersPath_IsMembers()
    {
        var plan = Classify("""{"op":"add","path":"urn:ietf:params:scim:schemas:core:2.0:Group:members","value":[{"value":"a"}]}""");

        Assert.Equal(["a"], plan.AddMembers);
    }

    [Fact]
    public void Classify_ThousandMemberAdd_ListsEveryIdOnce()
    {
        var members = string.Join(",", Enumerable.Range(0, 1000).Select(i => "{\"value\":\"user-" + i + "\"}"));

        var plan = Classify("{\"op\":\"add\",\"path\":\"members\",\"value\":[" + members + ",{\"value\":\"user-7\"}]}");

        Assert.Equal(1000, plan.AddMembers.Count);
        Assert.Equal("user-999", plan.AddMembers[^1]);
    }

    [Fact]
    public void Classify_OtherOperations_ApplyToTheGroupWithoutMembers()
    {
        var plan = Classify("""
            {"op":"replace","value":{"id":"e9e30dba-f08f-4109-8486-d5c6a331660a","displayName":"Tour Guides EMEA"}},
            {"op":"add","path":"members","value":[{"value":"u1"}]},
            {"op":"replace","path":"externalId","value":"ext-9"}
            """);
        var group = Group();
        group.Remove("members");

        var result = new PatchApplier(TestSchemas.Group).Apply(group, new PatchRequest(plan.OtherOperations));

        Assert.Equal("Tour Guides EMEA", result.Resource["displayName"]!.GetValue<string>());
        Assert.Equal("ext-9", result.Resource["externalId"]!.GetValue<string>());
        Assert.False(result.Resource.ContainsKey("members"));
    }

    [Fact]
    public void Classify_NoMemberOperations_ChangesNoMembers()
    {
        var plan = Classify("""{"op":"replace","path":"displayName","value":"x"}""");

        Assert.False(plan.ChangesMembers);
        Assert.Single(plan.OtherOperations);
    }
}
