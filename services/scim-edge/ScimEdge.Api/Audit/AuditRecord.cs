namespace Microservices.ScimEdge.Api.Audit;

/// <summary>
/// One audited request. It names the caller (tenant, API key id, client) and the target (route template, resource),
/// never the key itself and never a request or response body.
/// </summary>
public sealed record AuditRecord(
    string Id,
    DateTimeOffset Time,
    string Kind,
    string? TenantId,
    string? ApiKeyId,
    string? Client,
    string Method,
    string? Route,
    string? ResourceType,
    string? ResourceId,
    int Status,
    string? ScimType,
    double DurationMs,
    string CorrelationId);

public static class AuditKinds
{
    public const string Scim = "scim";
    public const string Admin = "admin";
}

/// <summary>
/// Set by <c>ScimResults.WriteErrorAsync</c> for the error it wrote, so the audit record carries the scimType
/// without reading the response body back.
/// </summary>
public sealed record ScimErrorFeature(int Status, string? ScimType);

/// <summary>
/// Set by an endpoint whose created resource id is neither in the route nor in a Location header (an API key), so
/// the audit record can name it.
/// </summary>
public sealed record AuditResourceFeature(string ResourceId);
