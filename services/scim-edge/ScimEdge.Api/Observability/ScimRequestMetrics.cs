using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microservices.ScimEdge.Api.Scim;
using Microservices.ServiceDefaults.Hosting;

namespace Microservices.ScimEdge.Api.Observability;

/// <summary>
/// <c>scim.requests</c> and <c>scim.request.duration</c> on the service Meter, one measurement per SCIM request,
/// tagged by tenant, client, operation and status code. Cardinality stays bounded: tenants are a managed list,
/// clients and operations come from fixed sets (operation from the matched route template, never the path), and
/// no resource id is ever a tag.
/// </summary>
public sealed class ScimRequestMetrics
{
    public const string TenantTag = "tenant";
    public const string ClientTag = "client";
    public const string OperationTag = "operation";
    public const string StatusCodeTag = "http.response.status_code";

    /// <summary>The tenant tag of requests no API key authenticated.</summary>
    public const string NoTenant = "none";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public ScimRequestMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ServiceDefaultsExtensions.TelemetryName);
        _requests = meter.CreateCounter<long>("scim.requests", "{request}", "SCIM requests answered, by tenant, client, operation and status code.");
        _duration = meter.CreateHistogram<double>(
            "scim.request.duration",
            "s",
            "Time to answer a SCIM request, by tenant, client, operation and status code.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    /// <summary>Measures every request of the SCIM branch, including those refused before an endpoint ran (401, 404).</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var tags = new TagList
            {
                { TenantTag, context.Features.Get<ScimCaller>()?.Tenant.Id ?? NoTenant },
                { ClientTag, ScimClients.FromUserAgent(context.Request.Headers.UserAgent) },
                { OperationTag, Operation(context) },
                { StatusCodeTag, context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode },
            };
            _requests.Add(1, tags);
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    /// <summary>
    /// <c>Users.Create</c>, <c>Users.Get</c>, <c>Users.Query</c>, <c>Users.Search</c>, <c>Users.Replace</c>,
    /// <c>Users.Patch</c>, <c>Users.Delete</c>, the same for Groups, <c>ServiceProviderConfig.Get</c> and so on; from
    /// the method and the matched route template, <c>Unknown</c> for the fallback route.
    /// </summary>
    public static string Operation(HttpContext context)
    {
        if (context.GetEndpoint() is not RouteEndpoint { RoutePattern.RawText: { } template })
        {
            return "Unknown";
        }

        var segments = template.Split('/', StringSplitOptions.RemoveEmptyEntries);
        // /v1/scim/<Resource>[/<{id}|.search>]
        if (segments.Length < 3 || segments[2].StartsWith('{'))
        {
            return "Unknown";
        }

        var resource = segments[2];
        var item = segments.Length > 3 ? segments[3] : null;
        var verb = (context.Request.Method, item) switch
        {
            ("POST", ".search") => "Search",
            ("POST", null) => "Create",
            ("GET", null) => resource is "Users" or "Groups" or "Schemas" or "ResourceTypes" ? "Query" : "Get",
            ("GET", _) => "Get",
            ("PUT", _) => "Replace",
            ("PATCH", _) => "Patch",
            ("DELETE", _) => "Delete",
            _ => "Other",
        };
        return $"{resource}.{verb}";
    }
}
