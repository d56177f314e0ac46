namespace Microservices.Scim.Protocol.Tests.Schemas;

/// <summary>Request bodies as the RFC and the IdPs' own documentation give them.</summary>
internal static class ScimExamples
{
    /// <summary>RFC 7643 §8.2, the full User representation.</summary>
    public const string Rfc7643FullUser = """
        {
          "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
          "id": "2819c223-7f76-453a-919d-413861904646",
          "externalId": "701984",
          "userName": "bjensen@example.com",
          "name": {
            "formatted": "Ms. Barbara J Jensen, III",
            "familyName": "Jensen",
            "givenName": "Barbara",
            "middleName": "Jane",
            "honorificPrefix": "Ms.",
            "honorificSuffix": "III"
          },
          "displayName": "Babs Jensen",
          "nickName": "Babs",
          "profileUrl": "https://login.example.com/bjensen",
          "emails": [
            { "value": "bjensen@example.com", "type": "work", "primary": true },
            { "value": "babs@jensen.org", "type": "home" }
          ],
          "addresses": [
            {
              "type": "work",
              "streetAddress": "100 Universal City Plaza",
              "locality": "Hollywood",
              "region": "CA",
              "postalCode": "91608",
              "country": "USA",
              "formatted": "100 Universal City Plaza\nHollywood, CA 91608 USA",
              "primary": true
            },
            {
              "type": "home",
              "streetAddress": "456 Hollywood Blvd",
              "locality": "Hollywood",
              "region": "CA",
              "postalCode": "91608",
              "country": "USA",
              "formatted": "456 Hollywood Blvd\nHollywood, CA 91608 USA"
            }
          ],
          "phoneNumbers": [
            { "value": "555-555-5555", "type": "work" },
            { "value": "555-555-4444", "type": "mobile" }
          ],
          "ims": [{ "value": "someaimhandle", "type": "aim" }],
          "photos": [
            { "value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo" },
            { "value": "https://photos.example.com/profilephoto/72930000000Ccne/T", "type": "thumbnail" }
          ],
          "userType": "Employee",
          "title": "Tour Guide",
          "preferredLanguage": "en-US",
          "locale": "en-US",
          "timezone": "America/Los_Angeles",
          "active": true,
          "password": "t1meMa$heen",
          "groups": [
            {
              "value": "e9e30dba-f08f-4109-8486-d5c6a331660a",
              "$ref": "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a",
              "display": "Tour Guides"
            },
            {
              "value": "fc348aa8-3835-40eb-a20b-c726e15c55b5",
              "$ref": "https://example.com/v2/Groups/fc348aa8-3835-40eb-a20b-c726e15c55b5",
              "display": "Employees"
            },
            {
              "value": "71ddacd2-a8e7-49b8-a5db-ae50d0a5bfd7",
              "$ref": "https://example.com/v2/Groups/71ddacd2-a8e7-49b8-a5db-ae50d0a5bfd7",
              "display": "US Employees"
            }
          ],
          "x509Certificates": [
            { "value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMxEzARBgNVBAgMCkNhbGlmb3JuaWExFDASBgNVBAoMC2V4YW1wbGUuY29tMRQwEgYDVQQDDAtleGFtcGxlLmNvbQ==" }
          ],
          "meta": {
            "resourceType": "User",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z",
            "version": "W/\"a330bc54f0671c9\"",
            "location": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"
          }
        }
        """;

    /// <summary>RFC 7643 §8.3, the Enterprise User extension (trimmed to the extension and the core essentials).</summary>
    public const string Rfc7643EnterpriseUser = """
        {
          "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
          ],
          "id": "2819c223-7f76-453a-919d-413861904646",
          "externalId": "701984",
          "userName": "bjensen@example.com",
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984",
            "costCenter": "4130",
            "organization": "Universal Studios",
            "division": "Theme Park",
            "department": "Tour Operations",
            "manager": {
              "value": "26118915-6090-4610-87e4-49d8ca9f808d",
              "$ref": "../Users/26118915-6090-4610-87e4-49d8ca9f808d",
              "displayName": "John Smith"
            }
          },
          "meta": { "resourceType": "User" }
        }
        """;

    /// <summary>RFC 7643 §8.4, a Group.</summary>
    public const string Rfc7643Group = """
        {
          "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
          "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
          "displayName": "Tour Guides",
          "members": [
            {
              "value": "2819c223-7f76-453a-919d-413861904646",
              "$ref": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
              "display": "Babs Jensen"
            },
            {
              "value": "902c246b-6245-4190-8e05-00816be7344a",
              "$ref": "https://example.com/v2/Users/902c246b-6245-4190-8e05-00816be7344a",
              "display": "Mandy Pepperidge"
            }
          ],
          "meta": {
            "resourceType": "Group",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z",
            "version": "W/\"3694e05e9dff592\"",
            "location": "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a"
          }
        }
        """;

    /// <summary>Okta's documented POST /Users (SCIM 2.0 reference): externalId is Okta's user id, a password may come.</summary>
    public const string OktaCreateUser = """
        {
          "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
          "userName": "test.user@okta.local",
          "name": { "givenName": "Test", "familyName": "User" },
          "emails": [{ "primary": true, "value": "test.user@okta.local", "type": "work" }],
          "displayName": "Test User",
          "locale": "en-US",
          "externalId": "00ujl29u0le5T6Aj10h7",
          "groups": [],
          "password": "1mz050nq",
          "active": true
        }
        """;

    /// <summary>Okta's PUT /Users/{id}: the resource as Okta last read it, echoing id, meta and groups.</summary>
    public const string OktaReplaceUser = """
        {
          "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
          "id": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
          "userName": "test.user@okta.local",
          "name": { "givenName": "Another", "middleName": "Test", "familyName": "User" },
          "emails": [{ "primary": true, "value": "test.user@okta.local", "type": "work" }],
          "displayName": "Another Test User",
          "locale": "en-US",
          "externalId": "00ujl29u0le5T6Aj10h7",
          "groups": [{ "value": "abf4dd94-a4c0-4f67-89c9-76b03340cb9b", "display": "Test Group" }],
          "active": true,
          "meta": {
            "resourceType": "User",
            "created": "2024-03-01T10:00:00.000Z",
            "lastModified": "2024-03-02T10:00:00.000Z",
            "location": "https://scim.uk.sheassure.net/v1/scim/Users/23a35c27-23d3-4c03-b4c5-6443c09e7173",
            "version": "W/\"3\""
          }
        }
        """;

    /// <summary>Entra's POST /Users with the default attribute mappings (domain notes §2.4).</summary>
    public const string EntraCreateUser = """
        {
          "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
          ],
          "externalId": "jdoe",
          "userName": "jdoe@contoso.com",
          "active": true,
          "displayName": "Jane Doe",
          "title": "Safety Officer",
          "preferredLanguage": "en-GB",
          "emails": [{ "primary": true, "type": "work", "value": "jdoe@contoso.com" }],
          "meta": { "resourceType": "User" },
          "name": { "formatted": "Jane Doe", "familyName": "Doe", "givenName": "Jane" },
          "roles": [],
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "department": "OU-0042",
            "employeeNumber": "E1234"
          }
        }
        """;
}
