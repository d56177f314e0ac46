using Microservices.OrgUnits.Api.Endpoints;
using Microservices.OrgUnits.Api.Features.Batch;
using Microservices.OrgUnits.Api.Features.Import;
using Microservices.OrgUnits.Api.Persistence;
using Microservices.ServiceDefaults.Hosting;
using Microservices.ServiceDefaults.Internal;
using Microservices.ServiceDefaults.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microservices.OrgUnits.Api;

/// <summary>Composes the orgunits service. Program.cs runs it; tests host it in-process on a real Kestrel port.</summary>
public static class OrgUnitsApp
{
    public const string ServiceName = "orgunits";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddServiceDefaults(ServiceName);
        builder.AddStore(ServiceName, typeof(OrgUnitsApp).Assembly);
        builder.Services.AddOptions<OrgUnitsOptions>().BindConfiguration(OrgUnitsOptions.SectionName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OrgUnitStore>();
        builder.Services.AddSingleton<BatchCreate>();
        builder.Services.AddSingleton<OrgUnitImport>();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.UseInternalAuthentication();
        app.MapOrgUnitEndpoints();
        return app;
    }
}
