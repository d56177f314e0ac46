using System.Collections.Concurrent;
using System.Data.Common;
using Microservices.ScimEdge.Api.ApiKeys;
using Microsoft.Extensions.Options;

namespace Microservices.ScimEdge.Api.RateLimits;

/// <summary>What a tenant gets: the limit in force, whether it is the tenant's own, and this replica's share.</summary>
public sealed record EffectiveRateLimit(int RequestsPerSecond, int Burst, string Source, int Replicas, double PerReplicaRequestsPerSecond, double PerReplicaBurst);

/// <summary>
/// One token bucket per tenant on this replica, holding the tenant's budget divided by the configured replica count.
/// A tenant's override is re-read after the API key cache's lifetime, so a change made on another replica takes effect
/// within that time (at once on the replica that served the PUT).
/// </summary>
public sealed class TenantRateLimiter(RateLimitStore store, IOptions<RateLimitOptions> options, IOptions<ApiKeyCacheOptions> cacheOptions, TimeProvider clock, ILogger<TenantRateLimiter> logger)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _refreshAfter = TimeSpan.FromSeconds(Math.Max(0, cacheOptions.Value.Seconds));

    public RateLimit Default { get; } = new(Math.Max(1, options.Value.RequestsPerSecond), Math.Max(1, options.Value.Burst));

    public int Replicas { get; } = Math.Max(1, options.Value.Replicas);

    public EffectiveRateLimit Describe(RateLimit? tenantOverride)
    {
        var limit = tenantOverride ?? Default;
        var (perSecond, burst) = Share(limit);
        return new EffectiveRateLimit(limit.RequestsPerSecond, limit.Burst, tenantOverride is null ? "default" : "tenant", Replicas, perSecond, burst);
    }

    /// <summary>Takes a token for the tenant; when none is left, the limit and how long until the next token.</summary>
    public async ValueTask<(bool Allowed, RateLimit Limit, TimeSpan RetryAfter)> TryAcquireAsync(string tenantId, CancellationToken cancellationToken)
    {
        var entry = await GetEntryAsync(tenantId, cancellationToken);
        var allowed = entry.Bucket.TryTake(out var wait);
        return (allowed, entry.Limit, wait);
    }

    /// <summary>Forgets the tenant's bucket, so the next request reads its limit afresh.</summary>
    public void Evict(string tenantId) => _entries.TryRemove(tenantId, out _);

    private async ValueTask<Entry> GetEntryAsync(string tenantId, CancellationToken cancellationToken)
    {
        var now = clock.GetTimestamp();
        if (_entries.TryGetValue(tenantId, out var entry) && clock.GetElapsedTime(entry.LoadedAt, now) < _refreshAfter)
        {
            return entry;
        }

        RateLimit limit;
        try
        {
            limit = (await store.GetAsync(tenantId, cancellationToken)).Override ?? Default;
        }
        catch (DbException e)
        {
            // The key was just authenticated; a failed limit lookup keeps the known limit rather than failing the call.
            logger.LogWarning(e, "Could not read the rate limit of tenant {TenantId}; keeping the last known limit", tenantId);
            limit = entry?.Limit ?? Default;
        }

        // An unchanged limit keeps its bucket: refreshing must not hand a busy tenant a fresh burst.
        var fresh = entry is not null && entry.Limit == limit
            ? entry with { LoadedAt = now }
            : new Entry(limit, NewBucket(limit), now);
        _entries[tenantId] = fresh;
        return fresh;
    }

    private TokenBucket NewBucket(RateLimit limit)
    {
        var (perSecond, burst) = Share(limit);
        return new TokenBucket(perSecond, burst, clock);
    }

    // A replica's burst never drops below one request, or a small budget split many ways would refuse everything.
    private (double PerSecond, double Burst) Share(RateLimit limit) =>
        ((double)limit.RequestsPerSecond / Replicas, Math.Max(1, (double)limit.Burst / Replicas));

    private sealed record Entry(RateLimit Limit, TokenBucket Bucket, long LoadedAt);
}
