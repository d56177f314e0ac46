using Microservices.ServiceDefaults.Hosting;
using Microservices.ServiceDefaults.Internal;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Users.Api;

/// <summary>Composes the users service. Program.cs runs it; tests host it in-process on a real Kestrel port.</summary>
public static class UsersApp
{
    public const string ServiceName = "users";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddServiceDefaults(ServiceName);
        builder.AddStore(ServiceName, typeof(UsersApp).Assembly);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.UseInternalAuthentication();
        return app;
    }
}
