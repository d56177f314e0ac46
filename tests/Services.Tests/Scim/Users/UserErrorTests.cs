using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microservices.Scim;
using Microservices.Scim.Errors;
using Microservices.Services.Tests.Infrastructure;
using static Microservices.Services.Tests.Scim.ScimTestTenant;

namespace Microservices.Services.Tests.Scim.Users;

/// <summary>Every bad request gets its SCIM error (status, scimType, the attribute named) and writes nothing.</summary>
public abstract class UserErrorTests(SystemFixture fixture)
{
    private const string Enterprise = ScimConstants.EnterpriseUserSchema;

    public static TheoryData<string, string> BadCreates => new()
    {
        { "userName", "userName" },
        { "givenName", "name.givenName" },
        { "familyName", "name.familyName" },
        { "department", "department" },
        { "unknownDepartment", "department" },
        { "disabledDepartment", "department" },
        { "nulDepartment", "department" },
        { "surrogateDepartment", "department" },
        { "longDepartment", "department" },
        { "timezone", "timezone" },
        { "preferredLanguage", "preferredLanguage" },
        { "locale", "locale" },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task Create_InvalidAttribute_400InvalidValueNamingItAndNothingWritten(string change, string named)
    {
        using var t = await CreateAsync(fixture.System);
        var user = NewUser();
        switch (change)
        {
            case "userName": user.Remove("userName"); break;
            case "givenName": user["name"]!.AsObject().Remove("givenName"); break;
            case "familyName": user["name"]!["familyName"] = " "; break;
            case "department": user.Remove(Enterprise); break;
            case "unknownDepartment": user[Enterprise]!["department"] = "NOPE"; break;
            case "disabledDepartment": user[Enterprise]!["department"] = Closed; break;
            // No unit can have these external ids; PostgreSQL cannot even be asked about a NUL.
            case "nulDepartment": user[Enterprise]!["department"] = "SAL\0ES"; break;
            case "surrogateDepartment": user[Enterprise]!["department"] = "SAL\ud800ES"; break;
            case "longDepartment": user[Enterprise]!["department"] = new string('S', 5000); break;
            case "timezone": user["timezone"] = "Mars/Olympus"; break;
            case "preferredLanguage": user["preferredLanguage"] = "english please"; break;
            case "locale": user["locale"] = "en_GB!"; break;
        }

        using var response = await t.Scim.PostAsync("Users", Json(user));

        var detail = await AssertErrorAsync(response, HttpStatusCode.BadRequest, ScimErrorType.InvalidValue);
        Assert.Contains(named, detail, StringComparison.Ordinal);
        await AssertNoUsersAsync(t);
    }

    [Fact]
    public async Task Create_MalformedEnvelopes_400InvalidSyntaxAndNothingWritten()
    {
        using var t = await CreateAsync(fixture.System);

        using (var notJson = await t.Scim.PostAsync("Users", new StringContent("{\"userName\":", Encoding.UTF8, ScimConstants.MediaType)))
        {
            await AssertErrorAsync(notJson, HttpStatusCode.BadRequest, ScimErrorType.InvalidSyntax);
        }

        var wrongSchemas = NewUser();
        wrongSchemas["schemas"] = new JsonArray(ScimConstants.GroupSchema);
        using (var wrong = await t.Scim.PostAsync("Users", Json(wrongSchemas)))
        {
            await AssertErrorAsync(wrong, HttpStatusCode.BadRequest, ScimErrorType.InvalidSyntax);
        }

        using (var array = await t.Scim.PostAsync("Users", new StringContent("[]", Encoding.UTF8, ScimConstants.MediaType)))
        {
            await AssertErrorAsync(array, HttpStatusCode.BadRequest, ScimErrorType.InvalidSyntax);
        }

        var huge = NewUser();
        huge["nickName"] = new string('x', 1024 * 1024 + 10);
        using (var tooLarge = await t.Scim.PostAsync("Users", Json(huge)))
        {
            await AssertErrorAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge);
        }

        await AssertNoUsersAsync(t);
    }

    [Theory]
    [InlineData("nickName eq \"x\"", ScimErrorType.InvalidFilter)]
    [InlineData("noSuchAttribute eq \"x\"", ScimErrorType.InvalidFilter)]
    [InlineData("userName eq", ScimErrorType.InvalidFilter)]
    [InlineData("userName zz \"x\"", ScimErrorType.InvalidFilter)]
    [InlineData("addresses[type eq \"work\"]", ScimErrorType.InvalidFilter)]
    [InlineData("userName eq \"a\\u0000b\"", ScimErrorType.InvalidFilter)]
    [InlineData("emails.value co \"\\u0000\"", ScimErrorType.InvalidFilter)]
    [InlineData("externalId sw \"\\ud800\"", ScimErrorType.InvalidFilter)]
    [InlineData("emails[value eq \"x\\u0000\"]", ScimErrorType.InvalidFilter)]
    public async Task List_BadFilter_400InvalidFilter(string filter, string scimType)
    {
        using var t = await CreateAsync(fixture.System);

        using var response = await t.Scim.GetAsync("Users?filter=" + Uri.EscapeDataString(filter));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, scimType);
    }

    [Fact]
    public async Task List_BadParameters_400InvalidValue()
    {
        using var t = await CreateAsync(fixture.System);
        using var count = await t.Scim.GetAsync("Users?count=ten");
        await AssertErrorAsync(count, HttpStatusCode.BadRequest, ScimErrorType.InvalidValue);
        using var order = await t.Scim.GetAsync("Users?sortBy=userName&sortOrder=sideways");
        await AssertErrorAsync(order, HttpStatusCode.BadRequest, ScimErrorType.InvalidValue);
        using var sortBy = await t.Scim.GetAsync("Users?sortBy=nickName");
        await AssertErrorAsync(sortBy, HttpStatusCode.BadRequest, ScimErrorType.InvalidValue);
    }

    [Fact]
    public async Task Writes_DuplicateUserName_409UniquenessOnPostPutAndPatch()
    {
        using var t = await CreateAsync(fixture.System);
        var first = await t.CreateUserAsync(NewUser());
        var second = await t.CreateUserAsync(NewUser());
        var taken = first["userName"]!.GetValue<string>().ToUpperInvariant();
        var secondId = second["id"]!.GetValue<string>();

        using (var post = await t.Scim.PostAsync("Users", Json(NewUser(taken))))
        {
            await AssertErrorAsync(post, HttpStatusCode.Conflict, ScimErrorType.Uniqueness);
        }

        using (var put = await t.Scim.PutAsync($"Users/{secondId}", Json(NewUser(taken))))
        {
            await AssertErrorAsync(put, HttpStatusCode.Conflict, ScimErrorType.Uniqueness);
        }

        using (var patch = await t.Scim.PatchAsync($"Users/{secondId}", Patch(Op("replace", "userName", JsonValue.Create(taken)))))
        {
            await AssertErrorAsync(patch, HttpStatusCode.Conflict, ScimErrorType.Uniqueness);
        }

        await AssertUnchangedAsync(t, second);
    }

    [Fact]
    public async Task Writes_StaleIfMatch_412AndUnchanged()
    {
        using var t = await CreateAsync(fixture.System);
        var user = await t.CreateUserAsync(NewUser());
        var id = user["id"]!.GetValue<string>();
        var version = user["meta"]!["version"]!.GetValue<string>();

        using (var put = new HttpRequestMessage(HttpMethod.Put, $"Users/{id}") { Content = Json(NewUser(user["userName"]!.GetValue<string>())) })
        {
            put.Headers.TryAddWithoutValidation("If-Match", "W/\"999\"");
            using var response = await t.Scim.SendAsync(put);
            await AssertErrorAsync(response, HttpStatusCode.PreconditionFailed);
        }

        using (var patch = new HttpRequestMessage(HttpMethod.Patch, $"Users/{id}") { Content = Patch(Op("replace", "title", JsonValue.Create("Changed"))) })
        {
            patch.Headers.TryAddWithoutValidation("If-Match", "W/\"999\"");
            using var response = await t.Scim.SendAsync(patch);
            await AssertErrorAsync(response, HttpStatusCode.PreconditionFailed);
        }

        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"Users/{id}"))
        {
            delete.Headers.TryAddWithoutValidation("If-Match", "W/\"999\"");
            using var response = await t.Scim.SendAsync(delete);
            await AssertErrorAsync(response, HttpStatusCode.PreconditionFailed);
        }

        await AssertUnchangedAsync(t, user);

        using var current = new HttpRequestMessage(HttpMethod.Patch, $"Users/{id}") { Content = Patch(Op("replace", "title", JsonValue.Create("Changed"))) };
        current.Headers.TryAddWithoutValidation("If-Match", version);
        using var ok = await t.Scim.SendAsync(current);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    public static TheoryData<string, int, string> BadPatches => new()
    {
        { """{"op":"replace","path":"id","value":"other-id"}""", 400, ScimErrorType.Mutability },
        { """{"op":"replace","path":"nosuch.attr","value":"x"}""", 400, ScimErrorType.InvalidPath },
        { """{"op":"replace","path":"emails[type eq","value":"x"}""", 400, ScimErrorType.InvalidPath },
        { """{"op":"remove"}""", 400, ScimErrorType.NoTarget },
        { """{"op":"jump","path":"title","value":"x"}""", 400, ScimErrorType.InvalidSyntax },
        { """{"op":"replace","path":"active","value":"maybe"}""", 400, ScimErrorType.InvalidValue },
        { """{"op":"remove","path":"name.givenName"}""", 400, ScimErrorType.InvalidValue },
        { """{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"CLOSED"}""", 400, ScimErrorType.InvalidValue },
        { """{"op":"replace","path":"timezone","value":"Nowhere/Land"}""", 400, ScimErrorType.InvalidValue },
    };

    [Theory]
    [MemberData(nameof(BadPatches))]
    public async Task Patch_BadOperation_ScimErrorAndAllOrNothing(string operation, int status, string scimType)
    {
        using var t = await CreateAsync(fixture.System);
        var user = await t.CreateUserAsync(NewUser());

        // A valid change first: all-or-nothing means it must not survive the bad operation after it.
        var body = $$"""{"schemas":["{{ScimConstants.PatchOpSchema}}"],"Operations":[{"op":"replace","path":"title","value":"Partial"},{{operation}}]}""";
        using var response = await t.Scim.PatchAsync($"Users/{user["id"]}", new StringContent(body, Encoding.UTF8, ScimConstants.MediaType));

        await AssertErrorAsync(response, (HttpStatusCode)status, scimType);
        await AssertUnchangedAsync(t, user);
    }

    [Fact]
    public async Task UnknownId_EveryRoute_404()
    {
        using var t = await CreateAsync(fixture.System);
        var id = Guid.NewGuid().ToString();
        using var get = await t.Scim.GetAsync($"Users/{id}");
        await AssertErrorAsync(get, HttpStatusCode.NotFound);
        using var put = await t.Scim.PutAsync($"Users/{id}", Json(NewUser()));
        await AssertErrorAsync(put, HttpStatusCode.NotFound);
        using var patch = await t.Scim.PatchAsync($"Users/{id}", Patch(Op("replace", "title", JsonValue.Create("x"))));
        await AssertErrorAsync(patch, HttpStatusCode.NotFound);
        using var delete = await t.Scim.DeleteAsync($"Users/{id}");
        await AssertErrorAsync(delete, HttpStatusCode.NotFound);
        using var odd = await t.Scim.GetAsync("Users/..%2F..%2Fadmin");
        await AssertErrorAsync(odd, HttpStatusCode.NotFound);
        await AssertNoUsersAsync(t);
    }

    private static async Task AssertNoUsersAsync(ScimTestTenant t)
    {
        using var list = await t.Scim.GetAsync("Users");
        Assert.Equal(0, (await ReadAsync(list))["totalResults"]!.GetValue<int>());
    }

    private static async Task AssertUnchangedAsync(ScimTestTenant t, JsonObject before)
    {
        var after = await t.GetUserAsync(before["id"]!.GetValue<string>());
        Assert.Equal(before["meta"]!["version"]!.GetValue<string>(), after["meta"]!["version"]!.GetValue<string>());
        Assert.Equal(before["userName"]!.GetValue<string>(), after["userName"]!.GetValue<string>());
        Assert.Equal(before["title"]?.ToJsonString(), after["title"]?.ToJsonString());
    }
}

public sealed class UserErrorTestsOnSqlite(SqliteSystemFixture fixture) : UserErrorTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class UserErrorTestsOnPostgres(PostgresSystemFixture fixture) : UserErrorTests(fixture), IClassFixture<PostgresSystemFixture>;
