using Microservices.ServiceDefaults.Hosting;
using Microservices.ServiceDefaults.Internal;
using Microservices.ServiceDefaults.Storage;

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

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.UseInternalAuthentication();
        return app;
    }
}
