using Microservices.Roles.Api.Endpoints;
using Microservices.Roles.Api.Persistence;
using Microservices.ServiceDefaults.Hosting;
using Microservices.ServiceDefaults.Internal;
using Microservices.ServiceDefaults.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microservices.Roles.Api;

/// <summary>Composes the roles service. Program.cs runs it; tests host it in-process on a real Kestrel port.</summary>
public static class RolesApp
{
    public const string ServiceName = "roles";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddServiceDefaults(ServiceName);
        builder.AddStore(ServiceName, typeof(RolesApp).Assembly);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RoleStore>();
        builder.Services.AddSingleton<GroupStore>();
        builder.Services.AddSingleton<UserMembershipStore>();
        // Unreadable bodies throw, so ProblemMiddleware can answer with a problem document naming the JSON path.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // Framework answers without a body (415, 405, unknown route) become problem documents too.
        builder.Services.AddProblemDetails();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.UseInternalAuthentication();
        app.UseStatusCodePages();
        app.UseApiProblems();

        app.MapGroup("/internal")
            .RequireTenant()
            .MapRoleEndpoints()
            .MapGroupEndpoints()
            .MapUserRoleEndpoints();
        return app;
    }
}
