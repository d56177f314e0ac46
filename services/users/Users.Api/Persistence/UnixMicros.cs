namespace Microservices.Users.Api.Persistence;

/// <summary>Stored times: integer microseconds since the Unix epoch, UTC, on both engines.</summary>
public static class UnixMicros
{
    public static long From(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTime ToDateTime(long micros) => DateTime.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);

    public static long Now(TimeProvider clock) => From(clock.GetUtcNow());
}
