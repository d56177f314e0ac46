namespace Microservices.OrgUnits.Api;

/// <summary>Bound from the <c>OrgUnits</c> configuration section.</summary>
public sealed class OrgUnitsOptions
{
    public const string SectionName = "OrgUnits";

    /// <summary>Largest CSV import body; a larger one is refused with 413 before or while it is read.</summary>
    public long ImportMaxBodyBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Largest batch-create body.</summary>
    public long BatchMaxBodyBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Most units one batch may create.</summary>
    public int BatchMaxUnits { get; set; } = 100_000;

    /// <summary>Most error entries an import or batch report lists; the rest are counted.</summary>
    public int MaxReportedErrors { get; set; } = 1_000;
}
