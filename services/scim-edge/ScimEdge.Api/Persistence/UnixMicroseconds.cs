namespace Microservices.ScimEdge.Api.Persistence;

/// <summary>Times are stored as integer microseconds since the Unix epoch (UTC) on both engines.</summary>
public static class UnixMicroseconds
{
    public static long From(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset ToDateTimeOffset(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(microseconds * TimeSpan.TicksPerMicrosecond);

    public static DateTimeOffset? ToDateTimeOffset(long? microseconds) => microseconds is { } value ? ToDateTimeOffset(value) : null;

    public static long Now(TimeProvider clock) => From(clock.GetUtcNow());
}
