namespace Microservices.ScimEdge.Api.RateLimits;

/// <summary>
/// Configuration section <c>Scim:RateLimits</c>: the default budget of every tenant, for the whole deployment.
/// 50 requests/s with bursts of 100 sits at twice Entra's documented 25 requests/s per job, so a healthy job (and a
/// couple of parallel ones) never sees a 429 that could count towards quarantine (docs/operations.md).
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Scim:RateLimits";

    public const int MaxRequestsPerSecond = 100_000;

    /// <summary>Sustained requests per second per tenant, across all replicas.</summary>
    public int RequestsPerSecond { get; set; } = 50;

    /// <summary>Requests a tenant may send at once after being idle, across all replicas.</summary>
    public int Burst { get; set; } = 100;

    /// <summary>
    /// Edge replicas sharing the budget: each keeps its own buckets at budget / replicas. The chart sets it
    /// (Scim__RateLimits__Replicas) from the replica count, or the autoscaler's minimum.
    /// </summary>
    public int Replicas { get; set; } = 1;
}

/// <summary>A budget as configured or set for a tenant: requests per second sustained, and the burst.</summary>
public sealed record RateLimit(int RequestsPerSecond, int Burst);
