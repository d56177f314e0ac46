using Microservices.ScimEdge.Api.Admin;

namespace Microservices.ScimEdge.Api.Audit;

public static class AuditExtensions
{
    public static WebApplicationBuilder AddAuditLog(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.SectionName);
        builder.Services.AddSingleton<EdgeMetrics>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<AuditStore>();
        builder.Services.AddHostedService<AuditWriter>();
        builder.Services.AddHostedService<AuditPurgeService>();
        return builder;
    }

    /// <summary>Audits every mutating admin request that passed the admin token check; reads are not recorded.</summary>
    public static WebApplication UseAdminAudit(this WebApplication app)
    {
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(AdminApi.BasePath)
                && (HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPut(context.Request.Method) || HttpMethods.IsPatch(context.Request.Method) || HttpMethods.IsDelete(context.Request.Method)),
            admin => admin.UseMiddleware<AuditMiddleware>(AuditKinds.Admin));
        return app;
    }
}
