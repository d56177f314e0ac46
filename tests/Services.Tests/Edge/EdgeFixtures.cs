using System.Net;
using System.Net.Sockets;
using Microservices.ScimEdge.Api;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Microservices.Services.Tests.Edge;

/// <summary>
/// The four hosts as <see cref="SystemFixture"/> starts them, remembering the edge's own database so tests can read it,
/// with the edge on a <see cref="TestClock"/> (real time until a test pauses or advances it).
/// </summary>
public abstract class EdgeSystemFixture(StoreEngine engine) : IAsyncLifetime
{
    private RunningSystem? _system;

    public RunningSystem System => _system ?? throw new InvalidOperationException("fixture not started");

    public StoreEngine Engine => engine;

    /// <summary>The edge's clock: its rate limits, audit times and retention follow it.</summary>
    public TestClock Clock { get; } = new();

    /// <summary>Connection string of the scim-edge database of this system.</summary>
    public string EdgeConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync() => _system = await RunningSystem.StartAsync(engine, (service, settings) =>
    {
        if (service == ScimEdgeApp.ServiceName)
        {
            EdgeConnectionString = settings["Store:ConnectionString"]!;
        }

        Configure(service, settings);
    }, (service, builder) =>
    {
        if (service == ScimEdgeApp.ServiceName)
        {
            builder.Services.AddSingleton<TimeProvider>(Clock);
        }

        ConfigureHost(service, builder);
    });

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }

    protected virtual void Configure(string service, IDictionary<string, string?> settings)
    {
    }

    protected virtual void ConfigureHost(string service, WebApplicationBuilder builder)
    {
    }

    /// <summary>A loopback URL nothing listens on: connections to it are refused at once.</summary>
    protected static string DeadUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
    }
}

public sealed class SqliteEdgeFixture() : EdgeSystemFixture(StoreEngine.Sqlite);

public sealed class PostgresEdgeFixture() : EdgeSystemFixture(StoreEngine.Postgres);

/// <summary>The system with the edge pointing at an orgunits address where nothing answers.</summary>
public abstract class OrgUnitsDownFixture(StoreEngine engine) : EdgeSystemFixture(engine)
{
    protected override void Configure(string service, IDictionary<string, string?> settings)
    {
        if (service == ScimEdgeApp.ServiceName)
        {
            settings["Services:OrgUnits:BaseUrl"] = DeadUrl();
        }
    }
}

public sealed class SqliteOrgUnitsDownFixture() : OrgUnitsDownFixture(StoreEngine.Sqlite);

public sealed class PostgresOrgUnitsDownFixture() : OrgUnitsDownFixture(StoreEngine.Postgres);
