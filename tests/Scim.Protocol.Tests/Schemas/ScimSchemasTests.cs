using Microservices.Scim.Schemas;

namespace Microservices.Scim.Protocol.Tests.Schemas;

public sealed class ScimSchemasTests
{
    private const string Enterprise = ScimConstants.EnterpriseUserSchema;

    [Fact]
    public void User_HasEveryRfc7643Attribute()
    {
        Assert.Equal(
            [
                "id", "externalId", "meta", "userName", "name", "displayName", "nickName", "profileUrl", "title", "userType",
                "preferredLanguage", "locale", "timezone", "active", "password", "emails", "phoneNumbers", "ims", "photos",
                "addresses", "groups", "entitlements", "roles", "x509Certificates",
            ],
            ScimSchemas.User.Attributes.Select(a => a.Name));
    }

    [Theory]
    [InlineData("id", AttributeType.String, Mutability.ReadOnly, Returned.Always, Uniqueness.Server, true)]
    [InlineData("externalId", AttributeType.String, Mutability.ReadWrite, Returned.Default, Uniqueness.None, true)]
    [InlineData("meta", AttributeType.Complex, Mutability.ReadOnly, Returned.Default, Uniqueness.None, false)]
    [InlineData("userName", AttributeType.String, Mutability.ReadWrite, Returned.Default, Uniqueness.Server, false)]
    [InlineData("profileUrl", AttributeType.Reference, Mutability.ReadWrite, Returned.Default, Uniqueness.None, false)]
    [InlineData("active", AttributeType.Boolean, Mutability.ReadWrite, Returned.Default, Uniqueness.None, false)]
    [InlineData("password", AttributeType.String, Mutability.WriteOnly, Returned.Never, Uniqueness.None, false)]
    [InlineData("groups", AttributeType.Complex, Mutability.ReadOnly, Returned.Default, Uniqueness.None, false)]
    public void User_AttributeCharacteristics_FollowRfc7643(
        string name,
        AttributeType type,
        Mutability mutability,
        Returned returned,
        Uniqueness uniqueness,
        bool caseExact)
    {
        var attribute = ScimSchemas.User.FindAttribute(name)!;

        Assert.Equal(type, attribute.Type);
        Assert.Equal(mutability, attribute.Mutability);
        Assert.Equal(returned, attribute.Returned);
        Assert.Equal(uniqueness, attribute.Uniqueness);
        Assert.Equal(caseExact, attribute.CaseExact);
    }

    [Fact]
    public void User_OnlyUserNameIsRequired()
    {
        Assert.Equal(["userName"], ScimSchemas.User.Attributes.Where(a => a.Required).Select(a => a.Name));
    }

    [Theory]
    [InlineData("emails", "work,home,other")]
    [InlineData("phoneNumbers", "work,home,mobile,fax,pager,other")]
    [InlineData("ims", "aim,gtalk,icq,xmpp,msn,skype,qq,yahoo")]
    [InlineData("photos", "photo,thumbnail")]
    [InlineData("addresses", "work,home,other")]
    public void User_MultiValuedTypeCanonicalValues_FollowRfc7643(string name, string canonical)
    {
        var attribute = ScimSchemas.User.FindAttribute(name)!;

        Assert.True(attribute.MultiValued);
        Assert.Equal(canonical.Split(','), attribute.FindSubAttribute("type")!.CanonicalValues!);
    }

    [Fact]
    public void User_AddressesAndGroups_HaveTheirSubAttributes()
    {
        Assert.Equal(
            ["formatted", "streetAddress", "locality", "region", "postalCode", "country", "type", "primary"],
            ScimSchemas.User.FindAttribute("addresses")!.SubAttributesOrEmpty.Select(a => a.Name));
        var groups = ScimSchemas.User.FindAttribute("groups")!;
        Assert.Equal(["value", "$ref", "display", "type"], groups.SubAttributesOrEmpty.Select(a => a.Name));
        Assert.All(groups.SubAttributesOrEmpty, a => Assert.Equal(Mutability.ReadOnly, a.Mutability));
        Assert.Equal(["User", "Group"], groups.FindSubAttribute("$ref")!.ReferenceTypes!);
    }

    [Fact]
    public void User_PhotosValueIsExternalReference_AndCertificatesAreBinary()
    {
        var photoValue = ScimSchemas.User.FindAttribute("photos")!.FindSubAttribute("value")!;
        Assert.Equal(AttributeType.Reference, photoValue.Type);
        Assert.Equal(["external"], photoValue.ReferenceTypes!);
        Assert.Equal(AttributeType.Binary, ScimSchemas.User.FindAttribute("x509Certificates")!.FindSubAttribute("value")!.Type);
    }

    [Fact]
    public void Group_DisplayNameRequiredAndMembersValueImmutable()
    {
        Assert.True(ScimSchemas.Group.FindAttribute("displayName")!.Required);
        var members = ScimSchemas.Group.FindAttribute("members")!;
        Assert.True(members.MultiValued);
        Assert.Equal(Mutability.Immutable, members.FindSubAttribute("value")!.Mutability);
        Assert.Equal(["User", "Group"], members.FindSubAttribute("$ref")!.ReferenceTypes!);
        Assert.Equal(["User", "Group"], members.FindSubAttribute("type")!.CanonicalValues!);
    }

    [Fact]
    public void EnterpriseUser_ManagerDisplayNameIsReadOnly()
    {
        Assert.Equal(
            ["employeeNumber", "costCenter", "organization", "division", "department", "manager"],
            ScimSchemas.EnterpriseUser.Attributes.Select(a => a.Name));
        var manager = ScimSchemas.EnterpriseUser.FindAttribute("manager")!;
        Assert.Equal(Mutability.ReadOnly, manager.FindSubAttribute("displayName")!.Mutability);
        Assert.Equal(Mutability.ReadWrite, manager.FindSubAttribute("value")!.Mutability);
    }

    [Fact]
    public void AssureUser_HasDateFormatPersonReferenceAndDerivedReadOnlyAttributes()
    {
        Assert.Equal(ScimConstants.AssureUserSchema, ScimSchemas.AssureUser.Id);
        Assert.Equal(["DD/MM/YYYY", "MM/DD/YYYY", "YYYY-MM-DD"], ScimSchemas.AssureUser.FindAttribute("dateFormat")!.CanonicalValues!);
        Assert.Equal(Mutability.ReadWrite, ScimSchemas.AssureUser.FindAttribute("personReference")!.Mutability);
        var accessType = ScimSchemas.AssureUser.FindAttribute("accessType")!;
        Assert.Equal(Mutability.ReadOnly, accessType.Mutability);
        Assert.Equal(["Assure and AssureGO+", "AssureGO+ only"], accessType.CanonicalValues!);
        var isManager = ScimSchemas.AssureUser.FindAttribute("isManager")!;
        Assert.Equal(AttributeType.Boolean, isManager.Type);
        Assert.Equal(Mutability.ReadOnly, isManager.Mutability);
    }

    [Fact]
    public void ResourceTypes_UserHasBothOptionalExtensionsAndGroupNone()
    {
        var user = ScimSchemas.UserResourceType;
        Assert.Equal("/Users", user.Endpoint);
        Assert.Same(ScimSchemas.User, user.Schema);
        Assert.Equal([Enterprise, ScimConstants.AssureUserSchema], user.Extensions.Select(e => e.Schema.Id));
        Assert.All(user.Extensions, e => Assert.False(e.Required));
        Assert.Equal("/Groups", ScimSchemas.GroupResourceType.Endpoint);
        Assert.Empty(ScimSchemas.GroupResourceType.Extensions);
    }

    [Fact]
    public void Definitions_CannotBeChangedThroughTheirLists()
    {
        var attributes = (ICollection<AttributeDefinition>)ScimSchemas.User.Attributes;

        Assert.True(attributes.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => attributes.Clear());
    }

    [Theory]
    [InlineData(null, "userName", null, ScimConstants.UserSchema, "userName")]
    [InlineData(null, "USERNAME", null, ScimConstants.UserSchema, "userName")]
    [InlineData(null, "name", "GIVENNAME", ScimConstants.UserSchema, "name.givenName")]
    [InlineData(ScimConstants.UserSchema, "emails", "value", ScimConstants.UserSchema, "emails.value")]
    [InlineData(Enterprise, "department", null, Enterprise, "department")]
    [InlineData("URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER", "Manager", "$REF", Enterprise, "manager.$ref")]
    [InlineData(null, "department", null, Enterprise, "department")]
    [InlineData(null, "dateFormat", null, ScimConstants.AssureUserSchema, "dateFormat")]
    [InlineData(null, "meta", "lastModified", ScimConstants.UserSchema, "meta.lastModified")]
    public void FindAttribute_KnownPaths_ResolveCaseInsensitively(
        string? urn,
        string name,
        string? sub,
        string expectedSchema,
        string expectedPath)
    {
        var resolved = ScimSchemas.FindAttribute(ScimSchemas.UserResourceType, urn, name, sub)!;

        Assert.Equal(expectedSchema, resolved.Schema.Id);
        Assert.Equal(expectedPath, resolved.ShortPath);
    }

    [Theory]
    [InlineData(null, "shoeSize", null)]
    [InlineData(null, "name", "shoeSize")]
    [InlineData(null, "userName", "value")]
    [InlineData(ScimConstants.GroupSchema, "displayName", null)]
    [InlineData(Enterprise, "userName", null)]
    [InlineData("urn:example:other", "userName", null)]
    public void FindAttribute_UnknownPaths_AreNull(string? urn, string name, string? sub)
    {
        Assert.Null(ScimSchemas.FindAttribute(ScimSchemas.UserResourceType, urn, name, sub));
    }

    [Fact]
    public void FindAttribute_GroupMembers_ResolvesOnGroupOnly()
    {
        Assert.Equal(Mutability.Immutable, ScimSchemas.FindAttribute(ScimSchemas.GroupResourceType, "members.value")!.Definition.Mutability);
        Assert.Null(ScimSchemas.FindAttribute(ScimSchemas.UserResourceType, "members"));
        Assert.Null(ScimSchemas.FindAttribute(ScimSchemas.GroupResourceType, "department"));
    }

    [Theory]
    [InlineData("userName", null, "userName", null)]
    [InlineData(" name.givenName ", null, "name", "givenName")]
    [InlineData("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName", ScimConstants.UserSchema, "name", "givenName")]
    [InlineData("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", Enterprise, "manager", "value")]
    [InlineData("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", Enterprise, "department", null)]
    [InlineData("urn:example:custom:1.0:User:badge", "urn:example:custom:1.0:User", "badge", null)]
    [InlineData("members.$ref", null, "members", "$ref")]
    public void TryParse_ValidPaths_SplitUrnNameAndSubAttribute(string path, string? urn, string name, string? sub)
    {
        Assert.True(AttributeReference.TryParse(path, out var reference));
        Assert.Equal(new AttributeReference(urn, name, sub), reference);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("name.givenName.extra")]
    [InlineData("1name")]
    [InlineData("na me")]
    [InlineData("emails[type eq \"work\"]")]
    [InlineData("name.")]
    [InlineData(".givenName")]
    public void TryParse_InvalidPaths_AreRejected(string? path)
    {
        Assert.False(AttributeReference.TryParse(path, out _));
    }

    [Fact]
    public void FindAttribute_TextualPathWithUrn_ResolvesToFullPath()
    {
        var resolved = ScimSchemas.FindAttribute(ScimSchemas.UserResourceType, $"{Enterprise}:MANAGER.value")!;

        Assert.Equal($"{Enterprise}:manager.value", resolved.FullPath);
    }

    [Fact]
    public void FindSchemaAndResourceType_AreCaseInsensitive()
    {
        Assert.Same(ScimSchemas.AssureUser, ScimSchemas.FindSchema(ScimConstants.AssureUserSchema.ToUpperInvariant()));
        Assert.Same(ScimSchemas.GroupResourceType, ScimSchemas.FindResourceType("group"));
        Assert.Null(ScimSchemas.FindSchema("urn:example:nothing"));
        Assert.Null(ScimSchemas.FindResourceType("Device"));
    }
}
