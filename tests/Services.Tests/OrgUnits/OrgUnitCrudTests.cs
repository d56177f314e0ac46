using System.Net;
using System.Text.Json;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.OrgUnits;

public abstract class OrgUnitCrudTests(SystemFixture fixture)
{
    private OrgUnitsClient NewTenant() => OrgUnitsClient.ForNewTenant(fixture.System);

    [Fact]
    public async Task Create_RootAndChildren_ReturnsPathsDepthsAndVersionOne()
    {
        using var api = NewTenant();

        var root = await api.CreateAsync("  Acme  ", externalId: "ACME");
        var sales = await api.CreateAsync("Sales", parentId: root.Id, externalId: "sales-1");
        var north = await api.CreateAsync("North", parentExternalId: "SALES-1");

        Assert.Equal("Acme", root.Name);
        Assert.Null(root.ParentId);
        Assert.Equal(0, root.Depth);
        Assert.Equal("Acme", root.Path);
        Assert.Equal(1, root.Version);
        Assert.True(root.Enabled);
        Assert.Equal(sales.Id, north.ParentId);
        Assert.Equal("Acme / Sales / North", north.Path);
        Assert.Equal(2, north.Depth);
        Assert.Null(north.ExternalId);
        Assert.True(Guid.TryParse(north.Id, out _));
        var created = DateTimeOffset.Parse(north.Created, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - created).TotalMinutes) < 5);
        Assert.EndsWith("Z", north.LastModified, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_FirstUnitWithParent_Returns400NamingParentId()
    {
        using var api = NewTenant();

        using var response = await api.PostAsync(new { name = "Orphan", parentId = Guid.NewGuid().ToString() });

        var problem = await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(OrgUnitsClient.NamesField(problem, "parentId"));
        Assert.Empty(await api.ListAsync());
    }

    [Fact]
    public async Task Create_SecondUnitWithoutParent_Returns400NamingParentId()
    {
        using var api = NewTenant();
        await api.CreateAsync("Root");

        using var response = await api.PostAsync(new { name = "Second root" });

        var problem = await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(OrgUnitsClient.NamesField(problem, "parentId"));
        Assert.Single(await api.ListAsync());
    }

    [Fact]
    public async Task Create_UnknownParentExternalId_Returns400NamingIt()
    {
        using var api = NewTenant();
        await api.CreateAsync("Root");

        using var response = await api.PostAsync(new { name = "Child", parentExternalId = "nope" });

        var problem = await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(OrgUnitsClient.NamesField(problem, "parentExternalId"));
    }

    [Theory]
    [InlineData("", "name")]
    [InlineData("   ", "name")]
    [InlineData("line\nbreak", "name")]
    [InlineData("LONG_NAME", "name")]
    [InlineData("LONG_EXTERNAL_ID", "externalId")]
    [InlineData("EMPTY_EXTERNAL_ID", "externalId")]
    public async Task Create_InvalidValue_Returns400NamingField(string input, string field)
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");
        var name = input switch
        {
            "LONG_NAME" => new string('n', 201),
            "LONG_EXTERNAL_ID" or "EMPTY_EXTERNAL_ID" => "Fine",
            _ => input,
        };
        var externalId = input switch
        {
            "LONG_EXTERNAL_ID" => new string('x', 101),
            "EMPTY_EXTERNAL_ID" => " ",
            _ => null,
        };

        using var response = await api.PostAsync(new { name, parentId = root.Id, externalId });

        var problem = await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(OrgUnitsClient.NamesField(problem, field), problem.ToString());
        Assert.Single(await api.ListAsync());
    }

    [Fact]
    public async Task Create_LongestValues_AreAccepted()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");

        var unit = await api.CreateAsync(new string('n', 200), parentId: root.Id, externalId: new string('x', 100));

        Assert.Equal(200, unit.Name.Length);
        Assert.Equal(100, unit.ExternalId!.Length);
    }

    [Fact]
    public async Task Create_UnknownMember_Returns400NamingIt()
    {
        using var api = NewTenant();

        using var response = await api.PostAsync(new { name = "Root", extId = "x" });

        var problem = await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(OrgUnitsClient.NamesField(problem, "extId"), problem.ToString());
    }

    [Fact]
    public async Task Create_ExternalIdTakenInOtherCase_Returns409Uniqueness()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root", externalId: "Dept-ÄB");

        using var response = await api.PostAsync(new { name = "Other", parentId = root.Id, externalId = "dept-äb" });

        var problem = await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("uniqueness", problem.GetProperty("scimType").GetString());
        Assert.True(OrgUnitsClient.NamesField(problem, "externalId"));
        Assert.Single(await api.ListAsync());
    }

    [Fact]
    public async Task Get_UnknownId_Returns404()
    {
        using var api = NewTenant();
        await api.CreateAsync("Root");

        using var response = await api.Http.GetAsync($"{OrgUnitsClient.Base}/{Guid.NewGuid()}");

        await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Get_ReturnsUnitWithETagOfItsVersion()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");
        await api.PatchOkAsync(root.Id, new { name = "Renamed" });

        using var response = await api.Http.GetAsync($"{OrgUnitsClient.Base}/{root.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.ToString());
        var unit = await OrgUnitsClient.ReadAsync<Unit>(response);
        Assert.Equal("Renamed", unit.Name);
    }

    [Fact]
    public async Task Get_UnitJson_HasExactlyTheContractMembers()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");

        var json = await api.Http.GetStringAsync($"{OrgUnitsClient.Base}/{root.Id}");

        var names = JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["id", "name", "externalId", "parentId", "enabled", "path", "depth", "version", "created", "lastModified"], names);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(json).RootElement.GetProperty("externalId").ValueKind);
    }

    [Fact]
    public async Task Patch_Rename_BumpsVersionAndChangesDescendantPaths()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");
        var dept = await api.CreateAsync("Dept", parentId: root.Id);
        var team = await api.CreateAsync("Team", parentId: dept.Id);

        var renamed = await api.PatchOkAsync(dept.Id, new { name = " Department " });

        Assert.Equal("Department", renamed.Name);
        Assert.Equal(2, renamed.Version);
        Assert.NotEqual(dept.LastModified, renamed.LastModified);
        Assert.Equal(dept.Created, renamed.Created);
        Assert.Equal("Root / Department / Team", (await api.GetAsync(team.Id)).Path);
        Assert.Equal(1, (await api.GetAsync(team.Id)).Version);
    }

    [Fact]
    public async Task Patch_SameValues_ChangesNothing()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root", externalId: "R");

        var same = await api.PatchOkAsync(root.Id, new { name = "Root", externalId = "R", enabled = true });

        Assert.Equal(1, same.Version);
        Assert.Equal(root.LastModified, same.LastModified);
    }

    [Fact]
    public async Task Patch_Move_ChangesParentPathAndDepth()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");
        var a = await api.CreateAsync("A", parentId: root.Id);
        var b = await api.CreateAsync("B", parentId: root.Id);
        var leaf = await api.CreateAsync("Leaf", parentId: a.Id);
        var below = await api.CreateAsync("Below", parentId: leaf.Id);

        var moved = await api.PatchOkAsync(leaf.Id, new { parentId = b.Id });

        Assert.Equal(b.Id, moved.ParentId);
        Assert.Equal("Root / B / Leaf", moved.Path);
        Assert.Equal(2, moved.Version);
        Assert.Equal("Root / B / Leaf / Below", (await api.GetAsync(below.Id)).Path);
        Assert.Equal(3, (await api.GetAsync(below.Id)).Depth);
    }

    [Fact]
    public async Task Patch_MoveUnderOwnDescendant_Returns400AndChangesNothing()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");
        var a = await api.CreateAsync("A", parentId: root.Id);
        var b = await api.CreateAsync("B", parentId: a.Id);
        var c = await api.CreateAsync("C", parentId: b.Id);

        using var underGrandchild = await api.PatchAsync(a.Id, new { parentId = c.Id });
        using var underItself = await api.PatchAsync(a.Id, new { parentId = a.Id });

        Assert.True(OrgUnitsClient.NamesField(await OrgUnitsClient.ProblemAsync(underGrandchild, HttpStatusCode.BadRequest), "parentId"));
        Assert.True(OrgUnitsClient.NamesField(await OrgUnitsClient.ProblemAsync(underItself, HttpStatusCode.BadRequest), "parentId"));
        var after = await api.GetAsync(a.Id);
        Assert.Equal(root.Id, after.ParentId);
        Assert.Equal(1, after.Version);
    }

    [Fact]
    public async Task Patch_MoveToUnknownParent_Returns400NamingParentId()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");
        var a = await api.CreateAsync("A", parentId: root.Id);

        using var response = await api.PatchAsync(a.Id, new { parentId = Guid.NewGuid().ToString() });

        Assert.True(OrgUnitsClient.NamesField(await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest), "parentId"));
    }

    [Fact]
    public async Task Patch_RootRules_RootCannotMoveOrBeDisabledAndUnitsNeedAParent()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");
        var a = await api.CreateAsync("A", parentId: root.Id);

        using var moveRoot = await api.PatchAsync(root.Id, new { parentId = a.Id });
        using var disableRoot = await api.PatchAsync(root.Id, new { enabled = false });
        using var detach = await api.PatchAsync(a.Id, new { parentId = (string?)null });

        Assert.True(OrgUnitsClient.NamesField(await OrgUnitsClient.ProblemAsync(moveRoot, HttpStatusCode.BadRequest), "parentId"));
        Assert.True(OrgUnitsClient.NamesField(await OrgUnitsClient.ProblemAsync(disableRoot, HttpStatusCode.BadRequest), "enabled"));
        Assert.True(OrgUnitsClient.NamesField(await OrgUnitsClient.ProblemAsync(detach, HttpStatusCode.BadRequest), "parentId"));
        var after = await api.GetAsync(root.Id);
        Assert.True(after.Enabled);
        Assert.Null(after.ParentId);
        Assert.Equal(1, after.Version);
    }

    [Fact]
    public async Task Patch_SetAndClearExternalId_ResolveFollows()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");
        var a = await api.CreateAsync("A", parentId: root.Id);

        var set = await api.PatchOkAsync(a.Id, new { externalId = "  Ops-7 " });
        using (var resolved = await api.ResolveAsync("OPS-7"))
        {
            Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
            Assert.Equal(a.Id, (await OrgUnitsClient.ReadAsync<Unit>(resolved)).Id);
        }

        var cleared = await api.PatchOkAsync(a.Id, new { externalId = (string?)null });

        Assert.Equal("Ops-7", set.ExternalId);
        Assert.Null(cleared.ExternalId);
        Assert.Equal(3, cleared.Version);
        using var gone = await api.ResolveAsync("ops-7");
        await OrgUnitsClient.ProblemAsync(gone, HttpStatusCode.NotFound);
        await api.CreateAsync("Reuses the id", parentId: root.Id, externalId: "ops-7");
    }

    [Fact]
    public async Task Patch_ExternalIdOfAnotherUnitInOtherCase_Returns409()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root", externalId: "HQ");
        var a = await api.CreateAsync("A", parentId: root.Id, externalId: "a");

        using var response = await api.PatchAsync(a.Id, new { externalId = "hq" });
        var own = await api.PatchOkAsync(a.Id, new { externalId = "A" });

        var problem = await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("uniqueness", problem.GetProperty("scimType").GetString());
        Assert.Equal("A", own.ExternalId);
    }

    [Fact]
    public async Task Patch_DisableAndEnable_ListAndResolveReflectIt()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");
        var a = await api.CreateAsync("A", parentId: root.Id, externalId: "ext-a");
        var b = await api.CreateAsync("B", parentId: root.Id);

        var disabled = await api.PatchOkAsync(a.Id, new { enabled = false });
        using var resolved = await api.ResolveAsync("EXT-A");
        var enabledOnly = await api.ListAsync(includeDisabled: false);
        var all = await api.ListAsync();
        var enabled = await api.PatchOkAsync(a.Id, new { enabled = true });

        Assert.False(disabled.Enabled);
        Assert.False((await OrgUnitsClient.ReadAsync<Unit>(resolved)).Enabled);
        Assert.Equal([root.Id, b.Id], enabledOnly.Select(u => u.Id));
        Assert.Equal([root.Id, a.Id, b.Id], all.Select(u => u.Id));
        Assert.True(enabled.Enabled);
        Assert.Equal(3, enabled.Version);
    }

    [Fact]
    public async Task Patch_IfMatchStale_Returns412AndChangesNothing()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");
        await api.PatchOkAsync(root.Id, new { name = "Second" });

        using var stale = await api.PatchAsync(root.Id, new { name = "Lost" }, ifMatch: "\"1\"");
        using var current = await api.PatchAsync(root.Id, new { name = "Third" }, ifMatch: "\"2\"");
        using var malformed = await api.PatchAsync(root.Id, new { name = "Bad" }, ifMatch: "two");

        var problem = await OrgUnitsClient.ProblemAsync(stale, HttpStatusCode.PreconditionFailed);
        Assert.True(OrgUnitsClient.NamesField(problem, "If-Match"));
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal("\"3\"", current.Headers.ETag?.ToString());
        await OrgUnitsClient.ProblemAsync(malformed, HttpStatusCode.BadRequest);
        var after = await api.GetAsync(root.Id);
        Assert.Equal("Third", after.Name);
        Assert.Equal(3, after.Version);
    }

    [Theory]
    [InlineData("{\"name\": 5}", "name")]
    [InlineData("{\"enabled\": \"no\"}", "enabled")]
    [InlineData("{\"colour\": \"red\"}", "colour")]
    [InlineData("{}", "body")]
    public async Task Patch_BadBody_Returns400NamingField(string body, string field)
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");

        using var response = await api.Http.PatchAsync(
            $"{OrgUnitsClient.Base}/{root.Id}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(OrgUnitsClient.NamesField(problem, field), problem.ToString());
    }

    [Fact]
    public async Task List_TreeOrder_DepthFirstSiblingsByNameThenId()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root");
        var beta = await api.CreateAsync("beta", parentId: root.Id);
        var lowerAlpha = await api.CreateAsync("alpha", parentId: root.Id);
        var alpha = await api.CreateAsync("Alpha", parentId: root.Id);
        var z = await api.CreateAsync("z", parentId: alpha.Id);
        var a = await api.CreateAsync("a", parentId: alpha.Id);
        var twin1 = await api.CreateAsync("Twin", parentId: beta.Id);
        var twin2 = await api.CreateAsync("Twin", parentId: beta.Id);
        var gamma = await api.CreateAsync("Gamma", parentId: root.Id);
        var twins = new[] { twin1.Id, twin2.Id }.Order(StringComparer.Ordinal).ToArray();

        var items = await api.ListAsync();

        Assert.Equal(
            [root.Id, alpha.Id, a.Id, z.Id, lowerAlpha.Id, beta.Id, twins[0], twins[1], gamma.Id],
            items.Select(u => u.Id));
        Assert.Equal([0, 1, 2, 2, 1, 1, 2, 2, 1], items.Select(u => u.Depth));
        Assert.Equal("Root / Alpha / a", items[2].Path);
    }

    [Fact]
    public async Task List_IncludeDisabledNotABoolean_Returns400()
    {
        using var api = NewTenant();

        using var response = await api.Http.GetAsync($"{OrgUnitsClient.Base}?includeDisabled=maybe");

        Assert.True(OrgUnitsClient.NamesField(await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest), "includeDisabled"));
    }

    [Fact]
    public async Task Resolve_IsCaseInsensitiveAndUnknownIs404()
    {
        using var api = NewTenant();
        var root = await api.CreateAsync("Root", externalId: "Ünit-Root");

        using var upper = await api.ResolveAsync("ÜNIT-ROOT");
        using var unknown = await api.ResolveAsync("unit-other");
        using var missing = await api.Http.GetAsync($"{OrgUnitsClient.Base}/resolve");

        Assert.Equal(HttpStatusCode.OK, upper.StatusCode);
        var unit = await OrgUnitsClient.ReadAsync<Unit>(upper);
        Assert.Equal(root.Id, unit.Id);
        Assert.Equal("Ünit-Root", unit.ExternalId);
        await OrgUnitsClient.ProblemAsync(unknown, HttpStatusCode.NotFound);
        await OrgUnitsClient.ProblemAsync(missing, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task MissingTenantHeader_Returns400()
    {
        using var client = fixture.System.InternalClient("orgunits");

        using var response = await client.GetAsync(OrgUnitsClient.Base);

        await OrgUnitsClient.ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TenantIsolation_OtherTenantsUnitsAreUnknownOnEveryRoute()
    {
        using var owner = NewTenant();
        using var other = NewTenant();
        var root = await owner.CreateAsync("Owner root", externalId: "SHARED");
        var child = await owner.CreateAsync("Owner child", parentId: root.Id, externalId: "child");

        using var get = await other.Http.GetAsync($"{OrgUnitsClient.Base}/{child.Id}");
        using var patch = await other.PatchAsync(child.Id, new { name = "Hijacked" });
        using var resolve = await other.ResolveAsync("shared");
        using var firstWithParent = await other.PostAsync(new { name = "Under theirs", parentId = root.Id });
        var otherRoot = await other.CreateAsync("Other root", externalId: "shared");
        using var createUnder = await other.PostAsync(new { name = "Under theirs", parentId = child.Id });
        using var createUnderExternal = await other.PostAsync(new { name = "Under theirs", parentExternalId = "child" });
        var otherChild = await other.CreateAsync("Other child", parentId: otherRoot.Id, externalId: "CHILD");
        using var moveUnder = await other.PatchAsync(otherChild.Id, new { parentId = child.Id });
        using var import = await other.ImportAsync($"id,externalId\n{child.Id},stolen\n");

        await OrgUnitsClient.ProblemAsync(get, HttpStatusCode.NotFound);
        await OrgUnitsClient.ProblemAsync(patch, HttpStatusCode.NotFound);
        await OrgUnitsClient.ProblemAsync(resolve, HttpStatusCode.NotFound);
        await OrgUnitsClient.ProblemAsync(firstWithParent, HttpStatusCode.BadRequest);
        await OrgUnitsClient.ProblemAsync(createUnder, HttpStatusCode.BadRequest);
        await OrgUnitsClient.ProblemAsync(createUnderExternal, HttpStatusCode.BadRequest);
        await OrgUnitsClient.ProblemAsync(moveUnder, HttpStatusCode.BadRequest);
        await OrgUnitsClient.ProblemAsync(import, HttpStatusCode.BadRequest);
        Assert.Equal([otherRoot.Id, otherChild.Id], (await other.ListAsync()).Select(u => u.Id));
        Assert.Equal([root.Id, child.Id], (await owner.ListAsync()).Select(u => u.Id));
        var untouched = await owner.GetAsync(child.Id);
        Assert.Equal("Owner child", untouched.Name);
        Assert.Equal("child", untouched.ExternalId);
        using var ownResolve = await owner.ResolveAsync("shared");
        Assert.Equal(root.Id, (await OrgUnitsClient.ReadAsync<Unit>(ownResolve)).Id);
    }
}

public sealed class OrgUnitCrudTestsOnSqlite(SqliteSystemFixture fixture) : OrgUnitCrudTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class OrgUnitCrudTestsOnPostgres(PostgresSystemFixture fixture) : OrgUnitCrudTests(fixture), IClassFixture<PostgresSystemFixture>;
