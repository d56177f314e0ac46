using Microservices.ScimEdge.Api.Admin;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Microservices.ScimEdge.Api.RateLimits;

/// <summary><c>/admin/v1/tenants/{tenant}/rate-limit</c>: read, set or reset a tenant's SCIM rate limit.</summary>
public static class RateLimitEndpoints
{
    public sealed record SetRateLimitRequest(int? RequestsPerSecond, int? Burst);

    public static RouteGroupBuilder MapRateLimitEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/tenants/{tenant}/rate-limit", GetAsync);
        admin.MapPut("/tenants/{tenant}/rate-limit", SetAsync);
        admin.MapDelete("/tenants/{tenant}/rate-limit", ResetAsync);
        return admin;
    }

    private static async Task<Results<Ok<EffectiveRateLimit>, ProblemHttpResult>> GetAsync(
        string tenant, RateLimitStore store, TenantRateLimiter limiter, CancellationToken cancellationToken)
    {
        var (exists, limit) = await store.GetAsync(tenant, cancellationToken);
        return exists ? TypedResults.Ok(limiter.Describe(limit)) : AdminApi.TenantNotFound(tenant);
    }

    private static async Task<Results<Ok<EffectiveRateLimit>, ValidationProblem, ProblemHttpResult>> SetAsync(
        string tenant, SetRateLimitRequest request, RateLimitStore store, TenantRateLimiter limiter, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.RequestsPerSecond is not (>= 1 and <= RateLimitOptions.MaxRequestsPerSecond))
        {
            errors["requestsPerSecond"] = [$"is required: an integer from 1 to {RateLimitOptions.MaxRequestsPerSecond}"];
        }

        if (request.Burst is not (>= 1 and <= RateLimitOptions.MaxRequestsPerSecond))
        {
            errors["burst"] = [$"is required: an integer from 1 to {RateLimitOptions.MaxRequestsPerSecond}"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var limit = new RateLimit(request.RequestsPerSecond!.Value, request.Burst!.Value);
        if (!await store.SetAsync(tenant, limit, cancellationToken))
        {
            return AdminApi.TenantNotFound(tenant);
        }

        limiter.Evict(tenant);
        loggers.CreateLogger(typeof(RateLimitEndpoints)).LogInformation(
            "Set the rate limit of tenant {TenantId} to {RequestsPerSecond}/s, burst {Burst}", tenant, limit.RequestsPerSecond, limit.Burst);
        return TypedResults.Ok(limiter.Describe(limit));
    }

    private static async Task<Results<Ok<EffectiveRateLimit>, ProblemHttpResult>> ResetAsync(
        string tenant, RateLimitStore store, TenantRateLimiter limiter, CancellationToken cancellationToken)
    {
        if (!await store.SetAsync(tenant, null, cancellationToken))
        {
            return AdminApi.TenantNotFound(tenant);
        }

        limiter.Evict(tenant);
        return TypedResults.Ok(limiter.Describe(null));
    }
}
