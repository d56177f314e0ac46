using System.Net;
using Microservices.ScimEdge.Api;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Edge;

/// <summary>The system with a purge job that runs every 200 ms; the tests move the edge's clock a year on.</summary>
public abstract class PurgeFixture(StoreEngine engine) : EdgeSystemFixture(engine)
{
    protected override void Configure(string service, IDictionary<string, string?> settings)
    {
        if (service == ScimEdgeApp.ServiceName)
        {
            settings["Audit:PurgeInterval"] = "00:00:00.200";
            settings["Audit:FlushDelay"] = "00:00:00";
        }
    }
}

public sealed class SqlitePurgeFixture() : PurgeFixture(StoreEngine.Sqlite);

public sealed class PostgresPurgeFixture() : PurgeFixture(StoreEngine.Postgres);

public abstract class AuditPurgeTests(PurgeFixture fixture)
{
    [Fact]
    public async Task Purge_AfterTheRetentionPeriod_DeletesOldRecordsAndKeepsNewOnes()
    {
        using var admin = fixture.System.AdminClient();
        var tenant = await EdgeTestApi.CreateTenantAsync(admin);
        var (_, key) = await EdgeTestApi.CreateKeyAsync(admin, tenant);
        using var scim = fixture.System.ScimClient(key);
        using (await scim.GetAsync("ServiceProviderConfig"))
        {
        }

        var old = await AuditTestApi.WaitForAsync(admin, tenant, r => r.Text("kind") == "scim");
        var oldIds = old.Select(r => r.Text("id")).ToHashSet();

        // Twelve months and a day later (the default Audit:RetentionDays is 365).
        fixture.Clock.Advance(TimeSpan.FromDays(366));
        using (await scim.GetAsync("ResourceTypes"))
        {
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<System.Text.Json.JsonElement> items;
        do
        {
            await Task.Delay(100);
            items = (await AuditTestApi.PageAsync(admin, tenant, "?limit=1000")).GetProperty("items").EnumerateArray().ToList();
        }
        while (DateTime.UtcNow < deadline && (items.Any(r => oldIds.Contains(r.Text("id"))) || !items.Any(r => r.Text("route") == "/ResourceTypes")));

        Assert.DoesNotContain(items, r => oldIds.Contains(r.Text("id")));
        Assert.DoesNotContain(items, r => r.Text("route") == "/tenants/{tenant}/api-keys");
        var kept = Assert.Single(items, r => r.Text("kind") == "scim");
        Assert.Equal("/ResourceTypes", kept.Text("route"));
    }
}

public sealed class AuditPurgeTestsOnSqlite(SqlitePurgeFixture fixture) : AuditPurgeTests(fixture), IClassFixture<SqlitePurgeFixture>;

public sealed class AuditPurgeTestsOnPostgres(PostgresPurgeFixture fixture) : AuditPurgeTests(fixture), IClassFixture<PostgresPurgeFixture>;

public abstract class AuditDrainTests(StoreEngine engine)
{
    [Fact]
    public async Task StopHost_WithRecordsStillQueued_WritesThemAllBeforeExit()
    {
        var connectionString = string.Empty;
        await using var system = await RunningSystem.StartAsync(engine, (service, settings) =>
        {
            if (service == ScimEdgeApp.ServiceName)
            {
                // The writer would wait an hour to fill a batch: only the shutdown drain can write these records.
                settings["Audit:FlushDelay"] = "01:00:00";
                connectionString = settings["Store:ConnectionString"]!;
            }
        });
        using var admin = system.AdminClient();
        var tenant = await EdgeTestApi.CreateTenantAsync(admin);
        var (_, key) = await EdgeTestApi.CreateKeyAsync(admin, tenant);
        using var scim = system.ScimClient(key);
        for (var i = 0; i < 5; i++)
        {
            using var response = await scim.GetAsync("ServiceProviderConfig");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var beforeStop = await AuditTestApi.ReadTableAsync(engine, connectionString);
        await system.StopHostAsync(ScimEdgeApp.ServiceName);
        var afterStop = await AuditTestApi.ReadTableAsync(engine, connectionString);

        Assert.Empty(beforeStop);
        Assert.Equal(5, afterStop.Count(r => r["tenant_id"] == tenant && r["kind"] == "scim" && r["status"] == "200"));
        Assert.Equal(2, afterStop.Count(r => r["tenant_id"] == tenant && r["kind"] == "admin"));
    }
}

public sealed class AuditDrainTestsOnSqlite() : AuditDrainTests(StoreEngine.Sqlite);

public sealed class AuditDrainTestsOnPostgres() : AuditDrainTests(StoreEngine.Postgres);
