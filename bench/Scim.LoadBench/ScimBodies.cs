using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microservices.Scim.LoadBench;

/// <summary>Request bodies shaped as Entra and Okta send them (domain-notes §2.4 and §3).</summary>
public static class ScimBodies
{
    public const string ScimJson = "application/scim+json";
    private const string PatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    private const string Enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    public static string UserName(int n) => string.Create(CultureInfo.InvariantCulture, $"bench-{n:D7}@bench.example");

    /// <summary>Entra's default attribute mapping: mailNickname → externalId, department and employeeId in the enterprise extension.</summary>
    public static JsonObject EntraUser(string userName, string externalId, string department, string employeeNumber) => new()
    {
        ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:User", Enterprise),
        ["externalId"] = externalId,
        ["userName"] = userName,
        ["active"] = true,
        ["displayName"] = "Bench " + externalId,
        ["emails"] = new JsonArray(new JsonObject { ["primary"] = true, ["type"] = "work", ["value"] = userName }),
        ["meta"] = new JsonObject { ["resourceType"] = "User" },
        ["name"] = new JsonObject { ["formatted"] = "Bench " + externalId, ["familyName"] = externalId, ["givenName"] = "Bench" },
        ["title"] = "Engineer",
        [Enterprise] = new JsonObject { ["department"] = department, ["employeeNumber"] = employeeNumber },
    };

    /// <summary>Okta's PUT: the whole profile it holds, after a GET (the GET itself is not part of the measured request).</summary>
    public static JsonObject OktaPut(string id, string userName, string department, bool active, long revision) => new()
    {
        ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:User", Enterprise),
        ["id"] = id,
        ["userName"] = userName,
        ["externalId"] = "okta-" + userName,
        ["active"] = active,
        ["displayName"] = string.Create(CultureInfo.InvariantCulture, $"Bench User r{revision}"),
        ["name"] = new JsonObject { ["givenName"] = "Bench", ["familyName"] = string.Create(CultureInfo.InvariantCulture, $"User r{revision}") },
        ["emails"] = new JsonArray(new JsonObject { ["primary"] = true, ["type"] = "work", ["value"] = userName }),
        ["locale"] = "en-GB",
        [Enterprise] = new JsonObject { ["department"] = department },
    };

    /// <summary>Okta: replace without path, value {"active": bool}.</summary>
    public static string OktaActive(bool active) =>
        $$$"""{"schemas":["{{{PatchOp}}}"],"Operations":[{"op":"replace","value":{"active":{{{(active ? "true" : "false")}}}}}]}""";

    /// <summary>Entra's default job: capitalised op, path active, the value as the string "False" / "True".</summary>
    public static string EntraActive(bool active) =>
        $$"""{"schemas":["{{PatchOp}}"],"Operations":[{"op":"Replace","path":"active","value":"{{(active ? "True" : "False")}}"}]}""";

    /// <summary>Member add (value array) or Entra's default remove (value array of the listed members).</summary>
    public static string Members(string op, IEnumerable<string> ids)
    {
        var value = new JsonArray([.. ids.Select(id => (JsonNode)new JsonObject { ["value"] = id })]);
        var body = new JsonObject
        {
            ["schemas"] = new JsonArray(PatchOp),
            ["Operations"] = new JsonArray(new JsonObject { ["op"] = op, ["path"] = "members", ["value"] = value }),
        };
        return body.ToJsonString();
    }

    public static string Group(string displayName, string externalId) => new JsonObject
    {
        ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:Group"),
        ["displayName"] = displayName,
        ["externalId"] = externalId,
        ["members"] = new JsonArray(),
    }.ToJsonString();

    public static StringContent Content(string json, string mediaType = ScimJson) =>
        new(json, Encoding.UTF8, new MediaTypeHeaderValue(mediaType));

    public static StringContent Content(JsonNode json) => Content(json.ToJsonString());

    public static string Filter(string attribute, string value) => Uri.EscapeDataString($"{attribute} eq \"{value}\"");

    public static JsonDocument Parse(string body) => JsonDocument.Parse(body);
}
