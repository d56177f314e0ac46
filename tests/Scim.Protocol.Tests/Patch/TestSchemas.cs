using Microservices.Scim.Schemas;

namespace Microservices.Scim.Protocol.Tests.Patch;

/// <summary>
/// User- and Group-like resource types built from the schema model, shaped like RFC 7643 §4 and §8.7, for protocol
/// tests until the real schemas land.
/// </summary>
internal static class TestSchemas
{
    private static readonly AttributeDefinition[] _multiValuedSubAttributes =
    [
        new("value", AttributeType.String),
        new("display", AttributeType.String),
        new("type", AttributeType.String, CanonicalValues: ["work", "home", "other"]),
        new("primary", AttributeType.Boolean),
    ];

    public static SchemaDefinition UserSchema { get; } = new(
        ScimConstants.UserSchema,
        "User",
        "User account",
        [
            new("id", AttributeType.String, Mutability: Mutability.ReadOnly, Returned: Returned.Always, CaseExact: true),
            new("externalId", AttributeType.String, CaseExact: true),
            new("userName", AttributeType.String, Required: true, Uniqueness: Uniqueness.Server),
            new("name", AttributeType.Complex, SubAttributes:
            [
                new("formatted", AttributeType.String),
                new("familyName", AttributeType.String),
                new("givenName", AttributeType.String),
            ]),
            new("displayName", AttributeType.String),
            new("nickName", AttributeType.String),
            new("title", AttributeType.String),
            new("userType", AttributeType.String),
            new("active", AttributeType.Boolean),
            new("emails", AttributeType.Complex, MultiValued: true, SubAttributes: _multiValuedSubAttributes),
            new("phoneNumbers", AttributeType.Complex, MultiValued: true, SubAttributes: _multiValuedSubAttributes),
            new("ims", AttributeType.Complex, MultiValued: true, SubAttributes: _multiValuedSubAttributes),
            new("addresses", AttributeType.Complex, MultiValued: true, SubAttributes:
            [
                new("streetAddress", AttributeType.String),
                new("locality", AttributeType.String),
                new("postalCode", AttributeType.String),
                new("country", AttributeType.String),
                new("formatted", AttributeType.String),
                new("type", AttributeType.String),
                new("primary", AttributeType.Boolean),
            ]),
            new("entitlements", AttributeType.Complex, MultiValued: true, SubAttributes: _multiValuedSubAttributes),
            new("x509Certificates", AttributeType.Complex, MultiValued: true, SubAttributes:
            [
                new("value", AttributeType.Binary, CaseExact: true),
            ]),
            new("groups", AttributeType.Complex, MultiValued: true, Mutability: Mutability.ReadOnly, SubAttributes:
            [
                new("value", AttributeType.String, Mutability: Mutability.ReadOnly),
                new("$ref", AttributeType.Reference, Mutability: Mutability.ReadOnly),
                new("display", AttributeType.String, Mutability: Mutability.ReadOnly),
                new("type", AttributeType.String, Mutability: Mutability.ReadOnly),
            ]),
            new("loginCount", AttributeType.Integer),
            new("score", AttributeType.Decimal),
            new("badgeCode", AttributeType.String, CaseExact: true),
            new("employeeSince", AttributeType.DateTime, Mutability: Mutability.Immutable),
            new("meta", AttributeType.Complex, Mutability: Mutability.ReadOnly, SubAttributes:
            [
                new("resourceType", AttributeType.String, Mutability: Mutability.ReadOnly, CaseExact: true),
                new("created", AttributeType.DateTime, Mutability: Mutability.ReadOnly),
                new("lastModified", AttributeType.DateTime, Mutability: Mutability.ReadOnly),
                new("location", AttributeType.Reference, Mutability: Mutability.ReadOnly, CaseExact: true),
                new("version", AttributeType.String, Mutability: Mutability.ReadOnly, CaseExact: true),
            ]),
        ]);

    public static SchemaDefinition EnterpriseSchema { get; } = new(
        ScimConstants.EnterpriseUserSchema,
        "EnterpriseUser",
        "Enterprise User",
        [
            new("employeeNumber", AttributeType.String),
            new("department", AttributeType.String),
            new("manager", AttributeType.Complex, SubAttributes:
            [
                new("value", AttributeType.String),
                new("$ref", AttributeType.Reference),
                new("displayName", AttributeType.String, Mutability: Mutability.ReadOnly),
            ]),
        ]);

    public static ResourceTypeDefinition User { get; } = new(
        "User", "User", "/Users", "User Account", UserSchema, [new SchemaExtensionDefinition(EnterpriseSchema, Required: false)]);

    public static SchemaDefinition GroupSchema { get; } = new(
        ScimConstants.GroupSchema,
        "Group",
        "Group",
        [
            new("id", AttributeType.String, Mutability: Mutability.ReadOnly, Returned: Returned.Always, CaseExact: true),
            new("externalId", AttributeType.String, CaseExact: true),
            new("displayName", AttributeType.String, Required: true),
            new("members", AttributeType.Complex, MultiValued: true, SubAttributes:
            [
                new("value", AttributeType.String, Mutability: Mutability.Immutable, CaseExact: true),
                new("$ref", AttributeType.Reference, Mutability: Mutability.Immutable),
                new("display", AttributeType.String),
                new("type", AttributeType.String, Mutability: Mutability.Immutable, CanonicalValues: ["User", "Group"]),
            ]),
            new("meta", AttributeType.Complex, Mutability: Mutability.ReadOnly, SubAttributes:
            [
                new("resourceType", AttributeType.String, Mutability: Mutability.ReadOnly),
                new("lastModified", AttributeType.DateTime, Mutability: Mutability.ReadOnly),
            ]),
        ]);

    public static ResourceTypeDefinition Group { get; } = new("Group", "Group", "/Groups", "Group", GroupSchema, []);
}
