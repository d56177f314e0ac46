namespace Microservices.ScimEdge.Api.Scim;

/// <summary>
/// Which IdP sent a request, for the audit record and the request metrics only; no behaviour may branch on it (the endpoints accept the union of
/// Okta's and Entra's shapes). Okta documents <c>User-Agent: Okta SCIM Client 1.0.0</c> in its SCIM 2.0 reference;
/// Entra sends <c>Microsoft Azure AD SCIM provisioning</c> (Entra's docs do not publish it; it is what SCIM servers
/// match on in practice), so newer Entra names are accepted too.
/// </summary>
public static class ScimClients
{
    public const string Okta = "okta";
    public const string Entra = "entra";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Okta, Entra, Other];

    public static string FromUserAgent(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return Other;
        }

        if (userAgent.StartsWith("Okta", StringComparison.OrdinalIgnoreCase))
        {
            return Okta;
        }

        return userAgent.Contains("Azure AD", StringComparison.OrdinalIgnoreCase)
            || userAgent.Contains("Entra", StringComparison.OrdinalIgnoreCase)
            || userAgent.Contains("Microsoft.AAD", StringComparison.OrdinalIgnoreCase)
            ? Entra
            : Other;
    }
}
