using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Services.Tests.Roles;
using Microservices.Services.Tests.Users;

namespace Microservices.Services.Tests.Events;

/// <summary>
/// A system whose users service publishes its topic to an <see cref="EventRecorder"/> instead of to roles, so the tests
/// hand the events users really published to the real roles consumer in the order they choose.
/// </summary>
public abstract class UserEventsFixture(StoreEngine engine) : IAsyncLifetime
{
    private EventRecorder? _recorder;
    private RunningSystem? _system;

    public EventRecorder Recorder => _recorder ?? throw new InvalidOperationException("fixture not started");

    public RunningSystem System => _system ?? throw new InvalidOperationException("fixture not started");

    public async Task InitializeAsync()
    {
        _recorder = await EventRecorder.StartAsync("users");
        _system = await RunningSystem.StartAsync(engine, (service, settings) =>
        {
            if (service == "users")
            {
                settings["Events:Subscribers"] = _recorder.Url.ToString();
            }
        });
    }

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }

        if (_recorder is not null)
        {
            await _recorder.DisposeAsync();
        }
    }
}

public sealed class SqliteUserEventsFixture() : UserEventsFixture(StoreEngine.Sqlite);

public sealed class PostgresUserEventsFixture() : UserEventsFixture(StoreEngine.Postgres);

/// <summary>
/// SCIM DELETE then POST of the same userName brings the same user id back (user.restored.v1). Whatever order roles
/// gets user.deleted.v1 and user.restored.v1 in, and however often, it ends as the in-order sequence does: the
/// memberships from before the delete are gone, the ones given after the restore stay.
/// </summary>
public abstract class UserRestoreFlowTests(UserEventsFixture fixture)
{
    [Fact]
    public async Task DeletedThenRestored_InOrder_MembershipsGivenAfterTheRestoreStay()
    {
        var (users, roles, user, before) = await UserInAGroupAsync("in.order");
        using var _ = users;
        using var __ = roles;
        var (deleted, restored) = await DeleteAndReviveAsync(users, user);

        Assert.Equal("SUCCESS", await DeliverAsync(deleted));
        Assert.Empty(await RoleIdsAsync(roles, user.Id));
        Assert.Equal("SUCCESS", await DeliverAsync(restored));
        var after = await GroupAsync(roles, "After In Order", user.Id);
        Assert.Equal([after], await RoleIdsAsync(roles, user.Id));

        // A redelivery of the delete (the relay died between publish and mark) changes nothing.
        Assert.Equal("SUCCESS", await DeliverAsync(deleted));
        Assert.Equal([after], await RoleIdsAsync(roles, user.Id));
        Assert.DoesNotContain(before, await RoleIdsAsync(roles, user.Id));

        // A second SCIM delete is newer than the restore, so it applies.
        using var again = await users.Http.DeleteAsync("/internal/users/" + user.Id);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal("SUCCESS", await DeliverAsync(await fixture.Recorder.WaitForAsync("user.deleted.v1", user.Id, user.Version + 3)));
        Assert.Empty(await RoleIdsAsync(roles, user.Id));
    }

    [Fact]
    public async Task RestoredBeforeDeleted_MembershipsGivenAfterTheRestoreStay()
    {
        var (users, roles, user, before) = await UserInAGroupAsync("out.of.order");
        using var _ = users;
        using var __ = roles;
        var (deleted, restored) = await DeleteAndReviveAsync(users, user);

        // The restore arrives first: it does the removal of the delete it follows, as the delete would have.
        Assert.Equal("SUCCESS", await DeliverAsync(restored));
        Assert.Empty(await RoleIdsAsync(roles, user.Id));
        var after = await GroupAsync(roles, "After Out Of Order", user.Id);

        // The late delete is older than the restore: without the gate it would remove the new membership.
        Assert.Equal("SUCCESS", await DeliverAsync(deleted));
        Assert.Equal([after], await RoleIdsAsync(roles, user.Id));
        Assert.DoesNotContain(before, await RoleIdsAsync(roles, user.Id));
    }

    [Fact]
    public async Task SameEventsDeliveredTwice_TakeEffectOnce()
    {
        var (users, roles, user, before) = await UserInAGroupAsync("twice");
        using var _ = users;
        using var __ = roles;
        var (deleted, restored) = await DeleteAndReviveAsync(users, user);

        Assert.Equal("SUCCESS", await DeliverAsync(deleted));
        var roleVersion = await RoleVersionAsync(roles, before);
        Assert.Equal("SUCCESS", await DeliverAsync(deleted));
        Assert.Equal(roleVersion, await RoleVersionAsync(roles, before));

        Assert.Equal("SUCCESS", await DeliverAsync(restored));
        var after = await GroupAsync(roles, "After Twice", user.Id);
        Assert.Equal("SUCCESS", await DeliverAsync(restored));
        Assert.Equal("SUCCESS", await DeliverAsync(deleted));
        Assert.Equal([after], await RoleIdsAsync(roles, user.Id));
        Assert.Equal(roleVersion, await RoleVersionAsync(roles, before));

        // Identical copies are absorbed by the gate as well as the inbox. The delete's id carrying a version the gate
        // would apply isolates the inbox: only the id says it was processed, so the membership stays.
        var sameIdNewerVersion = deleted.DeepClone().AsObject();
        sameIdNewerVersion["data"]!["aggregateVersion"] = user.Version + 100;
        Assert.Equal("SUCCESS", await DeliverAsync(sameIdNewerVersion));
        Assert.Equal([after], await RoleIdsAsync(roles, user.Id));
    }

    [Fact]
    public async Task UnknownUserEventType_IsAcknowledgedAndIgnored()
    {
        var (users, roles, user, before) = await UserInAGroupAsync("other.type");
        using var _ = users;
        using var __ = roles;
        var cloudEvent = CloudEvents.Create(
            "users", "user.renamed.v1", "users", user.Id, 99, new JsonObject { ["tenantId"] = users.Tenant, ["userId"] = user.Id });

        Assert.Equal("SUCCESS", await DeliverAsync(cloudEvent));
        Assert.Equal([before], await RoleIdsAsync(roles, user.Id));
    }

    private async Task<(UsersClient Users, HttpClient Roles, Microservices.Users.Api.Domain.UserRecord User, string RoleId)> UserInAGroupAsync(string userName)
    {
        var tenant = UsersClient.NewTenant();
        var users = new UsersClient(fixture.System, tenant);
        var roles = fixture.System.InternalClient("roles", tenant);
        var user = await users.CreateAsync(UsersClient.Sample(userName));
        var roleId = await GroupAsync(roles, "Before " + userName, user.Id);
        Assert.Equal([roleId], await RoleIdsAsync(roles, user.Id));
        return (users, roles, user, roleId);
    }

    /// <summary>SCIM DELETE, then POST of the same userName: the same id comes back; returns the two events users published.</summary>
    private async Task<(JsonObject Deleted, JsonObject Restored)> DeleteAndReviveAsync(UsersClient users, Microservices.Users.Api.Domain.UserRecord user)
    {
        using (var deleted = await users.Http.DeleteAsync("/internal/users/" + user.Id))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var revived = await users.CreateAsync(UsersClient.Sample(user.UserName));
        Assert.Equal((user.Id, user.Version + 2), (revived.Id, revived.Version));

        var deletedEvent = await fixture.Recorder.WaitForAsync("user.deleted.v1", user.Id, user.Version + 1);
        var restoredEvent = await fixture.Recorder.WaitForAsync("user.restored.v1", user.Id, revived.Version);
        Assert.Equal(users.Tenant, restoredEvent["data"]!["payload"]!["tenantId"]!.GetValue<string>());
        Assert.Equal(user.Id, restoredEvent["data"]!["payload"]!["userId"]!.GetValue<string>());
        return (deletedEvent, restoredEvent);
    }

    private static async Task<string> GroupAsync(HttpClient roles, string displayName, string userId) =>
        (await roles.CreateGroupAsync(displayName, [userId])).Id();

    private static async Task<string[]> RoleIdsAsync(HttpClient roles, string userId) =>
        [.. (await roles.GetJsonAsync($"/internal/users/{userId}/roles"))["items"]!.AsArray().Select(r => r!["id"]!.GetValue<string>())];

    private static async Task<long> RoleVersionAsync(HttpClient roles, string roleId) =>
        (await roles.GetJsonAsync($"/internal/roles/{roleId}"))["version"]!.GetValue<long>();

    /// <summary>Posts a recorded CloudEvent to roles' users route as the relay would; returns the status roles answered.</summary>
    private async Task<string> DeliverAsync(JsonObject cloudEvent)
    {
        using var client = fixture.System.InternalClient("roles");
        using var content = new StringContent(cloudEvent.ToJsonString(), Encoding.UTF8, "application/cloudevents+json");
        using var response = await client.PostAsync("/events/users", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>();
    }
}

public sealed class UserRestoreFlowTestsOnSqlite(SqliteUserEventsFixture fixture) : UserRestoreFlowTests(fixture), IClassFixture<SqliteUserEventsFixture>;

public sealed class UserRestoreFlowTestsOnPostgres(PostgresUserEventsFixture fixture) : UserRestoreFlowTests(fixture), IClassFixture<PostgresUserEventsFixture>;
