using System.Data.Common;
using Microservices.ScimEdge.Api.Clients;
using Microservices.ScimEdge.Api.Persistence;
using Microservices.ScimEdge.Api.Scim;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Microservices.ScimEdge.Api.ApiKeys;

/// <summary>Configuration section <c>Scim:ApiKeyCache</c>.</summary>
public sealed class ApiKeyCacheOptions
{
    public const string SectionName = "Scim:ApiKeyCache";

    /// <summary>
    /// How long a validated key is trusted without asking the database. It is also how long a key revoked on another
    /// replica keeps working on this one (the replica that served the DELETE evicts at once). 0 turns the cache off.
    /// </summary>
    public int Seconds { get; set; } = 30;

    /// <summary>Bound on cached keys; past it new keys are looked up but not cached until entries expire.</summary>
    public int MaxEntries { get; set; } = 10_000;
}

/// <summary>Why a SCIM request was refused; the text is what the 401 body says (the same for unknown and revoked keys).</summary>
public enum ApiKeyFailure
{
    None,
    Missing,
    Malformed,
    Invalid,
    Revoked,
}

/// <summary>
/// The revoked key a refused SCIM request presented: its tenant and id (never the key), so the request's audit record
/// can be found under the tenant. An unknown key names no tenant and has no such record.
/// </summary>
public sealed record RevokedApiKey(string TenantId, string ApiKeyId);

/// <summary>
/// Turns the Authorization header into the caller. Accepts <c>Bearer &lt;key&gt;</c> (Entra "Secret token", Okta
/// "HTTP Header"), any case of the scheme, and the bare key (some Okta set-ups send only the key).
/// </summary>
public sealed class ApiKeyAuthenticator : IDisposable
{
    private static readonly TimeSpan _lastUsedGranularity = TimeSpan.FromMinutes(1);

    private readonly ApiKeyStore _store;
    private readonly TimeProvider _clock;
    private readonly ILogger<ApiKeyAuthenticator> _logger;
    private readonly TimeSpan _cacheFor;
    private readonly MemoryCache? _cache;

    public ApiKeyAuthenticator(ApiKeyStore store, TimeProvider clock, IOptions<ApiKeyCacheOptions> options, ILogger<ApiKeyAuthenticator> logger)
    {
        _store = store;
        _clock = clock;
        _logger = logger;
        _cacheFor = TimeSpan.FromSeconds(Math.Max(0, options.Value.Seconds));
        _cache = _cacheFor > TimeSpan.Zero ? new MemoryCache(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.MaxEntries) }) : null;
    }

    public async ValueTask<(ScimCaller? Caller, ApiKeyFailure Failure, RevokedApiKey? Revoked)> AuthenticateAsync(StringValues authorization, CancellationToken cancellationToken)
    {
        if (authorization.Count == 0 || string.IsNullOrWhiteSpace(authorization[0]))
        {
            return (null, ApiKeyFailure.Missing, null);
        }

        if (authorization.Count > 1 || !TryReadKey(authorization[0]!, out var key))
        {
            return (null, ApiKeyFailure.Malformed, null);
        }

        // The cache is keyed by digest, never by the secret itself.
        var digest = ApiKeySecret.Digest(key);
        if (_cache?.Get<CachedKey>(digest) is not { } cached)
        {
            StoredApiKey? active;
            try
            {
                active = await _store.FindAsync(digest, cancellationToken);
            }
            catch (DbException e)
            {
                throw new ServiceUnavailableException("the edge store", "the key lookup failed", e);
            }

            if (active is null)
            {
                return (null, ApiKeyFailure.Invalid, null);
            }

            // Never cached: a revoked key is looked up on every request, like an unknown one.
            if (active.RevokedAt is not null)
            {
                return (null, ApiKeyFailure.Revoked, new RevokedApiKey(active.TenantId, active.KeyId));
            }

            cached = new CachedKey(
                new ScimCaller(new ScimTenant(active.TenantId, active.DefaultLanguage, active.TimeZone, active.DateFormat), active.KeyId),
                active.LastUsedAt ?? long.MinValue);
            _cache?.Set(digest, cached, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _cacheFor });
        }

        await RecordUseAsync(cached, cancellationToken);
        return (cached.Caller, ApiKeyFailure.None, null);
    }

    /// <summary>Drops a revoked key from this replica's cache so it stops working here at once.</summary>
    public void Evict(string digest) => _cache?.Remove(digest);

    public void Dispose() => _cache?.Dispose();

    internal static bool TryReadKey(string header, out string key)
    {
        var value = header.AsSpan().Trim();
        const string scheme = "Bearer";
        if (value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && (value.Length == scheme.Length || value[scheme.Length] == ' '))
        {
            value = value[scheme.Length..].Trim();
        }

        key = value.ToString();
        return ApiKeySecret.HasKeyShape(value);
    }

    // last_used_at is informational: written at most once a minute per key and replica, so the hot path stays a read.
    private async Task RecordUseAsync(CachedKey cached, CancellationToken cancellationToken)
    {
        var now = UnixMicroseconds.Now(_clock);
        if (!cached.TryClaimUse(now, _lastUsedGranularity.Ticks / TimeSpan.TicksPerMicrosecond))
        {
            return;
        }

        try
        {
            await _store.TouchAsync(cached.Caller.ApiKeyId, now, cancellationToken);
        }
        catch (Exception e) when (e is DbException or OperationCanceledException)
        {
            _logger.LogWarning(e, "Could not record the use of API key {ApiKeyId}", cached.Caller.ApiKeyId);
        }
    }

    private sealed class CachedKey(ScimCaller caller, long lastUsed)
    {
        private long _lastUsed = lastUsed;

        public ScimCaller Caller { get; } = caller;

        /// <summary>True for exactly one request per interval, which then writes the time.</summary>
        public bool TryClaimUse(long now, long interval)
        {
            var last = Interlocked.Read(ref _lastUsed);
            return (last == long.MinValue || now - last >= interval) && Interlocked.CompareExchange(ref _lastUsed, now, last) == last;
        }
    }
}
