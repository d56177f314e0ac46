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

/// <summary>Why a SCIM request was refused; the text is what the 401 body says.</summary>
public enum ApiKeyFailure
{
    None,
    Missing,
    Malformed,
    Invalid,
}

/// <summary>
/// Turns the Authorization header into the caller. Accepts <c>Bearer &lt;key&gt;</c> (Entra "Secret token", Okta
/// "HTTP Header"), any case of the scheme, and the bare key (some Okta set-ups send only the key).
/// </summary>
public sealed class ApiKeyAuthenticator : IDisposable
{
    private static readonly TimeSpan LastUsedGranularity = TimeSpan.FromMinutes(1);

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

    public async ValueTask<(ScimCaller? Caller, ApiKeyFailure Failure)> AuthenticateAsync(StringValues authorization, CancellationToken cancellationToken)
    {
        if (authorization.Count == 0 || string.IsNullOrWhiteSpace(authorization[0]))
        {
            return (null, ApiKeyFailure.Missing);
        }

        if (authorization.Count > 1 || !TryReadKey(authorization[0]!, out var key))
        {
            return (null, ApiKeyFailure.Malformed);
        }

        // The cache is keyed by digest, never by the secret itself.
        var digest = ApiKeySecret.Digest(key);
        if (_cache?.Get<CachedKey>(digest) is not { } cached)
        {
            ActiveApiKey? active;
            try
            {
                active = await _store.FindActiveAsync(digest, cancellationToken);
            }
            catch (DbException e)
            {
                throw new ServiceUnavailableException("the edge store", "the key lookup failed", e);
            }

            if (active is null)
            {
                return (null, ApiKeyFailure.Invalid);
            }

            cached = new CachedKey(
                new ScimCaller(new ScimTenant(active.TenantId, active.DefaultLanguage, active.TimeZone, active.DateFormat), active.KeyId),
                active.LastUsedAt ?? long.MinValue);
            _cache?.Set(digest, cached, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _cacheFor });
        }

        await RecordUseAsync(cached, cancellationToken);
        return (cached.Caller, ApiKeyFailure.None);
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
        if (!cached.TryClaimUse(now, LastUsedGranularity.Ticks / TimeSpan.TicksPerMicrosecond))
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
