using System.Text.Json.Nodes;
using Microservices.Scim.Patch;

namespace Microservices.Scim.Protocol.Tests.Patch;

internal static class PatchTestData
{
    public const string Enterprise = ScimConstants.EnterpriseUserSchema;

    public static string Body(string operations) =>
        "{\"schemas\":[\"" + ScimConstants.PatchOpSchema + "\"],\"Operations\":[" + operations + "]}";

    public static PatchRequest Request(string operations) => PatchRequest.Parse(Body(operations));

    public static JsonObject Json(string json) => JsonNode.Parse(json)!.AsObject();

    public static JsonObject User() => Json("""
        {
          "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
          "id": "2819c223-7f76-453a-919d-413861904646",
          "externalId": "bjensen",
          "userName": "bjensen@example.com",
          "name": { "familyName": "Jensen", "givenName": "Barbara", "formatted": "Ms. Barbara J Jensen" },
          "displayName": "Babs Jensen",
          "active": true,
          "emails": [
            { "value": "bjensen@example.com", "type": "work", "primary": true },
            { "value": "babs@jensen.org", "type": "home" }
          ],
          "addresses": [
            { "type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "postalCode": "91608", "country": "USA", "primary": true },
            { "type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood", "postalCode": "91608", "country": "USA" }
          ],
          "groups": [ { "value": "e9e30dba-f08f-4109-8486-d5c6a331660a", "display": "Tour Guides" } ],
          "meta": { "resourceType": "User", "created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z", "version": "W/\"3694e05e9dff590\"" }
        }
        """);

    public static JsonObject Group() => Json("""
        {
          "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
          "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
          "displayName": "Tour Guides",
          "members": [
            { "value": "2819c223-7f76-453a-919d-413861904646", "display": "Babs Jensen", "type": "User" },
            { "value": "902c246b-6245-4190-8e05-00816be7344a", "display": "Mandy Pepperidge", "type": "User" }
          ]
        }
        """);
}
