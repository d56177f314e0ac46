using System.Text.Json.Nodes;

namespace Microservices.Scim.Benchmarks;

/// <summary>Request shapes Okta and Entra really send (see docs/scim-mapping.md), shared by the benchmarks.</summary>
public static class Samples
{
    public const string EqFilter = "userName eq \"ada.lovelace@contoso.example\"";

    public const string ComplexFilter =
        "emails[type eq \"work\" and value co \"@contoso.example\"] and (title pr or not (userType eq \"agoonly\")) " +
        "and meta.lastModified gt \"2026-01-01T00:00:00Z\"";

    /// <summary>An Entra-shaped user as the edge holds it after mapping: core, enterprise and Assure extensions.</summary>
    public static string UserJson { get; } = """
        {
          "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            "urn:ietf:params:scim:schemas:extension:assure:2.0:User"
          ],
          "id": "6f1c2a9e-8f5b-4a8e-9c3d-1b2a3c4d5e6f",
          "externalId": "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
          "userName": "ada.lovelace@contoso.example",
          "active": true,
          "displayName": "Ada Lovelace",
          "title": "Safety Officer",
          "userType": "agoonly",
          "preferredLanguage": "en-GB",
          "locale": "en-GB",
          "timezone": "Europe/London",
          "name": { "formatted": "Ada Lovelace", "givenName": "Ada", "familyName": "Lovelace" },
          "emails": [
            { "value": "ada.lovelace@contoso.example", "type": "work", "primary": true },
            { "value": "ada@home.example", "type": "home" }
          ],
          "phoneNumbers": [ { "value": "+44 20 7946 0000", "type": "work" } ],
          "entitlements": [ { "value": "manager" } ],
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "HQ-OPS", "employeeNumber": "E-1024" },
          "urn:ietf:params:scim:schemas:extension:assure:2.0:User": { "dateFormat": "DD/MM/YYYY" },
          "meta": {
            "resourceType": "User",
            "created": "2026-03-01T09:00:00Z",
            "lastModified": "2026-11-30T17:45:12Z",
            "version": "W/\"17\"",
            "location": "https://scim.uk.sheassure.net/v1/scim/Users/6f1c2a9e-8f5b-4a8e-9c3d-1b2a3c4d5e6f"
          }
        }
        """;

    /// <summary>Okta's deactivation: replace without a path, value an object.</summary>
    public const string OktaDeactivate = """
        { "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          "Operations": [ { "op": "replace", "value": { "active": false } } ] }
        """;

    /// <summary>Entra's attribute update: capitalised ops, string booleans, value-filtered and extension paths.</summary>
    public const string EntraUpdate = """
        { "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          "Operations": [
            { "op": "Replace", "path": "active", "value": "False" },
            { "op": "Replace", "path": "title", "value": "Lead Safety Officer" },
            { "op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ada.l@contoso.example" },
            { "op": "Replace", "path": "name.familyName", "value": "King" },
            { "op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "HQ-FIN" }
          ] }
        """;

    /// <summary>A group member add of <paramref name="count"/> users in one operation (Okta and Entra both batch).</summary>
    public static string MemberAdd(int count)
    {
        var members = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            members.Add(new JsonObject { ["value"] = $"{i:x8}-0000-4000-8000-000000000000" });
        }

        var body = new JsonObject
        {
            ["schemas"] = new JsonArray("urn:ietf:params:scim:api:messages:2.0:PatchOp"),
            ["Operations"] = new JsonArray(new JsonObject { ["op"] = "Add", ["path"] = "members", ["value"] = members }),
        };
        return body.ToJsonString();
    }
}
