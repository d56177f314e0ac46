using Microservices.Scim.Discovery;

namespace Microservices.ScimEdge.Api.Scim;

/// <summary>
/// What the SCIM endpoints need from configuration: the public base URL every <c>meta.location</c> is built from
/// (<c>Scim:PublicBaseUrl</c>; never the Host header, which a caller controls) and the enforced limits
/// (<c>Scim:Limits:*</c>, each optional, defaults from <see cref="ScimServiceLimits.Default"/>).
/// </summary>
public sealed record ScimSettings(string PublicBaseUrl, ScimServiceLimits Limits)
{
    public const string PublicBaseUrlKey = "Scim:PublicBaseUrl";

    public static ScimSettings FromConfiguration(IConfiguration configuration)
    {
        var url = configuration[PublicBaseUrlKey];
        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
        {
            // Local tools without SCIM configuration still start; links then point at the loopback default.
            url = "http://localhost/v1/scim";
        }

        var section = configuration.GetSection("Scim:Limits");
        var d = ScimServiceLimits.Default;
        int Get(string name, int fallback) => section.GetValue(name, fallback);
        var limits = new ScimServiceLimits(
            Get(nameof(ScimServiceLimits.MaxPayloadBytes), d.MaxPayloadBytes),
            Get(nameof(ScimServiceLimits.MaxFilterLength), d.MaxFilterLength),
            Get(nameof(ScimServiceLimits.MaxPageSize), d.MaxPageSize),
            Get(nameof(ScimServiceLimits.MaxPatchOperations), d.MaxPatchOperations),
            Get(nameof(ScimServiceLimits.MaxMembersPerOperation), d.MaxMembersPerOperation),
            Get(nameof(ScimServiceLimits.DefaultPageSize), d.DefaultPageSize),
            Get(nameof(ScimServiceLimits.MaxFilterDepth), d.MaxFilterDepth));
        return new ScimSettings(url!.TrimEnd('/'), limits);
    }

    /// <summary>The absolute URL of a resource under the public base, e.g. <c>Location("Users", id)</c>.</summary>
    public string Location(string endpoint, string id) => $"{PublicBaseUrl}/{endpoint}/{Uri.EscapeDataString(id)}";
}
