using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Services.Tests.OrgUnits;
using Microservices.Services.Tests.Roles;
using Microservices.Services.Tests.Users;
using Microservices.Users.Api.Domain;

namespace Microservices.Services.Tests.Events;

/// <summary>
/// The cross-service flows of docs/events.md over real HTTP: act on one service's internal API, then wait for the
/// other's projection to converge (polling up to a generous deadline is waiting, not a timed assertion).
/// </summary>
public abstract class EventFlowTests(SystemFixture fixture)
{
    private static readonly TimeSpan _deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task GroupPatch_AddThenRemoveMembers_UsersListTheRoleThenNot()
    {
        var tenant = UsersClient.NewTenant();
        using var users = new UsersClient(fixture.System, tenant);
        using var roles = fixture.System.InternalClient("roles", tenant);
        var members = new List<UserRecord>();
        for (var i = 0; i < 3; i++)
        {
            members.Add(await users.CreateAsync(UsersClient.Sample($"member{i}")));
        }

        var group = await (await roles.SendJsonAsync(HttpMethod.Post, "/internal/groups", new { displayName = "Night Shift", members = Array.Empty<string>() })).JsonAsync(HttpStatusCode.Created);
        var roleId = group.Id();

        (await roles.SendJsonAsync(HttpMethod.Patch, $"/internal/groups/{roleId}", new { addMembers = members.Select(m => m.Id).ToArray() })).Dispose();
        foreach (var member in members)
        {
            await EventuallyAsync(async () => (await users.GetAsync(member.Id))!.Roles.Any(r => r.Id == roleId && r.Display == "Night Shift"));
        }

        (await roles.SendJsonAsync(HttpMethod.Patch, $"/internal/groups/{roleId}", new { removeMembers = new[] { members[0].Id } })).Dispose();
        await EventuallyAsync(async () => (await users.GetAsync(members[0].Id))!.Roles.All(r => r.Id != roleId));
        Assert.Contains((await users.GetAsync(members[1].Id))!.Roles, r => r.Id == roleId);
    }

    [Fact]
    public async Task RoleExternalIdChangedThenGroupDeleted_DisplayFollowsThenRoleGone()
    {
        var tenant = UsersClient.NewTenant();
        using var users = new UsersClient(fixture.System, tenant);
        using var roles = fixture.System.InternalClient("roles", tenant);
        var user = await users.CreateAsync(UsersClient.Sample("renamed.member"));
        var group = await (await roles.SendJsonAsync(HttpMethod.Post, "/internal/groups", new { displayName = "Old Name", members = new[] { user.Id } })).JsonAsync(HttpStatusCode.Created);
        var roleId = group.Id();
        await EventuallyAsync(async () => (await users.GetAsync(user.Id))!.Roles.Any(r => r.Id == roleId && r.Display == "Old Name"));

        (await (await roles.SendJsonAsync(HttpMethod.Patch, $"/internal/roles/{roleId}", new { externalId = "New Name" })).JsonAsync(HttpStatusCode.OK)).ToString();
        await EventuallyAsync(async () => (await users.GetAsync(user.Id))!.Roles.Any(r => r.Id == roleId && r.Display == "New Name"));

        using var deleted = await roles.DeleteAsync($"/internal/groups/{roleId}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await EventuallyAsync(async () => (await users.GetAsync(user.Id))!.Roles.Count == 0);
    }

    [Fact]
    public async Task UserDeleted_RolesDropsTheUsersMemberships()
    {
        var tenant = UsersClient.NewTenant();
        using var users = new UsersClient(fixture.System, tenant);
        using var roles = fixture.System.InternalClient("roles", tenant);
        var user = await users.CreateAsync(UsersClient.Sample("leaver"));
        var stayer = await users.CreateAsync(UsersClient.Sample("stayer"));
        (await roles.SendJsonAsync(HttpMethod.Post, "/internal/groups", new { displayName = "Leavers A", members = new[] { user.Id, stayer.Id } })).Dispose();
        (await roles.SendJsonAsync(HttpMethod.Post, "/internal/groups", new { displayName = "Leavers B", members = new[] { user.Id } })).Dispose();
        Assert.Equal(2, (await roles.GetJsonAsync($"/internal/users/{user.Id}/roles"))["items"]!.AsArray().Count);

        using var deleted = await users.Http.DeleteAsync("/internal/users/" + user.Id);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        await EventuallyAsync(async () => (await roles.GetJsonAsync($"/internal/users/{user.Id}/roles"))["items"]!.AsArray().Count == 0);
        Assert.Single((await roles.GetJsonAsync($"/internal/users/{stayer.Id}/roles"))["items"]!.AsArray());
    }

    [Fact]
    public async Task OrgUnitExternalIdChanged_ByPatchAndByImport_DepartmentShowsTheCurrentOne()
    {
        var tenant = UsersClient.NewTenant();
        using var users = new UsersClient(fixture.System, tenant);
        using var orgunits = new OrgUnitsClient(fixture.System.InternalClient("orgunits", tenant), tenant);
        var root = await orgunits.CreateAsync("Head Office", externalId: "HQ");
        var unit = await orgunits.CreateAsync("Sales", parentId: root.Id, externalId: "SALES-1");
        var user = await users.CreateAsync(UsersClient.Sample("seller") with { DefaultUnit = new UnitSnapshot(unit.Id, "SALES-1", "Sales", true, null) });

        await orgunits.PatchOkAsync(unit.Id, new { externalId = "SALES-2" });
        await EventuallyAsync(async () => (await users.GetAsync(user.Id))!.DefaultUnit.ExternalId == "SALES-2");

        using var imported = await orgunits.ImportAsync($"id,externalId\n{unit.Id},SALES-3\n");
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        await EventuallyAsync(async () => (await users.GetAsync(user.Id))!.DefaultUnit.ExternalId == "SALES-3");
    }

    [Fact]
    public async Task OrgUnitExternalIdCleared_ByPatchAndByImport_DepartmentGoneAndNoLongerFilterable()
    {
        var tenant = UsersClient.NewTenant();
        using var users = new UsersClient(fixture.System, tenant);
        using var orgunits = new OrgUnitsClient(fixture.System.InternalClient("orgunits", tenant), tenant);
        var root = await orgunits.CreateAsync("Head Office", externalId: "HQ");
        var unit = await orgunits.CreateAsync("Sales", parentId: root.Id, externalId: "SALES-1");
        var user = await users.CreateAsync(UsersClient.Sample("cleared") with { DefaultUnit = new UnitSnapshot(unit.Id, "SALES-1", "Sales", true, null) });
        Assert.Equal(["cleared"], await users.MatchAsync("department eq \"SALES-1\""));

        // orgunit.changed.v1 with "externalId": null is the unit's state, not poison: the user follows it.
        await orgunits.PatchOkAsync(unit.Id, new { externalId = (string?)null });
        await EventuallyAsync(async () => (await users.GetAsync(user.Id))!.DefaultUnit.ExternalId is null);
        var cleared = (await users.GetAsync(user.Id))!;
        Assert.Null(cleared.Department);
        Assert.Equal((unit.Id, "Sales", (bool?)true), (cleared.DefaultUnit.Id, cleared.DefaultUnit.Name, cleared.DefaultUnit.Enabled));
        Assert.Empty(await users.MatchAsync("department eq \"SALES-1\""));
        Assert.Empty(await users.MatchAsync("department pr"));
        Assert.Equal(["cleared"], await users.MatchAsync("department eq null"));

        // Given again, then cleared by an empty import cell.
        await orgunits.PatchOkAsync(unit.Id, new { externalId = "SALES-2" });
        await EventuallyAsync(async () => (await users.GetAsync(user.Id))!.Department == "SALES-2");
        using var imported = await orgunits.ImportAsync($"id,externalId\n{unit.Id},\n");
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        await EventuallyAsync(async () => (await users.GetAsync(user.Id))!.Department is null);
        Assert.Empty(await users.MatchAsync("department eq \"SALES-2\""));

        // The user is still writable with the unit as the projection now shows it (no external id).
        var replaced = await users.ReplaceAsync(user.Id, UsersClient.ToWrite((await users.GetAsync(user.Id))!) with { Active = false });
        Assert.Equal((false, unit.Id, (string?)null), (replaced.Active, replaced.DefaultUnit.Id, replaced.Department));
    }

    [Fact]
    public async Task RootUnitWithoutExternalId_Renamed_UsersFollow()
    {
        var tenant = UsersClient.NewTenant();
        using var users = new UsersClient(fixture.System, tenant);
        using var orgunits = new OrgUnitsClient(fixture.System.InternalClient("orgunits", tenant), tenant);

        // A root without an external id: its events carry "externalId": null from the first one on.
        var root = await orgunits.CreateAsync("Head Office");
        var user = await users.CreateAsync(UsersClient.Sample("at.root") with { DefaultUnit = new UnitSnapshot(root.Id, null, "Head Office", true, null) });
        Assert.Null(user.Department);

        await orgunits.PatchOkAsync(root.Id, new { name = "Group Head Office" });
        await EventuallyAsync(async () => (await users.GetAsync(user.Id))!.DefaultUnit.Name == "Group Head Office");
        Assert.Null((await users.GetAsync(user.Id))!.Department);
    }

    [Fact]
    public async Task OrgUnitRenamedThenDisabled_UsersFollow()
    {
        var tenant = UsersClient.NewTenant();
        using var users = new UsersClient(fixture.System, tenant);
        using var orgunits = new OrgUnitsClient(fixture.System.InternalClient("orgunits", tenant), tenant);
        var root = await orgunits.CreateAsync("Head Office", externalId: "HQ");
        var unit = await orgunits.CreateAsync("Depot", parentId: root.Id, externalId: "DEPOT");
        var user = await users.CreateAsync(UsersClient.Sample("driver") with { DefaultUnit = new UnitSnapshot(unit.Id, "DEPOT", "Depot", true, null) });

        await orgunits.PatchOkAsync(unit.Id, new { name = "North Depot" });
        await EventuallyAsync(async () => (await users.GetAsync(user.Id))!.DefaultUnit.Name == "North Depot");

        await orgunits.PatchOkAsync(unit.Id, new { enabled = false });
        await EventuallyAsync(async () => (await users.GetAsync(user.Id))!.DefaultUnit.Enabled == false);
        var disabled = (await users.GetAsync(user.Id))!;
        Assert.Equal(("North Depot", "DEPOT"), (disabled.DefaultUnit.Name, disabled.Department));
    }

    [Fact]
    public async Task OrgUnitImport_ChangingManyUnits_EveryUserFollowsItsUnit()
    {
        var tenant = UsersClient.NewTenant();
        using var users = new UsersClient(fixture.System, tenant);
        using var orgunits = new OrgUnitsClient(fixture.System.InternalClient("orgunits", tenant), tenant);
        var root = await orgunits.CreateAsync("Head Office", externalId: "HQ");
        var a = await orgunits.CreateAsync("A", parentId: root.Id, externalId: "A-1");
        var b = await orgunits.CreateAsync("B", parentId: root.Id, externalId: "B-1");
        var c = await orgunits.CreateAsync("C", parentId: root.Id, externalId: "C-1");
        var inA = await users.CreateAsync(UsersClient.Sample("in-a") with { DefaultUnit = new UnitSnapshot(a.Id, "A-1", "A", true, null) });
        var inB = await users.CreateAsync(UsersClient.Sample("in-b") with { DefaultUnit = new UnitSnapshot(b.Id, "B-1", "B", true, null) });
        var inC = await users.CreateAsync(UsersClient.Sample("in-c") with { DefaultUnit = new UnitSnapshot(c.Id, "C-1", "C", true, null) });

        // A and B exchange external ids and C is renamed: the import writes its three events in one bulk insert.
        using var imported = await orgunits.ImportAsync($"id,externalId,name\n{a.Id},B-1,\n{b.Id},A-1,\n{c.Id},C-1,Sea\n");
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);

        await EventuallyAsync(async () => (await users.GetAsync(inA.Id))!.DefaultUnit.ExternalId == "B-1");
        await EventuallyAsync(async () => (await users.GetAsync(inB.Id))!.DefaultUnit.ExternalId == "A-1");
        await EventuallyAsync(async () => (await users.GetAsync(inC.Id))!.DefaultUnit.Name == "Sea");
    }

    [Fact]
    public async Task SameCloudEventTwice_TakesEffectOnce()
    {
        var tenant = UsersClient.NewTenant();
        using var users = new UsersClient(fixture.System, tenant);
        var user = await users.CreateAsync(UsersClient.Sample("twice"));
        var roleId = Guid.NewGuid().ToString();
        var cloudEvent = MembershipEvent(tenant, roleId, "Twice", version: 3, added: [user.Id], removed: []);

        Assert.Equal("SUCCESS", await PostToUsersAsync(cloudEvent));
        Assert.Equal("SUCCESS", await PostToUsersAsync(cloudEvent));

        var roles = (await users.GetAsync(user.Id))!.Roles;
        Assert.Single(roles, r => r.Id == roleId && r.Display == "Twice");

        // An identical copy is absorbed twice over: by the inbox (same id) and by the version gate (same version), so
        // the lines above would pass without the inbox. A copy under the same id whose content the gate would let
        // through (a newer version removing the member) isolates the inbox: only the id says it was processed.
        var sameIdNewerContent = MembershipEvent(tenant, roleId, "Twice", version: 4, added: [], removed: [user.Id]);
        sameIdNewerContent["id"] = cloudEvent["id"]!.GetValue<string>();
        Assert.Equal("SUCCESS", await PostToUsersAsync(sameIdNewerContent));
        Assert.Single((await users.GetAsync(user.Id))!.Roles, r => r.Id == roleId && r.Display == "Twice");
    }

    [Fact]
    public async Task SameOrgUnitEventIdTwice_TakesEffectOnce()
    {
        var tenant = UsersClient.NewTenant();
        using var users = new UsersClient(fixture.System, tenant);
        var unitId = Guid.NewGuid().ToString();
        var user = await users.CreateAsync(UsersClient.Sample("unit.twice") with { DefaultUnit = new UnitSnapshot(unitId, "DEPOT", "Depot", true, null) });
        var changed = CloudEvent("orgunit.changed.v1", "orgunits", unitId, 2, new { tenantId = tenant, unitId, externalId = "DEPOT-2", name = "Depot", enabled = true });

        Assert.Equal("SUCCESS", await PostToUsersAsync(changed, "/events/orgunits"));
        Assert.Equal("SUCCESS", await PostToUsersAsync(changed, "/events/orgunits"));
        Assert.Equal("DEPOT-2", (await users.GetAsync(user.Id))!.Department);

        // The same id with content the version gate would apply: only the inbox keeps it out (see above).
        var sameIdNewerContent = CloudEvent("orgunit.changed.v1", "orgunits", unitId, 3, new { tenantId = tenant, unitId, externalId = "DEPOT-3", name = "Depot", enabled = true });
        sameIdNewerContent["id"] = changed["id"]!.GetValue<string>();
        Assert.Equal("SUCCESS", await PostToUsersAsync(sameIdNewerContent, "/events/orgunits"));
        Assert.Equal("DEPOT-2", (await users.GetAsync(user.Id))!.Department);
    }

    [Fact]
    public async Task EventsOutOfOrder_EndInTheNewestState()
    {
        var tenant = UsersClient.NewTenant();
        using var users = new UsersClient(fixture.System, tenant);
        var user = await users.CreateAsync(UsersClient.Sample("late"));
        var roleId = Guid.NewGuid().ToString();

        // The removal (version 7) arrives before the addition it follows (version 6): the late add must not resurrect.
        Assert.Equal("SUCCESS", await PostToUsersAsync(MembershipEvent(tenant, roleId, "Late", version: 7, added: [], removed: [user.Id])));
        Assert.Equal("SUCCESS", await PostToUsersAsync(MembershipEvent(tenant, roleId, "Late", version: 6, added: [user.Id], removed: [])));
        Assert.DoesNotContain((await users.GetAsync(user.Id))!.Roles, r => r.Id == roleId);

        // A rename older than the current row is ignored; a newer addition wins.
        Assert.Equal("SUCCESS", await PostToUsersAsync(MembershipEvent(tenant, roleId, "Later", version: 9, added: [user.Id], removed: [])));
        Assert.Equal("SUCCESS", await PostToUsersAsync(CloudEvent("role.renamed.v1", "role-memberships", roleId, 8, new { tenantId = tenant, roleId, display = "Stale" })));
        Assert.Single((await users.GetAsync(user.Id))!.Roles, r => r.Id == roleId && r.Display == "Later");
    }

    [Fact]
    public async Task PoisonPayload_IsDropped()
    {
        var tenant = UsersClient.NewTenant();

        Assert.Equal("DROP", await PostToUsersAsync(CloudEvent("membership.changed.v1", "role-memberships", "r", 1, new { tenantId = tenant })));
        Assert.Equal("DROP", await PostToUsersAsync(CloudEvent("membership.exploded.v9", "role-memberships", "r", 1, new { tenantId = tenant, roleId = "r" })));
    }

    private static JsonObject MembershipEvent(string tenant, string roleId, string display, long version, string[] added, string[] removed) =>
        CloudEvent("membership.changed.v1", "role-memberships", roleId, version, new { tenantId = tenant, roleId, display, added, removed, exclusive = false, displayChanged = false });

    private static JsonObject CloudEvent(string type, string topic, string aggregateId, long version, object payload) =>
        CloudEvents.Create(topic == "orgunits" ? "orgunits" : "roles", type, topic, aggregateId, version, JsonSerializer.SerializeToNode(payload, UsersClient.Json)!);

    private async Task<string> PostToUsersAsync(JsonObject cloudEvent, string route = "/events/role-memberships")
    {
        using var client = fixture.System.InternalClient("users");
        using var content = new StringContent(cloudEvent.ToJsonString(), Encoding.UTF8, "application/cloudevents+json");
        using var response = await client.PostAsync(route, content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>();
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + _deadline;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "the projection did not converge");
            await Task.Delay(100);
        }
    }
}

public sealed class EventFlowTestsOnSqlite(SqliteSystemFixture fixture) : EventFlowTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class EventFlowTestsOnPostgres(PostgresSystemFixture fixture) : EventFlowTests(fixture), IClassFixture<PostgresSystemFixture>;
