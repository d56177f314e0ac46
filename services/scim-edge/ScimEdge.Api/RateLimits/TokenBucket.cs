namespace Microservices.ScimEdge.Api.RateLimits;

/// <summary>
/// A token bucket refilled lazily from elapsed time: no timer per tenant, fractional rates (a budget divided between
/// replicas), and the exact wait until the next token for <c>Retry-After</c>.
/// </summary>
internal sealed class TokenBucket
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly double _perSecond;
    private readonly double _capacity;
    private double _tokens;
    private long _updated;

    public TokenBucket(double perSecond, double capacity, TimeProvider clock)
    {
        _perSecond = perSecond;
        _capacity = capacity;
        _clock = clock;
        _tokens = capacity;
        _updated = clock.GetTimestamp();
    }

    /// <summary>Takes one token, or says how long until one is there.</summary>
    public bool TryTake(out TimeSpan wait)
    {
        lock (_gate)
        {
            var now = _clock.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + (_clock.GetElapsedTime(_updated, now).TotalSeconds * _perSecond));
            _updated = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                wait = TimeSpan.Zero;
                return true;
            }

            wait = TimeSpan.FromSeconds((1 - _tokens) / _perSecond);
            return false;
        }
    }
}
