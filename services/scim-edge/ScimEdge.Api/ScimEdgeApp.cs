using System.Text.Encodings.Web;
using Microservices.ScimEdge.Api.Admin;
using Microservices.ScimEdge.Api.Audit;
using Microservices.ScimEdge.Api.Clients;
using Microservices.ScimEdge.Api.Observability;
using Microservices.ScimEdge.Api.Scim;
using Microservices.ScimEdge.Api.Scim.Groups;
using Microservices.ServiceDefaults.Hosting;
using Microservices.ServiceDefaults.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microservices.ScimEdge.Api;

/// <summary>Composes the scim-edge service. Program.cs runs it; tests host it in-process on a real Kestrel port.</summary>
public static class ScimEdgeApp
{
    public const string ServiceName = "scim-edge";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddServiceDefaults(ServiceName);
        builder.AddStore(ServiceName, typeof(ScimEdgeApp).Assembly);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        // Bodies are JSON read by machines, never embedded in HTML: keep quotes and '<' readable instead of \u0027.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        // Unreadable bodies throw, so the SCIM pipeline and the admin exception handler can say why (field, status).
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        builder.AddAdminApi();
        builder.AddAuditLog();
        builder.AddScimPipeline();
        builder.Services.AddOptions<OrgUnitsProxyOptions>()
            .BindConfiguration(OrgUnitsProxyOptions.SectionName)
            .Validate(o => o.ImportTimeout > TimeSpan.Zero && o.ImportTimeout <= TimeSpan.FromHours(24), $"{OrgUnitsProxyOptions.SectionName}:ImportTimeout must be a positive time span of at most a day")
            .Validate(o => o.MaxBodyBytes > 0, $"{OrgUnitsProxyOptions.SectionName}:MaxBodyBytes must be positive")
            .ValidateOnStart();
        builder.AddServiceClient<OrgUnitsClient>(ServiceApp.OrgUnits);
        builder.AddScimGroups();
        builder.AddServiceClient<UsersClient>(ServiceApp.Users);

        var app = builder.Build();
        app.UseCorrelationId();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAdminAuthentication();
        app.UseAdminAudit();
        app.UseScimPipeline();

        app.MapDefaultEndpoints();
        app.MapAdminApi();
        app.MapScimApi().MapGroupEndpoints();
        return app;
    }
}
