using System.Text.Json.Serialization;
using Microservices.ServiceDefaults.Hosting;
using Microservices.ServiceDefaults.Internal;
using Microservices.ServiceDefaults.Storage;
using Microservices.Users.Api.Endpoints;
using Microservices.Users.Api.Persistence;
using Microsoft.Extensions.DependencyInjection.Extensions;

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

        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<UserBatchWriter>();
        builder.Services.AddSingleton<UserListQuery>();
        builder.Services.AddSingleton<PageCursorCache>();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.MapDefaultEndpoints();
        app.UseInternalAuthentication();
        app.MapUsersEndpoints();
        return app;
    }
}
