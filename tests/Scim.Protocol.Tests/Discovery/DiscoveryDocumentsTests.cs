using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim.Discovery;
using Microservices.Scim.Errors;
using Microservices.Scim.Json;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Protocol.Tests.Discovery;

public sealed class DiscoveryDocumentsTests
{
    private const string BaseUrl = "https://scim.uk.sheassure.net/v1/scim";

    private static readonly ScimServiceLimits _limits = new(
        MaxPayloadBytes: 524_288,
        MaxFilterLength: 2_000,
        MaxPageSize: 250,
        MaxPatchOperations: 300,
        MaxMembersPerOperation: 400,
        DefaultPageSize: 50,
        MaxFilterDepth: 12);

    [Fact]
    public void ServiceProviderConfig_AdvertisesFeaturesAndIntegerLimits()
    {
        var document = RoundTrip(DiscoveryDocuments.ServiceProviderConfig(BaseUrl, _limits));

        Assert.Equal(ScimConstants.ServiceProviderConfigSchema, document.GetProperty("schemas")[0].GetString());
        Assert.True(document.GetProperty("patch").GetProperty("supported").GetBoolean());
        var bulk = document.GetProperty("bulk");
        Assert.False(bulk.GetProperty("supported").GetBoolean());
        Assert.Equal(JsonValueKind.Number, bulk.GetProperty("maxOperations").ValueKind);
        Assert.Equal(524_288, bulk.GetProperty("maxPayloadSize").GetInt32());
        var filter = document.GetProperty("filter");
        Assert.True(filter.GetProperty("supported").GetBoolean());
        Assert.Equal(JsonValueKind.Number, filter.GetProperty("maxResults").ValueKind);
        Assert.Equal(250, filter.GetProperty("maxResults").GetInt32());
        Assert.False(document.GetProperty("changePassword").GetProperty("supported").GetBoolean());
        Assert.True(document.GetProperty("sort").GetProperty("supported").GetBoolean());
        Assert.True(document.GetProperty("etag").GetProperty("supported").GetBoolean());
        var scheme = Assert.Single(document.GetProperty("authenticationSchemes").EnumerateArray());
        Assert.Equal("oauthbearertoken", scheme.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(scheme.GetProperty("name").GetString()));
        Assert.False(string.IsNullOrEmpty(scheme.GetProperty("description").GetString()));
        Assert.Equal("ServiceProviderConfig", document.GetProperty("meta").GetProperty("resourceType").GetString());
        Assert.Equal($"{BaseUrl}/ServiceProviderConfig", document.GetProperty("meta").GetProperty("location").GetString());
    }

    [Fact]
    public void ServiceProviderConfig_AssureExtension_NamesEveryEnforcedLimit()
    {
        var document = RoundTrip(DiscoveryDocuments.ServiceProviderConfig(BaseUrl, _limits));

        Assert.Equal(
            [ScimConstants.ServiceProviderConfigSchema, ScimConstants.AssureServiceProviderConfigSchema],
            document.GetProperty("schemas").EnumerateArray().Select(s => s.GetString()));
        var limits = document.GetProperty(ScimConstants.AssureServiceProviderConfigSchema);
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["maxPayloadSize"] = 524_288,
                ["maxFilterLength"] = 2_000,
                ["maxFilterDepth"] = 12,
                ["maxPageSize"] = 250,
                ["defaultPageSize"] = 50,
                ["maxPatchOperations"] = 300,
                ["maxMembersPerOperation"] = 400,
            },
            limits.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()));
    }

    [Fact]
    public void Limits_FilterDepthAboveTheParserDefault_IsAConfigurationError()
    {
        var d = ScimServiceLimits.Default;

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ScimServiceLimits(d.MaxPayloadBytes, d.MaxFilterLength, d.MaxPageSize, d.MaxPatchOperations, d.MaxMembersPerOperation, d.DefaultPageSize, MaxFilterDepth: 33));
    }

    [Theory]
    [InlineData("https://scim.uk.sheassure.net/v1/scim/")]
    [InlineData("https://scim.uk.sheassure.net/v1/scim")]
    public void ServiceProviderConfig_TrailingSlashInBaseUrl_IsNotDoubled(string baseUrl)
    {
        var document = DiscoveryDocuments.ServiceProviderConfig(baseUrl, _limits);

        Assert.Equal($"{BaseUrl}/ServiceProviderConfig", (string?)document["meta"]!["location"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/v1/scim")]
    [InlineData("ftp://example.com/scim")]
    public void Documents_BadBaseUrl_IsAConfigurationError(string baseUrl)
    {
        Assert.Throws<ArgumentException>(() => DiscoveryDocuments.ServiceProviderConfig(baseUrl, _limits));
        Assert.Throws<ArgumentException>(() => DiscoveryDocuments.Schemas(baseUrl));
    }

    [Fact]
    public void ResourceTypes_ListBothWithEndpointsSchemasAndExtensions()
    {
        var list = RoundTrip(DiscoveryDocuments.ResourceTypes(BaseUrl));

        Assert.Equal(ScimConstants.ListResponseSchema, list.GetProperty("schemas")[0].GetString());
        Assert.Equal(2, list.GetProperty("totalResults").GetInt32());
        Assert.Equal(2, list.GetProperty("itemsPerPage").GetInt32());
        Assert.Equal(1, list.GetProperty("startIndex").GetInt32());
        var byId = list.GetProperty("Resources").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);

        var user = byId["User"];
        Assert.Equal(ScimConstants.ResourceTypeSchema, user.GetProperty("schemas")[0].GetString());
        Assert.Equal("/Users", user.GetProperty("endpoint").GetString());
        Assert.Equal(ScimConstants.UserSchema, user.GetProperty("schema").GetString());
        var extensions = user.GetProperty("schemaExtensions").EnumerateArray().ToList();
        Assert.Equal(
            [ScimConstants.EnterpriseUserSchema, ScimConstants.AssureUserSchema],
            extensions.Select(e => e.GetProperty("schema").GetString()));
        Assert.All(extensions, e => Assert.False(e.GetProperty("required").GetBoolean()));
        Assert.Equal($"{BaseUrl}/ResourceTypes/User", user.GetProperty("meta").GetProperty("location").GetString());
        Assert.Equal("ResourceType", user.GetProperty("meta").GetProperty("resourceType").GetString());

        var group = byId["Group"];
        Assert.Equal("/Groups", group.GetProperty("endpoint").GetString());
        Assert.Equal(ScimConstants.GroupSchema, group.GetProperty("schema").GetString());
        Assert.False(group.TryGetProperty("schemaExtensions", out _));
    }

    [Fact]
    public void ResourceType_ById_IsCaseInsensitiveAndUnknownIsNotFound()
    {
        Assert.Equal("/Groups", (string?)DiscoveryDocuments.ResourceType(BaseUrl, "group")["endpoint"]);

        var exception = Assert.Throws<ScimException>(() => DiscoveryDocuments.ResourceType(BaseUrl, "Device"));
        Assert.Equal(404, exception.Status);
    }

    [Fact]
    public void Schemas_ListsAllFourWithLocations()
    {
        var list = RoundTrip(DiscoveryDocuments.Schemas(BaseUrl));

        Assert.Equal(4, list.GetProperty("totalResults").GetInt32());
        var resources = list.GetProperty("Resources").EnumerateArray().ToList();
        Assert.Equal(
            [ScimConstants.UserSchema, ScimConstants.GroupSchema, ScimConstants.EnterpriseUserSchema, ScimConstants.AssureUserSchema],
            resources.Select(r => r.GetProperty("id").GetString()));
        Assert.All(resources, r =>
        {
            Assert.Equal(ScimConstants.SchemaSchema, r.GetProperty("schemas")[0].GetString());
            Assert.Equal($"{BaseUrl}/Schemas/{r.GetProperty("id").GetString()}", r.GetProperty("meta").GetProperty("location").GetString());
            Assert.Equal("Schema", r.GetProperty("meta").GetProperty("resourceType").GetString());
        });
    }

    [Fact]
    public void Schemas_DescribeEveryAttributeAndSubAttributeOfTheDefinitions()
    {
        var list = RoundTrip(DiscoveryDocuments.Schemas(BaseUrl));

        foreach (var document in list.GetProperty("Resources").EnumerateArray())
        {
            var definition = ScimSchemas.FindSchema(document.GetProperty("id").GetString()!)!;
            AssertAttributes(definition.Attributes, document.GetProperty("attributes"));
        }
    }

    [Theory]
    [InlineData(ScimConstants.UserSchema, "password", null, "string", "writeOnly", "never", "none", false)]
    [InlineData(ScimConstants.UserSchema, "id", null, "string", "readOnly", "always", "server", true)]
    [InlineData(ScimConstants.UserSchema, "userName", null, "string", "readWrite", "default", "server", false)]
    [InlineData(ScimConstants.UserSchema, "groups", "$ref", "reference", "readOnly", "default", "none", false)]
    [InlineData(ScimConstants.UserSchema, "x509Certificates", "value", "binary", "readWrite", "default", "none", false)]
    [InlineData(ScimConstants.UserSchema, "meta", "lastModified", "dateTime", "readOnly", "default", "none", false)]
    [InlineData(ScimConstants.GroupSchema, "members", "value", "string", "immutable", "default", "none", false)]
    [InlineData(ScimConstants.EnterpriseUserSchema, "manager", "displayName", "string", "readOnly", "default", "none", false)]
    [InlineData(ScimConstants.AssureUserSchema, "isManager", null, "boolean", "readOnly", "default", "none", false)]
    public void Schema_ByUrn_GivesRfc7643Characteristics(
        string urn,
        string name,
        string? sub,
        string type,
        string mutability,
        string returned,
        string uniqueness,
        bool caseExact)
    {
        var document = RoundTrip(DiscoveryDocuments.Schema(BaseUrl, urn.ToLowerInvariant()));

        var attribute = document.GetProperty("attributes").EnumerateArray().Single(a => a.GetProperty("name").GetString() == name);
        if (sub is not null)
        {
            attribute = attribute.GetProperty("subAttributes").EnumerateArray().Single(a => a.GetProperty("name").GetString() == sub);
        }

        Assert.Equal(type, attribute.GetProperty("type").GetString());
        Assert.Equal(mutability, attribute.GetProperty("mutability").GetString());
        Assert.Equal(returned, attribute.GetProperty("returned").GetString());
        Assert.Equal(uniqueness, attribute.GetProperty("uniqueness").GetString());
        Assert.Equal(caseExact, attribute.GetProperty("caseExact").GetBoolean());
    }

    [Fact]
    public void Schema_AssureDateFormat_ListsCanonicalValues()
    {
        var document = DiscoveryDocuments.Schema(BaseUrl, ScimConstants.AssureUserSchema);

        var dateFormat = document["attributes"]!.AsArray().Single(a => (string?)a!["name"] == "dateFormat")!;
        Assert.Equal(["DD/MM/YYYY", "MM/DD/YYYY", "YYYY-MM-DD"], dateFormat["canonicalValues"]!.AsArray().Select(v => (string?)v));
    }

    [Fact]
    public void Schema_UnknownUrn_IsNotFound()
    {
        var exception = Assert.Throws<ScimException>(() => DiscoveryDocuments.Schema(BaseUrl, "urn:example:nothing"));

        Assert.Equal(404, exception.Status);
    }

    [Fact]
    public void Documents_SerialiseWithoutNulls()
    {
        var json = JsonSerializer.Serialize(DiscoveryDocuments.Schemas(BaseUrl), ScimJson.SerializerOptions)
            + JsonSerializer.Serialize(DiscoveryDocuments.ServiceProviderConfig(BaseUrl, _limits), ScimJson.SerializerOptions);

        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
    }

    private static void AssertAttributes(IReadOnlyList<AttributeDefinition> definitions, JsonElement documents)
    {
        var list = documents.EnumerateArray().ToList();
        Assert.Equal(definitions.Select(d => d.Name), list.Select(a => a.GetProperty("name").GetString()));
        foreach (var (definition, document) in definitions.Zip(list))
        {
            Assert.Equal(DiscoveryDocuments.TypeName(definition.Type), document.GetProperty("type").GetString());
            Assert.Equal(definition.MultiValued, document.GetProperty("multiValued").GetBoolean());
            Assert.Equal(definition.Required, document.GetProperty("required").GetBoolean());
            Assert.Equal(definition.CaseExact, document.GetProperty("caseExact").GetBoolean());
            Assert.Equal(DiscoveryDocuments.MutabilityName(definition.Mutability), document.GetProperty("mutability").GetString());
            Assert.Equal(DiscoveryDocuments.ReturnedName(definition.Returned), document.GetProperty("returned").GetString());
            Assert.Equal(DiscoveryDocuments.UniquenessName(definition.Uniqueness), document.GetProperty("uniqueness").GetString());
            Assert.False(string.IsNullOrEmpty(document.GetProperty("description").GetString()));
            Assert.Equal(
                definition.ReferenceTypes ?? [],
                document.TryGetProperty("referenceTypes", out var referenceTypes) ? referenceTypes.EnumerateArray().Select(r => r.GetString()!) : []);
            Assert.Equal(
                definition.CanonicalValues ?? [],
                document.TryGetProperty("canonicalValues", out var canonical) ? canonical.EnumerateArray().Select(r => r.GetString()!) : []);
            if (definition.Type == AttributeType.Reference)
            {
                Assert.NotEmpty(definition.ReferenceTypes ?? []);
            }

            if (definition.SubAttributes is { Count: > 0 } subAttributes)
            {
                AssertAttributes(subAttributes, document.GetProperty("subAttributes"));
            }
            else
            {
                Assert.False(document.TryGetProperty("subAttributes", out _));
            }
        }
    }

    private static JsonElement RoundTrip(JsonObject document) =>
        JsonDocument.Parse(JsonSerializer.Serialize(document, ScimJson.SerializerOptions)).RootElement.Clone();
}
