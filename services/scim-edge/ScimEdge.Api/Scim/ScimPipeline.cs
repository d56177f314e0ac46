using Microservices.Scim.Errors;
using Microservices.ScimEdge.Api.ApiKeys;
using Microservices.ScimEdge.Api.Audit;
using Microservices.ScimEdge.Api.Observability;
using Microservices.ScimEdge.Api.RateLimits;
using Microservices.ScimEdge.Api.Scim.Users;

namespace Microservices.ScimEdge.Api.Scim;

/// <summary>
/// The SCIM 2.0 surface at <c>/v1/scim</c> that Okta and Entra call. The /Users, /Groups and discovery endpoints
/// map onto the group <see cref="MapScimApi"/> returns (<c>scim.MapGet("/Users", ...)</c>); the middleware has then
/// already authenticated the key, and the endpoints read the tenant as a <see cref="ScimTenant"/> parameter, throw
/// <see cref="ScimException"/> or return <see cref="ScimResults.Error(ScimError)"/> for protocol errors, and let
/// <c>ServiceUnavailableException</c> from a typed client become 503.
/// </summary>
public static class ScimPipeline
{
    public const string BasePath = "/v1/scim";

    public static WebApplicationBuilder AddScimPipeline(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiKeyCacheOptions>().BindConfiguration(ApiKeyCacheOptions.SectionName);
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        // Read while the host is built, so a missing or bad Scim:PublicBaseUrl stops start-up with its message.
        builder.Services.AddSingleton(ScimSettings.FromConfiguration(builder.Configuration, builder.Environment));
        // One set of limits for every SCIM endpoint: the /Groups endpoints take it as ScimServiceLimits.
        builder.Services.AddSingleton(sp => sp.GetRequiredService<ScimSettings>().Limits);
        builder.Services.AddSingleton<ScimRequestMetrics>();
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName);
        builder.Services.AddSingleton<RateLimitStore>();
        builder.Services.AddSingleton<TenantRateLimiter>();
        return builder;
    }

    /// <summary>
    /// Authentication and error shaping run for the whole path prefix, before routing's endpoint runs, so an unknown
    /// SCIM route is authenticated first and answers 404 only to a valid key. The audit record wraps everything (a 401
    /// is recorded too); the tenant's rate limit applies once the key has named the tenant.
    /// </summary>
    public static WebApplication UseScimPipeline(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<ScimRequestMetrics>();
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(BasePath),
            scim => scim
                .Use(metrics.InvokeAsync)
                .UseMiddleware<AuditMiddleware>(AuditKinds.Scim)
                .UseMiddleware<ScimMiddleware>()
                .UseMiddleware<RateLimitMiddleware>());
        return app;
    }

    public static RouteGroupBuilder MapScimApi(this IEndpointRouteBuilder endpoints)
    {
        var scim = endpoints.MapGroup(BasePath);
        scim.MapUserEndpoints();
        scim.MapDiscoveryEndpoints();
        scim.MapFallback("{**path}", () => ScimResults.Error(StatusCodes.Status404NotFound, null, "No such SCIM resource or endpoint."));
        return scim;
    }
}
