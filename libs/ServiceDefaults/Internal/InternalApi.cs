using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;

namespace Microservices.ServiceDefaults.Internal;

/// <summary>
/// The contract of every internal call (edge → domain service, relay → subscriber). The same headers are used with
/// and without Dapr: with Dapr the sidecar adds <c>dapr-api-token</c> (its app API token) to whatever it forwards to
/// the app; in local mode the caller sends the shared secret in that same header itself.
/// </summary>
public static class InternalApi
{
    /// <summary>Dapr's app API token header (docs: operations/security/app-api-token).</summary>
    public const string TokenHeader = "dapr-api-token";

    /// <summary>The tenant every internal call acts for; set only by the edge from the API key, never by an IdP.</summary>
    public const string TenantHeader = "x-tenant-id";

    /// <summary>The configuration key of the token, named as Dapr names it.</summary>
    public const string TokenConfigKey = "APP_API_TOKEN";

    public static string RequireToken(IConfiguration configuration) =>
        configuration[TokenConfigKey] is { Length: >= 16 } token
            ? token
            : throw new InvalidOperationException($"{TokenConfigKey} must be set (at least 16 characters): internal endpoints never run open.");

    /// <summary>Refuses every request but the health probes unless it presents the internal token.</summary>
    public static WebApplication UseInternalAuthentication(this WebApplication app)
    {
        var expected = Encoding.UTF8.GetBytes(RequireToken(app.Configuration));
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/healthz"))
            {
                await next(context);
                return;
            }

            var presented = context.Request.Headers[TokenHeader].ToString();
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), expected))
            {
                await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "internal token missing or wrong").ExecuteAsync(context);
                return;
            }

            await next(context);
        });
        return app;
    }

    /// <summary>The tenant of an internal request; an endpoint filter on the internal route group guarantees it is present.</summary>
    public static string TenantId(this HttpContext context) =>
        context.Items[TenantHeader] as string ?? throw new InvalidOperationException("tenant filter not applied to this route");

    /// <summary>Route-group filter: internal routes act for exactly one tenant, named by <see cref="TenantHeader"/>.</summary>
    public static RouteGroupBuilder RequireTenant(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (invocation, next) =>
        {
            var tenant = invocation.HttpContext.Request.Headers[TenantHeader].ToString();
            if (string.IsNullOrWhiteSpace(tenant) || tenant.Length > 64)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: $"{TenantHeader} header is required");
            }

            invocation.HttpContext.Items[TenantHeader] = tenant;
            return await next(invocation);
        });
        return group;
    }
}
