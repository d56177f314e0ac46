using System.Net;
using Microservices.Roles.Api;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;
using Npgsql;

namespace Microservices.Services.Tests.Health;

/// <summary>
/// Readiness follows the service's own database: with it gone, /healthz/ready answers 503 (Kubernetes stops sending
/// traffic) while /healthz/live stays 200 (no restart for an outage a restart cannot cure), and the other services,
/// whose databases are fine, stay ready. PostgreSQL only: a database that disappears under a running service is a
/// server-side event; a SQLite file has no server to lose.
/// </summary>
public sealed class ReadinessTests : IAsyncLifetime
{
    private RunningSystem? _system;
    private string _rolesConnectionString = string.Empty;

    public async Task InitializeAsync() => _system = await RunningSystem.StartAsync(StoreEngine.Postgres, (service, settings) =>
    {
        if (service == RolesApp.ServiceName)
        {
            _rolesConnectionString = settings["Store:ConnectionString"]!;
        }
    });

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ready_ServiceDatabaseDropped_Answers503WhileLiveAndOtherServicesStayOk()
    {
        using var roles = new HttpClient { BaseAddress = _system!.Urls[RolesApp.ServiceName] };
        using var users = new HttpClient { BaseAddress = _system.Urls["users"] };
        using (var before = await roles.GetAsync("/healthz/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        // FORCE ends the service's pooled connections too, as a failover or a dropped server would.
        var database = new NpgsqlConnectionStringBuilder(_rolesConnectionString).Database;
        await using (var admin = new NpgsqlConnection(Environment.GetEnvironmentVariable(TestStores.PostgresVariable)))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE \"{database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        using var ready = await roles.GetAsync("/healthz/ready");
        using var live = await roles.GetAsync("/healthz/live");
        using var othersReady = await users.GetAsync("/healthz/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, othersReady.StatusCode);
    }
}
