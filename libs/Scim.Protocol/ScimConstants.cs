namespace Microservices.Scim;

/// <summary>Schema URNs and media types of RFC 7643 / RFC 7644, and Assure's own extension.</summary>
public static class ScimConstants
{
    public const string MediaType = "application/scim+json";

    public const string UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
    public const string GroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
    public const string EnterpriseUserSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    /// <summary>Assure attributes that core SCIM lacks (date format, person register fields).</summary>
    public const string AssureUserSchema = "urn:ietf:params:scim:schemas:extension:assure:2.0:User";

    /// <summary>The ServiceProviderConfig extension that names the request limits RFC 7643 §5 has no place for.</summary>
    public const string AssureServiceProviderConfigSchema = "urn:ietf:params:scim:schemas:extension:assure:2.0:ServiceProviderConfig";

    public const string ListResponseSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    public const string ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";
    public const string PatchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    public const string SearchRequestSchema = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

    public const string ServiceProviderConfigSchema = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
    public const string ResourceTypeSchema = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
    public const string SchemaSchema = "urn:ietf:params:scim:schemas:core:2.0:Schema";
}
