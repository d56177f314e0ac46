using Microservices.ServiceDefaults.Internal;

namespace Microservices.ScimEdge.Api.Clients;

/// <summary>How every typed client builds a request to a domain service: relative path, tenant header, timeout.</summary>
public static class ServiceCall
{
    /// <summary>Bound on one call (all retries included) until the response headers arrive.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static readonly HttpRequestOptionsKey<TimeSpan> TimeoutOption = new("Microservices.ScimEdge.ServiceCall.Timeout");

    /// <summary>
    /// A request acting for <paramref name="tenant"/>. The tenant is a parameter of every call, never ambient state,
    /// so no call can reach a domain service without naming the tenant the API key (or the admin route) decided.
    /// </summary>
    public static HttpRequestMessage Create(HttpMethod method, string relativePath, string tenant, HttpContent? content = null, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        if (relativePath.StartsWith('/'))
        {
            throw new ArgumentException("paths are relative to the service's base address", nameof(relativePath));
        }

        var request = new HttpRequestMessage(method, new Uri(relativePath, UriKind.Relative)) { Content = content };
        request.Headers.TryAddWithoutValidation(InternalApi.TenantHeader, tenant);
        if (timeout is { } value)
        {
            request.Options.Set(TimeoutOption, value);
        }

        return request;
    }

    internal static bool IsGatewayFailure(System.Net.HttpStatusCode status) =>
        status is System.Net.HttpStatusCode.BadGateway or System.Net.HttpStatusCode.ServiceUnavailable or System.Net.HttpStatusCode.GatewayTimeout;
}
