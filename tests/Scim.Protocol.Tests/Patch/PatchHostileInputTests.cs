using System.Text;
using System.Text.Json.Nodes;
using Microservices.Scim.Errors;
using Microservices.Scim.Patch;
using static Microservices.Scim.Protocol.Tests.Patch.PatchTestData;

namespace Microservices.Scim.Protocol.Tests.Patch;

/// <summary>
/// Bodies a broken or hostile client could send. Each is either malformed or asks for something the schema forbids,
/// and must be refused with a SCIM error (400 with a scimType), or is well-formed and may succeed, and then must do
/// exactly what it says. Nothing else: no other exception, and never a change to the input.
/// </summary>
public sealed class PatchHostileInputTests
{
    /// <summary>
    /// Well-formed PATCHes that are hostile only by size: the protocol core has no length rules of its own (the edge
    /// caps the body at MaxPayloadBytes, the domain services cap each field), so applying them is correct here.
    /// </summary>
    private static readonly HashSet<string> _maySucceed = ["value huge string"];

    private static readonly Dictionary<string, Func<JsonNode?>> _inputs = BuildInputs();

    public static TheoryData<string> MustFail() => new(_inputs.Keys.Where(k => !_maySucceed.Contains(k)));

    public static TheoryData<string> MaySucceed() => new(_maySucceed);

    private static JsonNode? Parse(string json) => JsonNode.Parse(json);

    private static Dictionary<string, Func<JsonNode?>> BuildInputs()
    {
        static string Op(string json) => Body(json);

        var deep = new StringBuilder();
        for (var i = 0; i < 60; i++)
        {
            deep.Append("{\"a\":");
        }

        deep.Append('1').Append('}', 60);

        return new Dictionary<string, Func<JsonNode?>>
        {
            ["null body"] = () => null,
            ["array body"] = () => Parse("[]"),
            ["number body"] = () => Parse("5"),
            ["100k operations"] = () => Parse(Body(string.Join(",", Enumerable.Repeat("{\"op\":\"add\",\"value\":{}}", 100_000)))),
            ["operations are strings"] = () => Parse(Op("\"add\",\"remove\"")),
            ["operations are arrays"] = () => Parse(Op("[],[]")),
            ["operation null"] = () => Parse(Op("null")),
            ["op is an object"] = () => Parse(Op("{\"op\":{\"x\":1},\"path\":\"title\"}")),
            ["op is null"] = () => Parse(Op("{\"op\":null,\"path\":\"title\"}")),
            ["op is empty"] = () => Parse(Op("{\"op\":\"\",\"path\":\"title\"}")),
            ["op is huge"] = () => Parse(Op("{\"op\":\"" + new string('a', 100_000) + "\",\"path\":\"title\"}")),
            ["path is a number"] = () => Parse(Op("{\"op\":\"remove\",\"path\":5}")),
            ["path is an object"] = () => Parse(Op("{\"op\":\"remove\",\"path\":{\"a\":1}}")),
            ["path deeply nested"] = () => Parse(Op("{\"op\":\"remove\",\"path\":\"emails[" + new string('(', 5000) + "\"}")),
            ["path 1 MB"] = () => Parse(Op("{\"op\":\"remove\",\"path\":\"" + new string('a', 1_000_000) + "\"}")),
            ["path with NUL"] = () => Parse(Op("{\"op\":\"remove\",\"path\":\"title\\u0000\"}")),
            ["path with lone surrogate"] = () => Parse(Op("{\"op\":\"remove\",\"path\":\"emails[value eq \\\"\\ud800\\\"]\"}")),
            ["path-less remove"] = () => Parse(Op("{\"op\":\"remove\",\"value\":{\"title\":\"x\"}}")),
            ["value deep JSON"] = () => Parse(Op("{\"op\":\"replace\",\"path\":\"name\",\"value\":" + deep + "}")),
            ["pathless deep JSON"] = () => Parse(Op("{\"op\":\"replace\",\"value\":{\"name\":" + deep + "}}")),
            ["pathless key deep filter"] = () => Parse(Op("{\"op\":\"replace\",\"value\":{\"emails[" + new string('(', 100) + "\":1}}")),
            ["value array of arrays"] = () => Parse(Op("{\"op\":\"add\",\"path\":\"emails\",\"value\":[[[[]]]]}")),
            ["value huge string"] = () => Parse(Op("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"" + new string('x', 1_000_000) + "\"}")),
            ["value huge number"] = () => Parse(Op("{\"op\":\"replace\",\"path\":\"loginCount\",\"value\":1" + new string('0', 400) + "}")),
            ["value number for complex"] = () => Parse(Op("{\"op\":\"add\",\"path\":\"name\",\"value\":1e308}")),
            ["extension not an object"] = () => Parse(Op("{\"op\":\"add\",\"value\":{\"" + Enterprise + "\":[1,2]}}")),
            ["extension inner key with schema"] = () => Parse(Op("{\"op\":\"add\",\"value\":{\"" + Enterprise + "\":{\"urn:x:y\":1}}}")),
            ["schemas missing"] = () => Parse("{\"Operations\":[{\"op\":\"add\",\"value\":{}}]}"),
            ["schemas nested"] = () => Parse("{\"schemas\":[[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"]],\"Operations\":[]}"),
            ["Operations null"] = () => Parse("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":null}"),
            ["filter type clash"] = () => Parse(Op("{\"op\":\"remove\",\"path\":\"emails[primary co \\\"t\\\"]\"}")),
            ["filter on unknown sub"] = () => Parse(Op("{\"op\":\"remove\",\"path\":\"emails[x pr]\"}")),
            ["members filter on user"] = () => Parse(Op("{\"op\":\"remove\",\"path\":\"members[value eq \\\"a\\\"]\"}")),
            ["primary as object"] = () => Parse(Op("{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"a@b.c\",\"primary\":{}}]}")),
            ["date as number"] = () => Parse(Op("{\"op\":\"replace\",\"path\":\"employeeSince\",\"value\":5}")),
            ["resource extension is a string"] = () => Parse(Op("{\"op\":\"add\",\"path\":\"" + Enterprise + ":department\",\"value\":\"x\"}")),
        };
    }

    [Theory]
    [MemberData(nameof(MustFail))]
    public void ParseAndApply_HostileBody_IsRefusedWithAScimError(string label)
    {
        var (user, before) = Target(label);

        var e = Assert.Throws<ScimException>(() => ParseApplyAndClassify(_inputs[label](), user));

        Assert.Equal(400, e.Status);
        Assert.NotNull(e.ScimType);
        Assert.True(e.Detail.Length < 1000, "the error echoes at most a short excerpt of the input");
        Assert.True(JsonNode.DeepEquals(before, user));
    }

    [Theory]
    [MemberData(nameof(MaySucceed))]
    public void ParseAndApply_OversizeButWellFormedBody_AppliesExactlyThatOrRefusesCleanly(string label)
    {
        var (user, before) = Target(label);
        var body = _inputs[label]();
        try
        {
            var result = ParseApplyAndClassify(body, user);

            // Applied: the patched copy carries the operation's value, the input is untouched.
            var operation = body!["Operations"]![0]!;
            Assert.True(result.Changed);
            Assert.True(JsonNode.DeepEquals(operation["value"], result.Resource[operation["path"]!.GetValue<string>()]));
        }
        catch (ScimException e)
        {
            Assert.Equal(400, e.Status);
            Assert.NotNull(e.ScimType);
            Assert.True(e.Detail.Length < 1000, "the error echoes at most a short excerpt of the input");
        }

        Assert.True(JsonNode.DeepEquals(before, user));
    }

    [Fact]
    public void Corpus_EveryInputIsInExactlyOneGroup()
    {
        Assert.Subset(_inputs.Keys.ToHashSet(), _maySucceed);
        Assert.Equal(_inputs.Count, MustFail().Count + MaySucceed().Count);
    }

    private static (JsonObject User, JsonNode Before) Target(string label)
    {
        var user = User();
        if (label == "resource extension is a string")
        {
            user[Enterprise] = "not an object";
        }

        return (user, user.DeepClone());
    }

    private static PatchResult ParseApplyAndClassify(JsonNode? body, JsonObject user)
    {
        var request = PatchRequest.Parse(body);
        var result = new PatchApplier(TestSchemas.User).Apply(user, request);
        GroupPatchClassifier.Classify(request);
        return result;
    }

    [Fact]
    public void Parse_MalformedJsonText_IsInvalidSyntax()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);

        Assert.Equal(ScimErrorType.InvalidSyntax, Assert.Throws<ScimException>(() => PatchRequest.Parse(deep)).ScimType);
        Assert.Equal(ScimErrorType.InvalidSyntax, Assert.Throws<ScimException>(() => PatchRequest.Parse("{\"schemas\":")).ScimType);
    }

    [Fact]
    public void Apply_ValueNestedFarBeyondTheSchema_IsInvalidValue()
    {
        JsonNode value = JsonValue.Create(1);
        for (var i = 0; i < 5_000; i++)
        {
            value = new JsonObject { ["givenName"] = value };
        }

        var request = new PatchRequest([new PatchOperation(PatchOperationType.Replace, PatchPath.Parse("name"), value)]);

        var error = Assert.Throws<ScimException>(() => new PatchApplier(TestSchemas.User).Apply(User(), request));
        Assert.Equal(ScimErrorType.InvalidValue, error.ScimType);
    }
}
