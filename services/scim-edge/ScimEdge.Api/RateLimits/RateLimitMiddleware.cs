using System.Globalization;
using Microservices.Scim.Errors;
using Microservices.ScimEdge.Api.Scim;

namespace Microservices.ScimEdge.Api.RateLimits;

/// <summary>
/// Runs after authentication (the key decided the tenant) and before the endpoint. Over the limit: 429 with
/// <c>Retry-After</c> in whole seconds (at least 1, rounded up from when the next token arrives) and a SCIM error body;
/// RFC 7644 §3.12 defines no scimType for 429, so none is sent.
/// </summary>
internal sealed class RateLimitMiddleware(RequestDelegate next, TenantRateLimiter limiter, EdgeMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var tenant = context.GetScimTenant();
        var (allowed, limit, wait) = await limiter.TryAcquireAsync(tenant.Id, context.RequestAborted);
        if (allowed)
        {
            await next(context);
            return;
        }

        metrics.RateLimitRejected(tenant.Id);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ScimResults.WriteErrorAsync(context, new ScimError(
            StatusCodes.Status429TooManyRequests,
            null,
            string.Create(CultureInfo.InvariantCulture, $"The tenant's rate limit of {limit.RequestsPerSecond} requests per second (bursts of {limit.Burst}) is exceeded; retry after {seconds} s.")));
    }
}
