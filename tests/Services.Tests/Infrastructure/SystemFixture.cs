using Microservices.ServiceDefaults.Storage;

namespace Microservices.Services.Tests.Infrastructure;

/// <summary>One running system per test class; tests written once run on both engines through the two subclasses.</summary>
public abstract class SystemFixture(StoreEngine engine) : IAsyncLifetime
{
    private RunningSystem? _system;

    public RunningSystem System => _system ?? throw new InvalidOperationException("fixture not started");

    public async Task InitializeAsync() => _system = await RunningSystem.StartAsync(engine);

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }
}

public sealed class SqliteSystemFixture() : SystemFixture(StoreEngine.Sqlite);

public sealed class PostgresSystemFixture() : SystemFixture(StoreEngine.Postgres);
