using System.Net;
using Microservices.OrgUnits.Api;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Microservices.Services.Tests.OrgUnits;

/// <summary>The orgunits host alone on a database of its own, started and restarted as a deployment would.</summary>
public abstract class OrgUnitMigrationTests(StoreEngine engine) : IAsyncLifetime
{
    private TestStores _stores = null!;

    protected string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        _stores = TestStores.Create(engine);
        ConnectionString = await _stores.CreateAsync(OrgUnitsApp.ServiceName);
    }

    public async Task DisposeAsync() => await _stores.DisposeAsync();

    [Fact]
    public async Task Start_TwiceOnTheSameDatabase_SecondStartAppliesNothingAndKeepsData()
    {
        string unitId;
        var first = await StartHostAsync();
        try
        {
            using var client = Client(first, "t-migrations");
            using var created = await client.PostAsync(OrgUnitsClient.Base, JsonBody("{\"name\":\"Root\",\"externalId\":\"r\"}"));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            unitId = (await OrgUnitsClient.ReadAsync<Unit>(created)).Id;
        }
        finally
        {
            await StopAsync(first);
        }

        var afterFirst = await AppliedMigrationsAsync();
        var second = await StartHostAsync();
        try
        {
            using var client = Client(second, "t-migrations");
            using var resolved = await client.GetAsync($"{OrgUnitsClient.Base}/resolve?externalId=R");
            Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
            Assert.Equal(unitId, (await OrgUnitsClient.ReadAsync<Unit>(resolved)).Id);
        }
        finally
        {
            await StopAsync(second);
        }

        Assert.NotEmpty(afterFirst);
        Assert.Equal(afterFirst, await AppliedMigrationsAsync());
    }

    protected async Task<WebApplication> StartHostAsync()
    {
        var host = OrgUnitsApp.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                ["Store:Engine"] = _stores.EngineName,
                ["Store:ConnectionString"] = ConnectionString,
                ["APP_API_TOKEN"] = RunningSystem.InternalToken,
            });
            b.WebHost.UseUrls("http://127.0.0.1:0");
        });
        await host.StartAsync();
        return host;
    }

    protected static async Task StopAsync(WebApplication host)
    {
        await host.StopAsync();
        await host.DisposeAsync();
    }

    protected static HttpClient Client(WebApplication host, string? tenant = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(host.Urls.First()) };
        client.DefaultRequestHeaders.Add("dapr-api-token", RunningSystem.InternalToken);
        if (tenant is not null)
        {
            client.DefaultRequestHeaders.Add("x-tenant-id", tenant);
        }

        return client;
    }

    /// <summary>Every bookkeeping row (version, name, applied_at): a re-applied migration would change or add one.</summary>
    protected async Task<List<string>> AppliedMigrationsAsync()
    {
        await using var database = Database.Create(engine, ConnectionString);
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, name, applied_at FROM schema_migrations ORDER BY version";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add($"{reader.GetValue(0)} {reader.GetString(1)} {reader.GetString(2)}");
        }

        return rows;
    }

    private static StringContent JsonBody(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}

public sealed class OrgUnitMigrationTestsOnSqlite() : OrgUnitMigrationTests(StoreEngine.Sqlite);

public sealed class OrgUnitMigrationTestsOnPostgres() : OrgUnitMigrationTests(StoreEngine.Postgres)
{
    [Fact]
    public async Task Start_TwoHostsAtOnceOnOneDatabase_BothComeUpAndMigrateOnce()
    {
        // Without the advisory lock both would run 001 together and one would fail on "relation already exists".
        var hosts = await Task.WhenAll(StartHostAsync(), StartHostAsync());
        try
        {
            foreach (var host in hosts)
            {
                using var client = Client(host);
                using var ready = await client.GetAsync("/healthz/ready");
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }

            var applied = await AppliedMigrationsAsync();
            Assert.Equal(applied.Count, applied.Select(r => r.Split(' ')[0]).Distinct().Count());
            Assert.Contains(applied, r => r.StartsWith("1 org_units ", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await StopAsync(host);
            }
        }
    }
}
