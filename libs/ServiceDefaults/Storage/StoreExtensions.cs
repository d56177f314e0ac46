using System.Reflection;
using Microservices.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microservices.ServiceDefaults.Storage;

public static class StoreExtensions
{
    /// <summary>
    /// Registers the service's <see cref="Database"/>, applies its migrations before the server starts listening,
    /// and makes readiness depend on it. Without configuration it is the SQLite file <c>.data/{serviceName}.db</c>.
    /// Libraries add their own migration components with <see cref="AddMigrations"/> (e.g. <c>AddMessaging</c>);
    /// all of them run in the same start-up transaction.
    /// </summary>
    public static WebApplicationBuilder AddStore(this WebApplicationBuilder builder, string serviceName, Assembly migrationsAssembly)
    {
        var options = builder.Configuration.GetSection(StoreOptions.SectionName).Get<StoreOptions>() ?? new StoreOptions();
        var engine = options.ParsedEngine;
        var connectionString = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? engine == StoreEngine.Sqlite
                ? $"Data Source={Path.Combine(builder.Configuration["DataFolder"] ?? ".data", serviceName + ".db")}"
                : throw new InvalidOperationException("Store:ConnectionString is required when Store:Engine is postgres.")
            : options.ConnectionString;

        builder.Services.AddSingleton(_ => Database.Create(engine, connectionString));
        builder.Services.AddMigrations(new MigrationSource(MigrationSource.ServiceComponent, migrationsAssembly));
        builder.Services.AddHostedService<MigrationHostedService>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return builder;
    }

    /// <summary>Adds a migration component (its own version sequence) to those applied at start-up.</summary>
    public static IServiceCollection AddMigrations(this IServiceCollection services, MigrationSource source)
    {
        services.AddSingleton(source);
        return services;
    }

    private sealed class MigrationHostedService(Database database, IEnumerable<MigrationSource> sources, ILogger<MigrationHostedService> logger) : IHostedService
    {
        // Hosted services start before Kestrel listens, so no request ever sees an unmigrated database.
        public Task StartAsync(CancellationToken cancellationToken) => MigrationRunner.ApplyAsync(database, sources, logger, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Readiness: the service's own database answers <c>SELECT 1</c>.</summary>
public sealed class DatabaseHealthCheck(Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy("database unreachable", exception);
        }
    }
}
