using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microservices.Scim;
using Microservices.Scim.Errors;
using Microservices.Services.Tests.Infrastructure;
using static Microservices.Services.Tests.Scim.ScimTestTenant;

namespace Microservices.Services.Tests.Scim.Users;

/// <summary>
/// A disabled unit cannot become anyone's default unit, but the users already in it stay manageable: an IdP that
/// deactivates or updates them must not fail (failures count towards Entra's quarantine).
/// </summary>
public abstract class UserDisabledUnitTests(SystemFixture fixture)
{
    private const string Enterprise = ScimConstants.EnterpriseUserSchema;

    [Fact]
    public async Task Writes_UnitDisabledAfterCreate_UserStaysEditableButCannotMoveIntoDisabledUnit()
    {
        using var t = await CreateAsync(fixture.System);
        var user = NewUser(department: Support);
        string id;
        using (var created = await t.Scim.PostAsync("Users", Json(user)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            id = (await ReadAsync(created))["id"]!.GetValue<string>();
        }

        using (var disable = await t.Admin.PatchAsJsonAsync($"tenants/{t.Id}/orgunits/{t.UnitIds[Support]}", new { enabled = false }))
        {
            Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        }

        // Okta's deactivation: a path-less replace that does not touch the department.
        using (var deactivated = await t.Scim.PatchAsync($"Users/{id}", Patch(Op("replace", null, new JsonObject { ["active"] = false }))))
        {
            Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
            var body = await ReadAsync(deactivated);
            Assert.False(body["active"]!.GetValue<bool>());
            Assert.Equal(Support, body[Enterprise]!["department"]!.GetValue<string>());
        }

        // Okta's profile push: a PUT of the whole user, same department, another title.
        user["title"] = "Auditor";
        user["active"] = false;
        using (var replaced = await t.Scim.PutAsync($"Users/{id}", Json(user)))
        {
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
            Assert.Equal("Auditor", (await ReadAsync(replaced))["title"]!.GetValue<string>());
        }

        // Moving into a disabled unit is refused and changes nothing.
        using (var moved = await t.Scim.PatchAsync($"Users/{id}", Patch(Op("replace", $"{Enterprise}:department", JsonValue.Create(Closed)))))
        {
            var detail = await AssertErrorAsync(moved, HttpStatusCode.BadRequest, ScimErrorType.InvalidValue);
            Assert.Contains("department", detail, StringComparison.Ordinal);
        }

        user[Enterprise]!["department"] = Closed;
        using (var movedByPut = await t.Scim.PutAsync($"Users/{id}", Json(user)))
        {
            await AssertErrorAsync(movedByPut, HttpStatusCode.BadRequest, ScimErrorType.InvalidValue);
        }

        // Moving to an enabled unit still resolves it.
        using (var toSales = await t.Scim.PatchAsync($"Users/{id}", Patch(Op("replace", $"{Enterprise}:department", JsonValue.Create(Sales)))))
        {
            Assert.Equal(HttpStatusCode.OK, toSales.StatusCode);
        }

        using var read = await t.Scim.GetAsync($"Users/{id}");
        var final = await ReadAsync(read);
        Assert.Equal(Sales, final[Enterprise]!["department"]!.GetValue<string>());
        Assert.Equal("Auditor", final["title"]!.GetValue<string>());
    }
}

public sealed class UserDisabledUnitTestsOnSqlite(SqliteSystemFixture fixture) : UserDisabledUnitTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class UserDisabledUnitTestsOnPostgres(PostgresSystemFixture fixture) : UserDisabledUnitTests(fixture), IClassFixture<PostgresSystemFixture>;
