using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microservices.Scim.Errors;
using Microservices.Scim.Patch;
using static Microservices.Scim.Protocol.Tests.Patch.PatchTestData;

namespace Microservices.Scim.Protocol.Tests.Patch;

public sealed class PatchPropertyTests
{
    private static readonly PatchApplier _users = new(TestSchemas.User);

    [Property(Arbitrary = [typeof(PatchArbitraries)], MaxTest = 500)]
    public bool Apply_RandomOperations_SucceedOrFailCleanlyAndNeverTouchTheInput(PatchBody body)
    {
        var user = User();
        var before = user.DeepClone();
        try
        {
            var result = _users.Apply(user, PatchRequest.Parse(body.Json));
            var primaries = (result.Resource["emails"] as JsonArray)?.Count(e => e?["primary"]?.GetValueKind() == System.Text.Json.JsonValueKind.True) ?? 0;
            if (primaries > 1)
            {
                return false;
            }
        }
        catch (ScimException e) when (e.Status == 400 && e.ScimType is not null)
        {
        }

        return JsonNode.DeepEquals(before, user);
    }
}

public sealed record PatchBody(string Json)
{
    public override string ToString() => Json;
}

public static class PatchArbitraries
{
    private static readonly string[] _ops = ["add", "remove", "replace", "Add", "Replace", "Remove", "move"];

    private static readonly string[] _paths =
    [
        "", "title", "displayName", "active", "userName", "id", "meta", "meta.lastModified", "groups", "name", "name.givenName",
        "emails", "emails.value", "emails[type eq \\\"work\\\"]", "emails[type eq \\\"work\\\"].value", "emails[type eq \\\"home\\\"].primary",
        "emails[value co \\\"@\\\" or primary eq true]", "emails[primary gt true]", "addresses[type eq \\\"work\\\"].streetAddress",
        "employeeSince", "loginCount", Enterprise + ":department", Enterprise + ":manager", Enterprise + ":manager.displayName",
        "nosuch", "name..x", "emails[", "department",
    ];

    private static readonly string[] _values =
    [
        "\"x\"", "\"False\"", "true", "false", "null", "1", "1.5", "[]", "{}", "[{\"value\":\"a@b.c\",\"type\":\"work\",\"primary\":true}]",
        "[{\"value\":\"a@b.c\",\"primary\":true},{\"value\":\"d@e.f\",\"primary\":true}]", "{\"value\":\"m1\",\"displayName\":\"M\"}",
        "{\"givenName\":\"G\"}", "{\"active\":\"True\",\"name.familyName\":\"F\"}", "{\"id\":\"2819c223-7f76-453a-919d-413861904646\"}",
        "{\"" + Enterprise + "\":{\"department\":\"D\"}}", "{\"emails[type eq \\\"other\\\"].value\":\"o@x.y\"}", "\"2020-01-01T00:00:00Z\"",
        "[[1]]", "{\"nosuch\":1}",
    ];

    public static Arbitrary<PatchBody> Bodies()
    {
        var operation =
            from op in Gen.Elements(_ops)
            from path in Gen.Elements(_paths)
            from value in Gen.Elements(_values)
            from hasPath in Gen.Elements(true, false)
            from hasValue in Gen.Elements(true, false)
            select "{\"op\":\"" + op + "\"" + (hasPath ? ",\"path\":\"" + path + "\"" : string.Empty) + (hasValue ? ",\"value\":" + value : string.Empty) + "}";

        var body = Gen.Choose(1, 5)
            .SelectMany(n => Gen.ArrayOf(operation, n))
            .Select(ops => new PatchBody(Body(string.Join(",", ops))));
        return Arb.From(body);
    }
}
