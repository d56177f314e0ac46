using Microservices.Scim.Discovery;

namespace Microservices.ScimEdge.Api.Scim;

/// <summary>
/// RFC 7644 §4 discovery. Authenticated like the rest of /v1/scim: Okta and Entra send the key on every call, and the
/// documents name the limits of this deployment.
/// </summary>
public static class DiscoveryEndpoints
{
    public static RouteGroupBuilder MapDiscoveryEndpoints(this RouteGroupBuilder scim)
    {
        scim.MapGet("/ServiceProviderConfig", (ScimSettings settings) =>
            new ScimJsonResult(DiscoveryDocuments.ServiceProviderConfig(settings.PublicBaseUrl, settings.Limits)));
        scim.MapGet("/ResourceTypes", (ScimSettings settings) => new ScimJsonResult(DiscoveryDocuments.ResourceTypes(settings.PublicBaseUrl)));
        scim.MapGet("/ResourceTypes/{id}", (string id, ScimSettings settings) => new ScimJsonResult(DiscoveryDocuments.ResourceType(settings.PublicBaseUrl, id)));
        scim.MapGet("/Schemas", (ScimSettings settings) => new ScimJsonResult(DiscoveryDocuments.Schemas(settings.PublicBaseUrl)));
        scim.MapGet("/Schemas/{urn}", (string urn, ScimSettings settings) => new ScimJsonResult(DiscoveryDocuments.Schema(settings.PublicBaseUrl, urn)));
        return scim;
    }
}
