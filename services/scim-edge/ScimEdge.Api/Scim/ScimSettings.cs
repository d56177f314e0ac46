using Microservices.Scim.Discovery;

namespace Microservices.ScimEdge.Api.Scim;

/// <summary>
/// What the SCIM endpoints need from configuration: the public base URL every <c>meta.location</c>, <c>Location</c>
/// and <c>$ref</c> is built from (<c>Scim:PublicBaseUrl</c>; never the Host header, which a caller controls) and the
/// enforced limits (<c>Scim:Limits:*</c>, each optional, defaults from <see cref="ScimServiceLimits.Default"/>).
/// </summary>
public sealed record ScimSettings(string PublicBaseUrl, ScimServiceLimits Limits)
{
    public const string PublicBaseUrlKey = "Scim:PublicBaseUrl";

    /// <summary>The base a Development host without <see cref="PublicBaseUrlKey"/> uses.</summary>
    public const string DevelopmentPublicBaseUrl = "http://localhost/v1/scim";

    /// <summary>
    /// Reads the settings; a missing or unusable <see cref="PublicBaseUrlKey"/> throws (the host does not start) unless
    /// <paramref name="environment"/> is Development. A silent fallback would hand Okta and Entra links to localhost
    /// in every <c>meta.location</c> and <c>$ref</c>, which nothing notices until an IdP follows one.
    /// </summary>
    public static ScimSettings FromConfiguration(IConfiguration configuration, IHostEnvironment environment)
    {
        var url = configuration[PublicBaseUrlKey];
        if (!IsUsableBaseUrl(url))
        {
            url = environment.IsDevelopment()
                ? DevelopmentPublicBaseUrl
                : throw new InvalidOperationException(
                    $"{PublicBaseUrlKey} (environment variable Scim__PublicBaseUrl) must be the absolute http or https URL Okta and " +
                    $"Entra call, e.g. https://scim.uk.sheassure.net/v1/scim, without query or fragment; it is {(string.IsNullOrWhiteSpace(url) ? "not set" : $"'{url}'")}. " +
                    "meta.location, Location and $ref are built from it. Only a Development host falls back to " + DevelopmentPublicBaseUrl + ".");
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

    private static bool IsUsableBaseUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed)
        && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps)
        && parsed.Host.Length > 0
        && parsed.Query.Length == 0
        && parsed.Fragment.Length == 0
        && parsed.UserInfo.Length == 0;

    /// <summary>The absolute URL of a resource under the public base, e.g. <c>Location("Users", id)</c>.</summary>
    public string Location(string endpoint, string id) => $"{PublicBaseUrl}/{endpoint}/{Uri.EscapeDataString(id)}";
}
