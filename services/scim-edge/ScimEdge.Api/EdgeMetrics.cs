using System.Diagnostics.Metrics;
using Microservices.ServiceDefaults.Hosting;

namespace Microservices.ScimEdge.Api;

/// <summary>The edge's own instruments for the audit log and the rate limits, on the Meter every service exports.</summary>
public sealed class EdgeMetrics
{
    private readonly Counter<long> _rateLimitRejections;
    private readonly Counter<long> _auditDropped;

    public EdgeMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ServiceDefaultsExtensions.TelemetryName);
        _rateLimitRejections = meter.CreateCounter<long>("scim.rate_limit.rejections", "{request}", "SCIM requests answered 429 by the tenant's rate limit.");
        _auditDropped = meter.CreateCounter<long>("scim.audit.dropped", "{record}", "Audit records dropped because the queue was full or the store kept failing.");
    }

    public void RateLimitRejected(string tenantId) => _rateLimitRejections.Add(1, new KeyValuePair<string, object?>("tenant", tenantId));

    public void AuditDropped(long count) => _auditDropped.Add(count);
}
