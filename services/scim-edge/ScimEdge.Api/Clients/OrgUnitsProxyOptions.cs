namespace Microservices.ScimEdge.Api.Clients;

/// <summary>
/// The edge's bounds on the two bulk org unit calls it proxies: the CSV import and the batch create
/// (<c>Services:OrgUnits:*</c>, next to the service's <c>BaseUrl</c>; see docs/orgunits.md).
/// </summary>
public sealed class OrgUnitsProxyOptions
{
    public const string SectionName = "Services:OrgUnits";

    /// <summary>
    /// How long the edge waits for the orgunits service's answer to an import or a batch (the upload included,
    /// since the body streams through). Ordinary calls keep <see cref="ServiceCall.DefaultTimeout"/>. The default
    /// leaves a 100,000-row file on a loaded machine several times over: a call cut short is answered 503 although
    /// the service finishes (or rolls back) on its own, which leaves the operator guessing.
    /// </summary>
    public TimeSpan ImportTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The request body cap of the import and batch routes, the same as the orgunits service's own caps
    /// (<c>OrgUnits:ImportMaxBodyBytes</c>, <c>OrgUnits:BatchMaxBodyBytes</c>): the edge streams the body through,
    /// so a smaller cap here would refuse files the service accepts (Kestrel's default is 30 MB).
    /// </summary>
    public long MaxBodyBytes { get; set; } = 50L * 1024 * 1024;
}
