namespace Microservices.ScimEdge.Api.Audit;

/// <summary>Configuration section <c>Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Audit";

    /// <summary>Rows older than this are purged; 365 days covers a SOC 2 Type II audit window.</summary>
    public int RetentionDays { get; set; } = 365;

    /// <summary>How often the purge job runs.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows deleted per statement, so a purge never holds a long lock or a huge transaction.</summary>
    public int PurgeBatchSize { get; set; } = 5_000;

    /// <summary>Records waiting to be written; past it new records are dropped (counted in <c>scim.audit.dropped</c>).</summary>
    public int QueueCapacity { get; set; } = 50_000;

    /// <summary>Most rows in one multi-row insert.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>How long the writer lets a batch fill after the first record arrives; 0 writes at once.</summary>
    public TimeSpan FlushDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}
