using System.Text.Json.Nodes;
using Microservices.Scim.Errors;
using Microservices.Scim.Lists;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Discovery;

/// <summary>
/// The discovery documents of RFC 7644 §4 (<c>/ServiceProviderConfig</c>, <c>/ResourceTypes</c>, <c>/Schemas</c>),
/// generated from the same definitions that drive validation and projection so they cannot drift apart.
/// <c>meta.location</c> is built from the configured public base URL (e.g. <c>https://scim.uk.sheassure.net/v1/scim</c>),
/// never from the request's Host header.
/// </summary>
public static class DiscoveryDocuments
{
    private const string BearerSpecUri = "https://www.rfc-editor.org/info/rfc6750";

    /// <summary>RFC 7643 §5, with the service's real limits.</summary>
    public static JsonObject ServiceProviderConfig(string publicBaseUrl, ScimServiceLimits limits)
    {
        var baseUrl = NormalizeBaseUrl(publicBaseUrl);
        return new JsonObject
        {
            ["schemas"] = new JsonArray(ScimConstants.ServiceProviderConfigSchema, ScimConstants.AssureServiceProviderConfigSchema),
            ["patch"] = new JsonObject { ["supported"] = true },
            // Bulk is not offered; a bulk request would still be held to the body limit every request has.
            ["bulk"] = new JsonObject
            {
                ["supported"] = false,
                ["maxOperations"] = 0,
                ["maxPayloadSize"] = limits.MaxPayloadBytes,
            },
            ["filter"] = new JsonObject
            {
                ["supported"] = true,
                ["maxResults"] = limits.MaxPageSize,
            },
            ["changePassword"] = new JsonObject { ["supported"] = false },
            ["sort"] = new JsonObject { ["supported"] = true },
            ["etag"] = new JsonObject { ["supported"] = true },
            ["authenticationSchemes"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "oauthbearertoken",
                    ["name"] = "OAuth Bearer Token",
                    ["description"] = "An Assure API key sent as a bearer token in the Authorization header.",
                    ["specUri"] = BearerSpecUri,
                    ["primary"] = true,
                }),
            // Every limit the edge enforces, by the name its error details use; an IdP ignores what it does not know.
            [ScimConstants.AssureServiceProviderConfigSchema] = new JsonObject
            {
                ["maxPayloadSize"] = limits.MaxPayloadBytes,
                ["maxFilterLength"] = limits.MaxFilterLength,
                ["maxFilterDepth"] = limits.MaxFilterDepth,
                ["maxPageSize"] = limits.MaxPageSize,
                ["defaultPageSize"] = limits.DefaultPageSize,
                ["maxPatchOperations"] = limits.MaxPatchOperations,
                ["maxMembersPerOperation"] = limits.MaxMembersPerOperation,
            },
            ["meta"] = Meta("ServiceProviderConfig", $"{baseUrl}/ServiceProviderConfig"),
        };
    }

    /// <summary>A ListResponse of every resource type (RFC 7644 §4, RFC 7643 §6).</summary>
    public static JsonObject ResourceTypes(string publicBaseUrl) =>
        ListResponse.All(ScimSchemas.AllResourceTypes.Select(t => ResourceType(publicBaseUrl, t)).ToList()).ToJson();

    /// <summary>One resource type by id, case-insensitively; unknown is <c>404</c>.</summary>
    public static JsonObject ResourceType(string publicBaseUrl, string id) =>
        ScimSchemas.FindResourceType(id) is { } resourceType
            ? ResourceType(publicBaseUrl, resourceType)
            : throw ScimException.NotFound($"Resource type '{id}' not found.");

    public static JsonObject ResourceType(string publicBaseUrl, ResourceTypeDefinition resourceType)
    {
        var baseUrl = NormalizeBaseUrl(publicBaseUrl);
        var document = new JsonObject
        {
            ["schemas"] = new JsonArray(ScimConstants.ResourceTypeSchema),
            ["id"] = resourceType.Id,
            ["name"] = resourceType.Name,
            ["endpoint"] = resourceType.Endpoint,
            ["description"] = resourceType.Description,
            ["schema"] = resourceType.Schema.Id,
        };
        if (resourceType.Extensions.Count > 0)
        {
            var extensions = new JsonArray();
            foreach (var extension in resourceType.Extensions)
            {
                extensions.Add(new JsonObject { ["schema"] = extension.Schema.Id, ["required"] = extension.Required });
            }

            document["schemaExtensions"] = extensions;
        }

        document["meta"] = Meta("ResourceType", $"{baseUrl}/ResourceTypes/{resourceType.Id}");
        return document;
    }

    /// <summary>A ListResponse of every schema (RFC 7644 §4, RFC 7643 §7).</summary>
    public static JsonObject Schemas(string publicBaseUrl) =>
        ListResponse.All(ScimSchemas.AllSchemas.Select(s => Schema(publicBaseUrl, s)).ToList()).ToJson();

    /// <summary>One schema by URN, case-insensitively; unknown is <c>404</c>.</summary>
    public static JsonObject Schema(string publicBaseUrl, string urn) =>
        ScimSchemas.FindSchema(urn) is { } schema
            ? Schema(publicBaseUrl, schema)
            : throw ScimException.NotFound($"Schema '{urn}' not found.");

    public static JsonObject Schema(string publicBaseUrl, SchemaDefinition schema)
    {
        var baseUrl = NormalizeBaseUrl(publicBaseUrl);
        var attributes = new JsonArray();
        foreach (var attribute in schema.Attributes)
        {
            attributes.Add(Attribute(attribute));
        }

        return new JsonObject
        {
            ["schemas"] = new JsonArray(ScimConstants.SchemaSchema),
            ["id"] = schema.Id,
            ["name"] = schema.Name,
            ["description"] = schema.Description,
            ["attributes"] = attributes,
            ["meta"] = Meta("Schema", $"{baseUrl}/Schemas/{schema.Id}"),
        };
    }

    /// <summary>One attribute with every characteristic of RFC 7643 §7, sub-attributes included.</summary>
    public static JsonObject Attribute(AttributeDefinition attribute)
    {
        var document = new JsonObject
        {
            ["name"] = attribute.Name,
            ["type"] = TypeName(attribute.Type),
            ["multiValued"] = attribute.MultiValued,
            ["description"] = attribute.Description,
            ["required"] = attribute.Required,
            ["caseExact"] = attribute.CaseExact,
            ["mutability"] = MutabilityName(attribute.Mutability),
            ["returned"] = ReturnedName(attribute.Returned),
            ["uniqueness"] = UniquenessName(attribute.Uniqueness),
        };
        if (attribute.CanonicalValues is { Count: > 0 } canonical)
        {
            document["canonicalValues"] = new JsonArray([.. canonical.Select(v => (JsonNode?)JsonValue.Create(v))]);
        }

        if (attribute.ReferenceTypes is { Count: > 0 } referenceTypes)
        {
            document["referenceTypes"] = new JsonArray([.. referenceTypes.Select(v => (JsonNode?)JsonValue.Create(v))]);
        }

        if (attribute.SubAttributes is { Count: > 0 } subAttributes)
        {
            document["subAttributes"] = new JsonArray([.. subAttributes.Select(s => (JsonNode?)Attribute(s))]);
        }

        return document;
    }

    public static string TypeName(AttributeType type) => type switch
    {
        AttributeType.String => "string",
        AttributeType.Boolean => "boolean",
        AttributeType.Decimal => "decimal",
        AttributeType.Integer => "integer",
        AttributeType.DateTime => "dateTime",
        AttributeType.Binary => "binary",
        AttributeType.Reference => "reference",
        AttributeType.Complex => "complex",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static string MutabilityName(Mutability mutability) => mutability switch
    {
        Mutability.ReadWrite => "readWrite",
        Mutability.ReadOnly => "readOnly",
        Mutability.Immutable => "immutable",
        Mutability.WriteOnly => "writeOnly",
        _ => throw new ArgumentOutOfRangeException(nameof(mutability)),
    };

    public static string ReturnedName(Returned returned) => returned switch
    {
        Returned.Default => "default",
        Returned.Always => "always",
        Returned.Never => "never",
        Returned.Request => "request",
        _ => throw new ArgumentOutOfRangeException(nameof(returned)),
    };

    public static string UniquenessName(Uniqueness uniqueness) => uniqueness switch
    {
        Uniqueness.None => "none",
        Uniqueness.Server => "server",
        Uniqueness.Global => "global",
        _ => throw new ArgumentOutOfRangeException(nameof(uniqueness)),
    };

    private static JsonObject Meta(string resourceType, string location) => new()
    {
        ["resourceType"] = resourceType,
        ["location"] = location,
    };

    // The base URL is configuration, so a bad one is a programming error, not a client error.
    private static string NormalizeBaseUrl(string publicBaseUrl)
    {
        if (!Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("The public base URL must be an absolute http(s) URL.", nameof(publicBaseUrl));
        }

        return publicBaseUrl.TrimEnd('/');
    }
}
