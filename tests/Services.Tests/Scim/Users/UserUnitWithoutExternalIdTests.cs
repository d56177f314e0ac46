using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microservices.Scim;
using Microservices.Scim.Errors;
using Microservices.Services.Tests.Infrastructure;
using static Microservices.Services.Tests.Scim.ScimTestTenant;

namespace Microservices.Services.Tests.Scim.Users;

/// <summary>
/// An administrator clears the external id of a unit that users are in (PATCH null or an empty import cell). Those
/// users have no department any more, and the IdP must still be able to deactivate and update them: the write keeps
/// their unit as long as it does not name a department (docs/scim-mapping.md, department).
/// </summary>
public abstract class UserUnitWithoutExternalIdTests(SystemFixture fixture)
{
    private const string Enterprise = ScimConstants.EnterpriseUserSchema;
    private static readonly TimeSpan _deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ExternalIdCleared_DepartmentGone_UserStillDeactivatableAndEditableInPlace()
    {
        using var t = await CreateAsync(fixture.System);
        var user = NewUser(department: Support);
        var id = (await t.CreateUserAsync(user))["id"]!.GetValue<string>();
        var bystander = (await t.CreateUserAsync(NewUser()))["id"]!.GetValue<string>();

        using (var cleared = await t.Admin.PatchAsJsonAsync($"tenants/{t.Id}/orgunits/{t.UnitIds[Support]}", new { externalId = (string?)null }))
        {
            Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        }

        // The orgunits event reaches the users projection: no stale department, and no longer found by it.
        await EventuallyAsync(async () => (await t.GetUserAsync(id))[Enterprise]?["department"] is null);
        Assert.Empty(await FilterAsync(t, $"{Enterprise}:department eq \"{Support}\""));

        // Entra's deactivation: a PATCH of active alone.
        using (var deactivated = await t.Scim.PatchAsync($"Users/{id}", Patch(Op("replace", "active", JsonValue.Create(false)))))
        {
            var body = await ReadAsync(deactivated);
            Assert.True(deactivated.StatusCode == HttpStatusCode.OK, body.ToJsonString());
            Assert.False(body["active"]!.GetValue<bool>());
            Assert.Null(body[Enterprise]?["department"]);
        }

        // Okta's profile push without a department: a PUT of the whole user keeps the unit too.
        user.Remove(Enterprise);
        user["title"] = "Auditor";
        user["active"] = false;
        using (var replaced = await t.Scim.PutAsync($"Users/{id}", Json(user)))
        {
            var body = await ReadAsync(replaced);
            Assert.True(replaced.StatusCode == HttpStatusCode.OK, body.ToJsonString());
            Assert.Equal("Auditor", body["title"]!.GetValue<string>());
        }

        var person = (await t.AdminUserAsync(id)).GetProperty("person");
        Assert.Equal(t.UnitIds[Support], person.GetProperty("defaultUnitId").GetString());
        Assert.False(person.GetProperty("current").GetBoolean());

        // The external id the unit lost names no unit: writing it is refused, and nothing changes.
        user[Enterprise] = new JsonObject { ["department"] = Support };
        using (var stale = await t.Scim.PutAsync($"Users/{id}", Json(user)))
        {
            var detail = await AssertErrorAsync(stale, HttpStatusCode.BadRequest, ScimErrorType.InvalidValue);
            Assert.Contains("department", detail, StringComparison.Ordinal);
        }

        // Naming a department moves the user as usual.
        using (var moved = await t.Scim.PatchAsync($"Users/{id}", Patch(Op("replace", $"{Enterprise}:department", JsonValue.Create(Sales)))))
        {
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
            Assert.Equal(Sales, (await ReadAsync(moved))[Enterprise]!["department"]!.GetValue<string>());
        }

        // Leaving department out is still refused for a user whose unit has an external id.
        using (var removed = await t.Scim.PatchAsync($"Users/{bystander}", Patch(Op("remove", $"{Enterprise}:department", null))))
        {
            var detail = await AssertErrorAsync(removed, HttpStatusCode.BadRequest, ScimErrorType.InvalidValue);
            Assert.Contains("department is required", detail, StringComparison.Ordinal);
        }

        Assert.Equal(Sales, (await t.GetUserAsync(bystander))[Enterprise]!["department"]!.GetValue<string>());
    }

    private static async Task<JsonArray> FilterAsync(ScimTestTenant t, string filter)
    {
        using var response = await t.Scim.GetAsync($"Users?filter={Uri.EscapeDataString(filter)}");
        var body = await ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        return body["Resources"]?.AsArray() ?? [];
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

public sealed class UserUnitWithoutExternalIdTestsOnSqlite(SqliteSystemFixture fixture) : UserUnitWithoutExternalIdTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class UserUnitWithoutExternalIdTestsOnPostgres(PostgresSystemFixture fixture) : UserUnitWithoutExternalIdTests(fixture), IClassFixture<PostgresSystemFixture>;
