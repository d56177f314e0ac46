using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim;
using Microservices.Scim.Discovery;
using Microservices.Scim.Schemas;
using Microservices.ScimEdge.Api.Clients;
using Microservices.ScimEdge.Api.Scim;
using Microservices.ScimEdge.Api.Scim.Users;

namespace Microservices.Services.Tests.Scim.Users;

/// <summary>
/// Responses write a user straight from its record when the selection keeps it whole; that must answer exactly what
/// projecting the user's DOM answers, for every kind of stored remainder, or fall back to the DOM.
/// </summary>
public sealed class UserJsonTests
{
    private const string Enterprise = ScimConstants.EnterpriseUserSchema;

    private static readonly ScimSettings _settings = new("https://scim.uk.sheassure.net/v1/scim", ScimServiceLimits.Default);

    private static readonly UserRecord _user = new(
        "u-1", "ada@example.com", "ext-1", "Ada Lovelace", "Ada", "Lovelace", null, null, null, "Ada Lovelace", "ada@example.com",
        [new UserEmail("ada@example.com", "work", true), new UserEmail("a@home.example", null, false)], true, "Employee", "full", true,
        "en-GB", null, "Europe/London", "DD/MM/YYYY", "Analyst", new UserUnit("unit-1", "OU-1", "Head Office", true), "OU-1", "E-1", null,
        null, null, null, 3, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), new DateTime(2026, 2, 3, 4, 5, 6, DateTimeKind.Utc),
        [new UserRole("r-1", "Fire Wardens")]);

    public static TheoryData<string, string?> StoredRemainders => new()
    {
        // nothing Assure lacks a field for; the unmapped attributes as the edge stores them now
        { "none", null },
        { "unmapped", $$$"""{"nickName":"A","addresses":[{"locality":"London","type":"work"}],"{{{Enterprise}}}":{"manager":{"value":"m-1"},"costCenter":"CC"}}""" },
        // a full body as rows written before the remainder held only unmapped attributes
        { "legacy", $$$"""{"schemas":["{{{ScimConstants.UserSchema}}}"],"userName":"old","title":"Old","emails":[{"value":"old@x"}],"name":{"givenName":"Old","formatted":"Old"},"{{{Enterprise}}}":{"department":"OLD","employeeNumber":"OLD"},"meta":{"resourceType":"User"}}""" },
        // what the default projection trims: nulls, empty objects, unknown extension members
        { "null", """{"nickName":null}""" },
        { "null name member", """{"name":{"nickName":null}}""" },
        { "empty complex", """{"x509Certificates":[{}]}""" },
        { "unknown extension member", $$$"""{"{{{Enterprise}}}":{"favouriteColour":"blue"}}""" },
        { "unknown core", """{"x-custom":{"a":1}}""" },
    };

    [Theory]
    [MemberData(nameof(StoredRemainders))]
    public void Write_AnswersWhatTheProjectedDomAnswers(string label, string? remainder)
    {
        string?[][] selections = [[null, null], [null, "emails"], ["userName,name.givenName", null], [null, Enterprise], ["groups", null]];
        foreach (var user in new[] { _user, _user with { EmployeeNumber = null, Department = null }, _user with { Roles = [], Emails = [] } })
        {
            var stored = user with { Attributes = remainder is null ? null : JsonNode.Parse(remainder)!.AsObject() };
            foreach (var pair in selections)
            {
                var selection = AttributeSelection.Parse(ScimSchemas.UserResourceType, pair[0], pair[1]);
                var expected = selection.Apply(UserMapping.ToScim(stored, _settings));

                var written = JsonNode.Parse(Written(w => UserJson.Write(w, stored, _settings, selection)))!;

                Assert.True(JsonNode.DeepEquals(expected, written), $"{label}, attributes={pair[0]}, excluded={pair[1]}:\n{expected.ToJsonString()}\n{written.ToJsonString()}");
            }
        }
    }

    [Fact]
    public void WritesAsReturned_OnlyForTheDefaultSelectionAndAWholeRemainder()
    {
        var defaults = AttributeSelection.Default(ScimSchemas.UserResourceType);

        Assert.True(UserMapping.WritesAsReturned(_user, defaults));
        Assert.True(UserMapping.WritesAsReturned(_user with { Attributes = JsonNode.Parse("""{"nickName":"A"}""")!.AsObject() }, defaults));
        Assert.False(UserMapping.WritesAsReturned(_user with { Attributes = JsonNode.Parse("""{"nickName":null}""")!.AsObject() }, defaults));
        Assert.False(UserMapping.WritesAsReturned(_user, AttributeSelection.Parse(ScimSchemas.UserResourceType, null, "emails")));
    }

    private static byte[] Written(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
