using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microservices.ServiceDefaults.Hosting;

/// <summary>What every service host does the same way: logging, telemetry, health endpoints, shutdown.</summary>
public static class ServiceDefaultsExtensions
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    /// <summary>Name of the ActivitySource and Meter every service writes its own spans and metrics to.</summary>
    public const string TelemetryName = "Microservices.Scim";

    private static readonly string[] _urlLoggingCategories = ["Microsoft.AspNetCore", "System.Net.Http.HttpClient"];

    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        // Every log line carries the W3C trace id (the correlation id the edge echoes as X-Correlation-Id) and span id
        // as a scope, so a line is found from the id an IdP admin reports.
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        // The framework's request logs print the full URL, query string included, and SCIM filters carry user names
        // and emails ("userName eq ..."): keep them at Warning unless configuration says otherwise.
        foreach (var category in _urlLoggingCategories)
        {
            if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
            {
                builder.Logging.AddFilter(category, LogLevel.Warning);
            }
        }

        // Kestrel limits that hold for every service; the edge tightens the body size further.
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);

        // Finish in-flight requests on SIGTERM before Kubernetes kills the pod.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));

        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        var otel = builder.Services.AddOpenTelemetry()
            // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (set by the chart per service and stack) are read by the
            // default resource detectors; the app id is the name when nothing else says.
            .ConfigureResource(r =>
            {
                if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"]))
                {
                    r.AddService(serviceName);
                }
            })
            .WithTracing(t => t
                .AddSource(TelemetryName)
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/healthz"))
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(m => m
                .AddMeter(TelemetryName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());

        // The OTLP exporter reads the standard OTEL_* variables and exports traces, metrics and logs alike; without an
        // endpoint there is nothing to export to.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Liveness is the process alone; readiness adds the service's own database (never the Dapr sidecar).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(LiveTag) || r.Tags.Contains(ReadyTag),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }
}
