using System.Diagnostics;

namespace Microservices.Services.Tests.Infrastructure;

/// <summary>
/// A clock the test controls: real time, moved on by <see cref="Advance"/>, and standing still while
/// <see cref="Pause"/> holds it. A paused clock makes "a second later" happen exactly when the test says, however
/// slowly a loaded machine runs the requests in between. The wall clock (<see cref="GetUtcNow"/>) and the timestamps
/// that token buckets and durations use (<see cref="GetTimestamp"/>) both follow it; timers (<c>Task.Delay</c> with
/// this provider) still run in real time, so background loops keep going while it is paused.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _originUtc = DateTimeOffset.UtcNow;
    private long _offsetTicks;
    private long? _pausedAtTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Holds the clock still until the returned handle is disposed; then it runs on from where it stood.</summary>
    public IDisposable Pause()
    {
        lock (_gate)
        {
            Assert.Null(_pausedAtTicks);
            _pausedAtTicks = RealTicks();
        }

        return new Resumer(this);
    }

    /// <summary>Moves the clock on, paused or not.</summary>
    public void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            _offsetTicks += by.Ticks;
        }
    }

    public override DateTimeOffset GetUtcNow() => _originUtc.AddTicks(Now());

    public override long GetTimestamp() => Now();

    private long Now()
    {
        lock (_gate)
        {
            return (_pausedAtTicks ?? RealTicks()) + _offsetTicks;
        }
    }

    private long RealTicks() => Stopwatch.GetElapsedTime(_origin).Ticks;

    private void Resume()
    {
        lock (_gate)
        {
            if (_pausedAtTicks is { } pausedAt)
            {
                // The time that passed while paused never happened for the clock.
                _offsetTicks -= RealTicks() - pausedAt;
                _pausedAtTicks = null;
            }
        }
    }

    private sealed class Resumer(TestClock clock) : IDisposable
    {
        public void Dispose() => clock.Resume();
    }
}
