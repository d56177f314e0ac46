using System.Net;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.OrgUnits;

public abstract class OrgUnitBatchAndConcurrencyTests(SystemFixture fixture)
{
    private OrgUnitsClient NewTenant() => OrgUnitsClient.ForNewTenant(fixture.System);

    [Fact]
    public async Task Batch_NewTenant_CreatesRootAndNestedUnitsInOrder()
    {
        using var api = NewTenant();

        using var response = await api.BatchAsync(
        [
            new { name = "Root", externalId = "r" },
            new { name = "Dept", parentExternalId = "R", externalId = "d" },
            new { name = "Team", parentExternalId = "d" },
        ]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, (await OrgUnitsClient.ReadAsync<Created>(response)).Count);
        var items = await api.ListAsync();
        Assert.Equal(["Root", "Root / Dept", "Root / Dept / Team"], items.Select(u => u.Path));
        Assert.All(items, u => Assert.Equal(1, u.Version));
    }

    [Fact]
    public async Task Batch_ExistingTree_ParentsByIdAndByExternalId()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root", externalId: "root");

        using var response = await api.BatchAsync(
        [
            new { name = "A", parentId = root.Id, externalId = "a" },
            new { name = "B", parentExternalId = "ROOT" },
            new { name = "A1", parentExternalId = "a" },
        ]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Root", "Root / A", "Root / A / A1", "Root / B"], (await api.ListAsync()).Select(u => u.Path));
    }

    [Fact]
    public async Task Batch_AnyBadItem_CreatesNothingAndNamesEachField()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root", externalId: "root");

        using var response = await api.BatchAsync(
        [
            new { name = "Fine", parentId = root.Id, externalId = "fine" },
            new { name = "", parentId = root.Id, externalId = (string?)null },
            new { name = "Later parent", parentExternalId = "late", externalId = (string?)null },
            new { name = "Late", parentId = root.Id, externalId = "late" },
            new { name = "Unknown parent", parentExternalId = "nowhere", externalId = (string?)null },
            new { name = "Second root", parentExternalId = (string?)null, externalId = (string?)null },
        ]);

        var problem = await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["units[1].name", "units[2].parentExternalId", "units[4].parentExternalId", "units[5].parentId"], fields);
        Assert.Single(await api.ListAsync());
    }

    [Fact]
    public async Task Batch_ExternalIdClash_Returns409AndCreatesNothing()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root", externalId: "Taken");

        using var clash = await api.BatchAsync([new { name = "X", parentId = root.Id, externalId = "taken" }]);
        using var twice = await api.BatchAsync(
        [
            new { name = "Y", parentId = root.Id, externalId = "same" },
            new { name = "Z", parentId = root.Id, externalId = "SAME" },
        ]);

        var problem = await OrgUnitsClient.ProblemAsync(clash, HttpStatusCode.Conflict);
        Assert.Equal("uniqueness", problem.GetProperty("scimType").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("units[0].externalId", out _));
        await OrgUnitsClient.ProblemAsync(twice, HttpStatusCode.Conflict);
        Assert.Single(await api.ListAsync());
    }

    [Fact]
    public async Task Batch_FirstUnitOfTenantWithParent_Returns400()
    {
        using var api = NewTenant();

        using var response = await api.BatchAsync([new { name = "A", parentExternalId = "x" }]);

        var problem = await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("units[0].parentId", out _));
    }

    [Fact]
    public async Task Batch_Empty_Returns400NamingUnits()
    {
        using var api = NewTenant();

        using var response = await api.BatchAsync([]);

        Assert.True(OrgUnitsClient.NamesField(await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest), "units"));
    }

    [Fact]
    public async Task Patch_ParallelChangesOfDifferentFields_AllLand()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");
        var target = await api.CreateAsync("Target", parentId: root.Id);
        var units = new List<Unit>();
        for (var i = 0; i < 8; i++)
        {
            units.Add(await api.CreateAsync($"Unit {i}", parentId: root.Id));
        }

        // Four PATCHes per unit, each of a different field, all in flight at once: a read-modify-write without the
        // row lock would let one overwrite another's field with the value it had read.
        var patches = units.SelectMany(u => new object[]
        {
            new { name = u.Name + " renamed" },
            new { externalId = "ext-" + u.Id },
            new { parentId = target.Id },
            new { enabled = false },
        }.Select(body => (Unit: u, Body: body))).ToArray();
        var responses = await Task.WhenAll(patches.Select(p => api.PatchAsync(p.Unit.Id, p.Body)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var r in responses)
        {
            r.Dispose();
        }

        foreach (var unit in units)
        {
            var after = await api.GetAsync(unit.Id);
            Assert.Equal(unit.Name + " renamed", after.Name);
            Assert.Equal("ext-" + unit.Id, after.ExternalId);
            Assert.Equal(target.Id, after.ParentId);
            Assert.False(after.Enabled);
            Assert.Equal(5, after.Version);
        }
    }

    [Fact]
    public async Task Patch_ParallelOppositeMoves_NeverBuildACycle()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");
        var pairs = new List<(Unit A, Unit B)>();
        for (var i = 0; i < 6; i++)
        {
            pairs.Add((await api.CreateAsync($"A{i}", parentId: root.Id), await api.CreateAsync($"B{i}", parentId: root.Id)));
        }

        // A under B and B under A at the same moment: each alone is fine, both together would detach a cycle.
        var responses = await Task.WhenAll(pairs.SelectMany(p => new[] { api.PatchAsync(p.A.Id, new { parentId = p.B.Id }), api.PatchAsync(p.B.Id, new { parentId = p.A.Id }) }));

        Assert.Equal(6, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(6, responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest));
        Assert.Equal(13, (await api.ListAsync()).Count);
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }

    private sealed record Created(int Count)
    {
        [System.Text.Json.Serialization.JsonPropertyName("created")]
        public int Count { get; init; } = Count;
    }
}

public sealed class OrgUnitBatchAndConcurrencyTestsOnSqlite(SqliteSystemFixture fixture) : OrgUnitBatchAndConcurrencyTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class OrgUnitBatchAndConcurrencyTestsOnPostgres(PostgresSystemFixture fixture) : OrgUnitBatchAndConcurrencyTests(fixture), IClassFixture<PostgresSystemFixture>;
