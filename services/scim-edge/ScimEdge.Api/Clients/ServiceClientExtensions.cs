using System.Net;
using Dapr.Client;
using Microservices.ServiceDefaults.Internal;

namespace Microservices.ScimEdge.Api.Clients;

/// <summary>
/// Registers the typed clients of the domain services. One call per service:
/// <c>builder.AddServiceClient&lt;OrgUnitsClient&gt;(ServiceApp.OrgUnits)</c>; a UsersClient or RolesClient is
/// registered the same way with <see cref="ServiceApp.Users"/> / <see cref="ServiceApp.Roles"/>.
/// </summary>
public static class ServiceClientExtensions
{
    public const string ModeKey = "Services:Mode";
    public const string InternalTokenKey = "Services:InternalToken";

    public static IHttpClientBuilder AddServiceClient<TClient>(this WebApplicationBuilder builder, ServiceApp service)
        where TClient : class
    {
        var configuration = builder.Configuration;
        var direct = ParseMode(configuration[ModeKey]);
        var baseAddress = direct ? RequireBaseUrl(configuration, service) : new Uri($"http://{service.AppId}/");
        var token = direct ? RequireInternalToken(configuration) : null;

        var client = builder.Services
            .AddHttpClient<TClient>(service.AppId, http =>
            {
                http.BaseAddress = baseAddress;
                // ServiceFailureHandler bounds each call; the client-wide timeout would also cut streamed bodies.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(CreatePrimaryHandler)
            // The pooled handler lives for the process; PooledConnectionLifetime handles DNS changes instead.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // Four log lines per call at Information would swamp the hot path; OpenTelemetry spans record the calls.
            .RemoveAllLoggers()
            .AddHttpMessageHandler(sp => new ServiceFailureHandler(service.AppId, sp.GetRequiredService<TimeProvider>()))
            .AddHttpMessageHandler(sp => new IdempotentRetryHandler(sp.GetRequiredService<TimeProvider>()));

        if (direct)
        {
            client.AddHttpMessageHandler(() => new InternalTokenHandler(token!));
        }
        else
        {
            // InvocationHandler reads DAPR_HTTP_ENDPOINT / DAPR_HTTP_PORT and DAPR_API_TOKEN; the callee's sidecar
            // adds the callee's app token (dapr-api-token) on the far side.
            client.AddHttpMessageHandler(() => new DaprInvokeFailureHandler());
            client.AddHttpMessageHandler(() => new InvocationHandler());
        }

        return client;
    }

    private static SocketsHttpHandler CreatePrimaryHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        ConnectTimeout = TimeSpan.FromSeconds(3),
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    };

    private static bool ParseMode(string? mode) => (mode ?? "direct").Trim().ToLowerInvariant() switch
    {
        "direct" => true,
        "dapr" => false,
        _ => throw new InvalidOperationException($"{ModeKey} must be 'direct' or 'dapr', not '{mode}'."),
    };

    private static Uri RequireBaseUrl(IConfiguration configuration, ServiceApp service)
    {
        var key = $"Services:{service.ConfigName}:BaseUrl";
        var value = configuration[key];
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"{key} must be an absolute http(s) URL when {ModeKey} is direct.");
        }

        // Relative request paths resolve under the base only when it ends with '/'.
        return url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
    }

    private static string RequireInternalToken(IConfiguration configuration) =>
        configuration[InternalTokenKey] is { Length: >= 16 } token
            ? token
            : throw new InvalidOperationException($"{InternalTokenKey} must be set (at least 16 characters) when {ModeKey} is direct; the domain services require {InternalApi.TokenHeader}.");
}
