using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Users.Api;
using Microservices.Users.Api.Domain;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Microservices.Services.Tests.Users;

/// <summary>
/// The users host started on a database a previous release migrated (only <c>001_users</c> applied, with data), as an
/// upgrade does: the later migrations keep the rows and change what they say.
/// </summary>
public abstract class UserMigrationTests(StoreEngine engine) : IAsyncLifetime
{
    private const string Tenant = "t-upgrade";

    private TestStores _stores = null!;
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _stores = TestStores.Create(engine);
        _connectionString = await _stores.CreateAsync(UsersApp.ServiceName);
    }

    public async Task DisposeAsync() => await _stores.DisposeAsync();

    [Fact]
    public async Task Upgrade_From001_KeepsTheOrgUnitProjectionAndAcceptsAUnitWithoutExternalId()
    {
        await using (var database = Database.Create(engine, _connectionString))
        {
            await using var connection = await database.OpenAsync();
            await ExecuteAsync(connection, Script("001_users.sql"));
            await ExecuteAsync(connection, "CREATE TABLE schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (component, version))");
            await ExecuteAsync(connection, "INSERT INTO schema_migrations (component, version, name, applied_at) VALUES ('service', 1, 'users', '2026-01-01T00:00:00Z')");
            var enabled = engine == StoreEngine.Postgres ? "TRUE" : "1";
            await ExecuteAsync(connection, $"INSERT INTO org_units (tenant_id, id, external_id, name, enabled, version, observed_at) VALUES ('{Tenant}', 'u-depot', 'DEPOT', 'Depot', {enabled}, 3, 1)");
        }

        var host = UsersApp.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                ["Store:Engine"] = _stores.EngineName,
                ["Store:ConnectionString"] = _connectionString,
                ["APP_API_TOKEN"] = RunningSystem.InternalToken,
            });
            b.WebHost.UseUrls("http://127.0.0.1:0");
        });
        await host.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(host.Urls.First()) };
            client.DefaultRequestHeaders.Add("dapr-api-token", RunningSystem.InternalToken);
            client.DefaultRequestHeaders.Add("x-tenant-id", Tenant);

            // The versioned row survived the upgrade: an unversioned write-time snapshot does not replace it.
            var write = UsersClient.Sample("upgraded") with { DefaultUnit = new UnitSnapshot("u-depot", "STALE", "Stale", true, null) };
            UserRecord user;
            using (var created = await client.PostAsJsonAsync("/internal/users", write, UsersClient.Json))
            {
                await UsersClient.ExpectAsync(created, HttpStatusCode.Created);
                user = (await created.Content.ReadFromJsonAsync<UserRecord>(UsersClient.Json))!;
            }

            Assert.Equal(("DEPOT", "Depot"), (user.Department, user.DefaultUnit.Name));

            // The unit loses its external id: the projection can hold that now.
            var changed = CloudEvents.Create(
                "orgunits", "orgunit.changed.v1", "orgunits", "u-depot", 4,
                new JsonObject { ["tenantId"] = Tenant, ["unitId"] = "u-depot", ["externalId"] = null, ["name"] = "Depot", ["enabled"] = true });
            using (var content = new StringContent(changed.ToJsonString(), Encoding.UTF8, "application/cloudevents+json"))
            using (var delivered = await client.PostAsync("/events/orgunits", content))
            {
                Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
                Assert.Equal("SUCCESS", (await delivered.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
            }

            using var read = await client.GetAsync("/internal/users/" + user.Id);
            var after = (await read.Content.ReadFromJsonAsync<UserRecord>(UsersClient.Json))!;
            Assert.Equal(("u-depot", null, "Depot"), (after.DefaultUnit.Id, after.Department, after.DefaultUnit.Name));
        }
        finally
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }
    }

    private string Script(string name)
    {
        var folder = engine == StoreEngine.Postgres ? "postgres" : "sqlite";
        var assembly = typeof(UsersApp).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith($".Migrations.{folder}.{name}", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task ExecuteAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class UserMigrationTestsOnSqlite() : UserMigrationTests(StoreEngine.Sqlite);

public sealed class UserMigrationTestsOnPostgres() : UserMigrationTests(StoreEngine.Postgres);
