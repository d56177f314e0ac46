namespace Microservices.Scim.Schemas;

/// <summary>
/// The schemas and resource types this service speaks, as data: core User and Group (RFC 7643 §4, §8.7.1),
/// the Enterprise User extension (§4.3, §8.7.1) and Assure's own User extension. Characteristics follow
/// RFC 7643 §8.7.1; the common attributes <c>id</c>, <c>externalId</c> and <c>meta</c> (§3.1) are listed in
/// each core schema so one lookup serves validation, projection, filtering and discovery.
/// </summary>
public static partial class ScimSchemas
{
    public const string DateFormatDayMonthYear = "DD/MM/YYYY";
    public const string DateFormatMonthDayYear = "MM/DD/YYYY";
    public const string DateFormatIso = "YYYY-MM-DD";
    public const string AccessTypeFull = "Assure and AssureGO+";
    public const string AccessTypeAssureGoOnly = "AssureGO+ only";

    private static readonly AttributeDefinition _id = new(
        "id",
        AttributeType.String,
        Mutability: Mutability.ReadOnly,
        Returned: Returned.Always,
        Uniqueness: Uniqueness.Server,
        CaseExact: true,
        Description: "Unique identifier for the SCIM resource as defined by the service provider.");

    private static readonly AttributeDefinition _externalId = new(
        "externalId",
        AttributeType.String,
        CaseExact: true,
        Description: "Identifier for the resource as defined by the provisioning client.");

    private static readonly AttributeDefinition _meta = new(
        "meta",
        AttributeType.Complex,
        Mutability: Mutability.ReadOnly,
        Description: "Resource metadata.",
        SubAttributes:
        [
            new("resourceType", AttributeType.String, Mutability: Mutability.ReadOnly, CaseExact: true, Description: "The name of the resource type of the resource."),
            new("created", AttributeType.DateTime, Mutability: Mutability.ReadOnly, Description: "The date and time the resource was added to the service provider."),
            new("lastModified", AttributeType.DateTime, Mutability: Mutability.ReadOnly, Description: "The most recent date and time the resource was modified."),
            new("location", AttributeType.Reference, Mutability: Mutability.ReadOnly, CaseExact: true, Description: "The URI of the resource being returned.", ReferenceTypes: ["uri"]),
            new("version", AttributeType.String, Mutability: Mutability.ReadOnly, CaseExact: true, Description: "The version (ETag) of the resource being returned."),
        ]);

    public static SchemaDefinition User { get; } = new(
        ScimConstants.UserSchema,
        "User",
        "User Account",
        [
            _id,
            _externalId,
            _meta,
            new("userName", AttributeType.String, Required: true, Uniqueness: Uniqueness.Server,
                Description: "Unique identifier for the User, typically used by the user to directly authenticate to the service provider."),
            new("name", AttributeType.Complex, Description: "The components of the user's real name.", SubAttributes:
            [
                new("formatted", AttributeType.String, Description: "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
                new("familyName", AttributeType.String, Description: "The family name of the User, or last name in most Western languages."),
                new("givenName", AttributeType.String, Description: "The given name of the User, or first name in most Western languages."),
                new("middleName", AttributeType.String, Description: "The middle name(s) of the User."),
                new("honorificPrefix", AttributeType.String, Description: "The honorific prefix(es) of the User, or title in most Western languages."),
                new("honorificSuffix", AttributeType.String, Description: "The honorific suffix(es) of the User, or suffix in most Western languages."),
            ]),
            new("displayName", AttributeType.String, Description: "The name of the User, suitable for display to end-users."),
            new("nickName", AttributeType.String, Description: "The casual way to address the user in real life."),
            new("profileUrl", AttributeType.Reference, Description: "A fully qualified URL pointing to a page representing the User's online profile.", ReferenceTypes: ["external"]),
            new("title", AttributeType.String, Description: "The user's title, such as \"Vice President\"."),
            new("userType", AttributeType.String, Description: "Used to identify the relationship between the organization and the user."),
            new("preferredLanguage", AttributeType.String, Description: "Indicates the User's preferred written or spoken language, as an Accept-Language value."),
            new("locale", AttributeType.String, Description: "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
            new("timezone", AttributeType.String, Description: "The User's time zone in the 'Olson' time zone database format, e.g. 'America/Los_Angeles'."),
            new("active", AttributeType.Boolean, Description: "A Boolean value indicating the User's administrative status."),
            new("password", AttributeType.String, Mutability: Mutability.WriteOnly, Returned: Returned.Never,
                Description: "The User's cleartext password. Never returned."),
            MultiValuedComplex("emails", "Email addresses for the user.", ["work", "home", "other"], AttributeType.String),
            MultiValuedComplex("phoneNumbers", "Phone numbers for the User.", ["work", "home", "mobile", "fax", "pager", "other"], AttributeType.String),
            MultiValuedComplex("ims", "Instant messaging addresses for the User.", ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"], AttributeType.String),
            MultiValuedComplex("photos", "URLs of photos of the User.", ["photo", "thumbnail"], AttributeType.Reference, ["external"]),
            new("addresses", AttributeType.Complex, MultiValued: true, Description: "A physical mailing address for this User.", SubAttributes:
            [
                new("formatted", AttributeType.String, Description: "The full mailing address, formatted for display or use with a mailing label."),
                new("streetAddress", AttributeType.String, Description: "The full street address component."),
                new("locality", AttributeType.String, Description: "The city or locality component."),
                new("region", AttributeType.String, Description: "The state or region component."),
                new("postalCode", AttributeType.String, Description: "The zip code or postal code component."),
                new("country", AttributeType.String, Description: "The country name component."),
                new("type", AttributeType.String, Description: "A label indicating the attribute's function, e.g., 'work' or 'home'.", CanonicalValues: ["work", "home", "other"]),
                new("primary", AttributeType.Boolean, Description: "A Boolean value indicating the 'primary' or preferred address."),
            ]),
            new("groups", AttributeType.Complex, MultiValued: true, Mutability: Mutability.ReadOnly,
                Description: "A list of groups to which the user belongs, either through direct membership or indirectly.", SubAttributes:
            [
                new("value", AttributeType.String, Mutability: Mutability.ReadOnly, Description: "The identifier of the User's group."),
                new("$ref", AttributeType.Reference, Mutability: Mutability.ReadOnly, Description: "The URI of the corresponding 'Group' resource.", ReferenceTypes: ["User", "Group"]),
                new("display", AttributeType.String, Mutability: Mutability.ReadOnly, Description: "A human-readable name, primarily used for display purposes."),
                new("type", AttributeType.String, Mutability: Mutability.ReadOnly, Description: "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.", CanonicalValues: ["direct", "indirect"]),
            ]),
            MultiValuedComplex("entitlements", "A list of entitlements for the User that represent a thing the User has.", null, AttributeType.String),
            MultiValuedComplex("roles", "A list of roles for the User that collectively represent who the User is.", null, AttributeType.String),
            MultiValuedComplex("x509Certificates", "A list of certificates issued to the User.", null, AttributeType.Binary),
        ]);

    public static SchemaDefinition Group { get; } = new(
        ScimConstants.GroupSchema,
        "Group",
        "Group",
        [
            _id,
            _externalId,
            _meta,
            // RFC 7643 §4.2 makes displayName REQUIRED although the §8.7.1 listing says false; Assure needs a role name.
            new("displayName", AttributeType.String, Required: true, Description: "A human-readable name for the Group."),
            new("members", AttributeType.Complex, MultiValued: true, Description: "A list of members of the Group.", SubAttributes:
            [
                new("value", AttributeType.String, Mutability: Mutability.Immutable, Description: "Identifier of the member of this Group."),
                new("$ref", AttributeType.Reference, Mutability: Mutability.Immutable, Description: "The URI corresponding to a SCIM resource that is a member of this Group.", ReferenceTypes: ["User", "Group"]),
                // The server derives the display name from the member; what a client echoes back is not stored.
                new("display", AttributeType.String, Mutability: Mutability.ReadOnly, Description: "A human-readable name for the member."),
                new("type", AttributeType.String, Mutability: Mutability.Immutable, Description: "A label indicating the type of resource, e.g., 'User' or 'Group'.", CanonicalValues: ["User", "Group"]),
            ]),
        ]);

    public static SchemaDefinition EnterpriseUser { get; } = new(
        ScimConstants.EnterpriseUserSchema,
        "EnterpriseUser",
        "Enterprise User",
        [
            new("employeeNumber", AttributeType.String, Description: "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization."),
            new("costCenter", AttributeType.String, Description: "Identifies the name of a cost center."),
            new("organization", AttributeType.String, Description: "Identifies the name of an organization."),
            new("division", AttributeType.String, Description: "Identifies the name of a division."),
            // Assure reads the user's default org unit from here: it carries the unit's external ID.
            new("department", AttributeType.String, Description: "Identifies the name of a department; Assure reads it as the external ID of the user's default org unit."),
            new("manager", AttributeType.Complex, Description: "The User's manager.", SubAttributes:
            [
                new("value", AttributeType.String, Description: "The id of the SCIM resource representing the User's manager."),
                new("$ref", AttributeType.Reference, Description: "The URI of the SCIM resource representing the User's manager.", ReferenceTypes: ["User"]),
                new("displayName", AttributeType.String, Mutability: Mutability.ReadOnly, Description: "The displayName of the User's manager."),
            ]),
        ]);

    public static SchemaDefinition AssureUser { get; } = new(
        ScimConstants.AssureUserSchema,
        "AssureUser",
        "Assure user settings that core SCIM lacks",
        [
            new("dateFormat", AttributeType.String,
                Description: "The user's date format; when absent the tenant default applies.",
                CanonicalValues: [DateFormatDayMonthYear, DateFormatMonthDayYear, DateFormatIso]),
            new("personReference", AttributeType.String, Description: "The reference of the user's Person Register record."),
            new("accessType", AttributeType.String, Mutability: Mutability.ReadOnly,
                Description: "The Assure access type, derived from userType.",
                CanonicalValues: [AccessTypeFull, AccessTypeAssureGoOnly]),
            new("isManager", AttributeType.Boolean, Mutability: Mutability.ReadOnly,
                Description: "Whether the user is a manager, derived from the \"manager\" entitlement."),
        ]);

    public static ResourceTypeDefinition UserResourceType { get; } = new(
        "User",
        "User",
        "/Users",
        "User Account",
        User,
        [new(EnterpriseUser, Required: false), new(AssureUser, Required: false)]);

    public static ResourceTypeDefinition GroupResourceType { get; } = new(
        "Group",
        "Group",
        "/Groups",
        "Group",
        Group,
        []);

    public static IReadOnlyList<SchemaDefinition> AllSchemas { get; } = [User, Group, EnterpriseUser, AssureUser];

    public static IReadOnlyList<ResourceTypeDefinition> AllResourceTypes { get; } = [UserResourceType, GroupResourceType];

    // The value/display/type/primary shape RFC 7643 §2.4 gives multi-valued attributes.
    private static AttributeDefinition MultiValuedComplex(
        string name,
        string description,
        IReadOnlyList<string>? typeCanonicalValues,
        AttributeType valueType,
        IReadOnlyList<string>? valueReferenceTypes = null) =>
        new(name, AttributeType.Complex, MultiValued: true, Description: description, SubAttributes:
        [
            new("value", valueType, Description: $"The value of {name}.", ReferenceTypes: valueReferenceTypes),
            new("display", AttributeType.String, Description: "A human-readable name, primarily used for display purposes."),
            new("type", AttributeType.String, Description: "A label indicating the attribute's function.", CanonicalValues: typeCanonicalValues),
            new("primary", AttributeType.Boolean, Description: "A Boolean value indicating the 'primary' or preferred attribute value for this attribute."),
        ]);
}
