using Microservices.ServiceDefaults.Internal;
using Microservices.ServiceDefaults.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microservices.ServiceDefaults.Messaging;

public static class MessagingExtensions
{
    /// <summary>The component name of the messaging tables' migrations in <c>schema_migrations</c>.</summary>
    public const string MigrationComponent = "messaging";

    /// <summary>
    /// The event mechanism of a domain service: the messaging tables (outbox, delivery records, inbox, dead letters,
    /// applied with the service's own migrations by <c>AddStore</c>'s start-up step), the outbox relay, and the
    /// publisher of <c>Events:Mode</c>. Requires <c>AddStore</c>. <paramref name="appId"/> is the CloudEvent source.
    /// </summary>
    public static WebApplicationBuilder AddMessaging(this WebApplicationBuilder builder, string appId)
    {
        var section = builder.Configuration.GetSection(MessagingOptions.SectionName);
        var settings = section.Get<MessagingOptions>() ?? new MessagingOptions();
        var mode = settings.ParsedMode;
        _ = settings.SubscriberUrls;
        if (settings.BatchSize <= 0 || settings.PollInterval <= TimeSpan.Zero || settings.ClaimTimeout <= TimeSpan.Zero
            || settings.DeliveryTimeout <= TimeSpan.Zero || settings.RetryInitialDelay <= TimeSpan.Zero || settings.RetryMaxDelay < settings.RetryInitialDelay)
        {
            throw new InvalidOperationException(
                "Events: BatchSize, PollInterval, ClaimTimeout, DeliveryTimeout and RetryInitialDelay must be positive, and RetryMaxDelay at least RetryInitialDelay.");
        }

        var services = builder.Services;
        services.AddOptions<MessagingOptions>().Bind(section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new MessagingAppId(appId));
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<MessagingMetrics>();
        services.AddSingleton<OutboxStore>();
        services.AddMigrations(new MigrationSource(MigrationComponent, typeof(Outbox).Assembly, "Microservices.ServiceDefaults.Messaging.Migrations"));

        if (mode == EventsMode.Dapr)
        {
            services.AddDaprClient((sp, dapr) =>
            {
                // Normally the sidecar's defaults (DAPR_GRPC_PORT); an explicit endpoint lets tests use a fake sidecar.
                if (sp.GetRequiredService<IConfiguration>()["DAPR_GRPC_ENDPOINT"] is { Length: > 0 } endpoint)
                {
                    dapr.UseGrpcEndpoint(endpoint);
                }
            });
            services.AddSingleton<DaprEventPublisher>();
            services.AddSingleton<IEventPublisher>(sp => sp.GetRequiredService<DaprEventPublisher>());
        }
        else
        {
            // Direct mode presents this service's own internal token to the subscribers (one shared secret locally).
            InternalApi.RequireToken(builder.Configuration);
            // No IHttpClientFactory loggers: at Trace they put every request header into the log entry's state, and
            // the console's JSON writes the state as it is (only the message text redacts), internal token included.
            // OpenTelemetry spans record these calls.
            services.AddHttpClient(SubscriberDirectory.HttpClientName).RemoveAllLoggers();
            services.AddSingleton<SubscriberDirectory>();
            services.AddSingleton<DirectEventPublisher>();
            services.AddSingleton<IEventPublisher>(sp => sp.GetRequiredService<DirectEventPublisher>());
        }

        services.AddHostedService<OutboxRelay>();
        return builder;
    }
}
