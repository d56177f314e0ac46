using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microservices.ScimEdge.Api.Audit;
using Microservices.ScimEdge.Api.Clients;
using Microservices.ScimEdge.Api.RateLimits;
using Microservices.ScimEdge.Api.Tenants;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;

namespace Microservices.ScimEdge.Api.Admin;

/// <summary>
/// The operator API at <c>/admin/v1</c>: tenants, API keys, org units proxied to the orgunits service and roles to the roles service.
/// Authenticated by <c>Authorization: Bearer &lt;SCIM_ADMIN_TOKEN&gt;</c>; errors are RFC 7807 problem documents.
/// </summary>
public static class AdminApi
{
    public const string BasePath = "/admin/v1";
    public const string TokenConfigKey = "SCIM_ADMIN_TOKEN";

    public static WebApplicationBuilder AddAdminApi(this WebApplicationBuilder builder)
    {
        // Refuse to start rather than serve an admin API that anyone, or a guessable token, could drive.
        var token = builder.Configuration[TokenConfigKey];
        if (token is not { Length: >= 16 } || string.IsNullOrWhiteSpace(token))
        {
            throw new InvalidOperationException($"{TokenConfigKey} must be set (at least 16 characters): the admin API never runs open.");
        }

        builder.Services.AddSingleton(new AdminToken(token));
        builder.Services.AddSingleton<TenantStore>();
        builder.Services.AddExceptionHandler<AdminExceptionHandler>();
        return builder;
    }

    /// <summary>Checks the token for every path under <c>/admin</c>, so unknown admin routes reveal nothing either.</summary>
    public static WebApplication UseAdminAuthentication(this WebApplication app)
    {
        var token = app.Services.GetRequiredService<AdminToken>();
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/admin"),
            admin => admin.Use(async (context, next) =>
            {
                if (!token.Matches(context.Request.Headers.Authorization))
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer realm=\"admin\"";
                    await TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "admin token missing or wrong").ExecuteAsync(context);
                    return;
                }

                await next(context);
            }));
        return app;
    }

    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup(BasePath);
        admin.MapTenantEndpoints();
        admin.MapApiKeyEndpoints();
        admin.MapOrgUnitEndpoints();
        admin.MapRoleEndpoints();
        admin.MapUserAdminEndpoints();
        admin.MapAuditEndpoints();
        admin.MapRateLimitEndpoints();
        return admin;
    }

    internal static ProblemHttpResult TenantNotFound(string tenant) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "tenant not found", detail: $"There is no tenant '{tenant}'.");
}

/// <summary>The operator token, kept only as its digest; comparing digests is fixed-time and length-independent.</summary>
internal sealed class AdminToken(string token)
{
    private readonly byte[] _digest = SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public bool Matches(StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } header)
        {
            return false;
        }

        var value = header.AsSpan().Trim();
        const string scheme = "Bearer ";
        if (!value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(value[scheme.Length..].Trim().ToString()), presented);
        return CryptographicOperations.FixedTimeEquals(presented, _digest);
    }
}

/// <summary>
/// Problem documents for what reaches the exception handler outside <c>/v1/scim</c>: unreadable bodies (400 naming the
/// field, 413, 415) and unavailable domain services (503). Anything else is left to the default 500 problem.
/// </summary>
internal sealed class AdminExceptionHandler(ILogger<AdminExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        IResult? result = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } => TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [FieldOf(json)] = ["is not valid JSON or has the wrong type"] },
                title: "The request body could not be read."),
            BadHttpRequestException bad => TypedResults.Problem(
                statusCode: bad.StatusCode,
                title: bad.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
                    StatusCodes.Status415UnsupportedMediaType => "The request body must be application/json.",
                    _ => "The request body is missing or could not be read.",
                }),
            ServiceUnavailableException unavailable => Unavailable(httpContext, unavailable),
            _ => null,
        };

        if (result is null)
        {
            return false;
        }

        await result.ExecuteAsync(httpContext);
        return true;
    }

    private ProblemHttpResult Unavailable(HttpContext context, ServiceUnavailableException exception)
    {
        logger.LogWarning("Admin request {Method} {Path} failed: {Reason}", context.Request.Method, context.Request.Path, exception.Message);
        context.Response.Headers.RetryAfter = ServiceUnavailableException.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: $"{exception.Service} is unavailable", detail: "Try again shortly.");
    }

    // System.Text.Json reports where it stopped as a JSON path ("$.displayName"); that names the field for the operator.
    private static string FieldOf(JsonException exception) =>
        exception.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
}
