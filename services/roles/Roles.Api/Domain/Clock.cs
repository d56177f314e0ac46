namespace Microservices.Roles.Api.Domain;

/// <summary>Times are stored as integer microseconds since the Unix epoch (UTC) on both engines.</summary>
public static class Clock
{
    public static long Micros(this TimeProvider time) => ToMicros(time.GetUtcNow());

    public static long ToMicros(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}
