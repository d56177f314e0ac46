using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microservices.Services.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Microservices.Services.Tests.OrgUnits;

/// <summary>
/// 100,000 units seeded by one batch, then one streamed CSV import that sets every external id (half the rows by id,
/// half by path). The batch and the import go through the edge's admin API, as an operator sends them, so the edge's
/// bound on bulk calls (<c>Services:OrgUnits:ImportTimeout</c>) and its body cap are part of what is measured.
/// The durations are written to the test output, never asserted.
/// </summary>
public abstract class OrgUnitLargeImportTests(SystemFixture fixture, ITestOutputHelper output)
{
    private const int Departments = 100;
    private const int Total = 100_000;

    [Fact]
    public async Task Import_100kRowFile_SetsEveryExternalId()
    {
        using var api = OrgUnitsClient.ForNewTenant(fixture.System);
        using var admin = fixture.System.AdminClient();
        admin.Timeout = TimeSpan.FromMinutes(20);
        await Edge.EdgeTestApi.CreateTenantAsync(admin, api.Tenant);
        var seed = new List<object>(Total) { new { name = "Root", externalId = "root" } };
        for (var d = 0; d < Departments; d++)
        {
            seed.Add(new { name = $"Dept {d}", parentExternalId = "root", externalId = $"dept-{d}" });
        }

        for (var i = seed.Count; i < Total; i++)
        {
            seed.Add(new { name = $"Team {i}", parentExternalId = $"dept-{i % Departments}" });
        }

        var clock = Stopwatch.StartNew();
        using (var batch = await admin.PostAsJsonAsync($"tenants/{api.Tenant}/orgunits/batch", new { units = seed }))
        {
            Assert.True(batch.StatusCode == HttpStatusCode.OK, await batch.Content.ReadAsStringAsync());
        }

        var seedTime = clock.Elapsed;
        clock.Restart();
        var units = await api.ListAsync();
        var listTime = clock.Elapsed;
        Assert.Equal(Total, units.Count);

        using var content = new GeneratedCsvContent(async stream =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
            await writer.WriteAsync("id,path,externalId\n");
            for (var i = 0; i < units.Count; i++)
            {
                var unit = units[i];
                await writer.WriteAsync(i % 2 == 0
                    ? $"{unit.Id},,new-{unit.Id}\n"
                    : $",\"{unit.Path.ToUpperInvariant()}\",new-{unit.Id}\n");
            }
        });
        clock.Restart();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        using (var response = await admin.PostAsync($"tenants/{api.Tenant}/orgunits/import", content))
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            Assert.Equal(Total, JsonDocument.Parse(text).RootElement.GetProperty("updated").GetInt32());
        }

        var importTime = clock.Elapsed;

        // This process hosts the client and all four services; its CPU time is a steadier figure than wall time on a shared machine.
        var importCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var after = await api.ListAsync();
        Assert.Equal(Total, after.Count);
        Assert.All(after, u => Assert.Equal("new-" + u.Id, u.ExternalId));
        Assert.All(after, u => Assert.Equal(2, u.Version));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{fixture.System.Engine}: batch seed of {Total} units {seedTime.TotalSeconds:F2} s, list {listTime.TotalSeconds:F2} s, import of {Total} rows {importTime.TotalSeconds:F2} s (CPU {importCpu.TotalSeconds:F2} s, client and edge included)"));
    }
}

public sealed class OrgUnitLargeImportTestsOnSqlite(SqliteSystemFixture fixture, ITestOutputHelper output)
    : OrgUnitLargeImportTests(fixture, output), IClassFixture<SqliteSystemFixture>;

public sealed class OrgUnitLargeImportTestsOnPostgres(PostgresSystemFixture fixture, ITestOutputHelper output)
    : OrgUnitLargeImportTests(fixture, output), IClassFixture<PostgresSystemFixture>;
