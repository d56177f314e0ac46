using Microservices.ServiceDefaults.Hosting;
using Microservices.ServiceDefaults.Storage;

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

        var app = builder.Build();
        app.MapDefaultEndpoints();
        return app;
    }
}
