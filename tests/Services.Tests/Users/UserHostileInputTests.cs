using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Users.Api.Domain;

namespace Microservices.Services.Tests.Users;

public abstract class UserHostileInputTests(SystemFixture fixture)
{
    private static readonly string _validJson = JsonSerializer.Serialize(UsersClient.Sample("valid.user"), UsersClient.Json);

    private UsersClient Client() => new(fixture.System, UsersClient.NewTenant());

    [Theory]
    [InlineData("{", "invalidSyntax")]
    [InlineData("", "invalidSyntax")]
    [InlineData("null", "invalidSyntax")]
    [InlineData("[]", "invalidSyntax")]
    [InlineData("\"user\"", "invalidSyntax")]
    [InlineData("{\"userName\": 42}", "invalidSyntax")]
    [InlineData("{\"active\": \"yes\"}", "invalidSyntax")]
    [InlineData("{\"emails\": {\"value\": \"x\"}}", "invalidSyntax")]
    [InlineData("{\"userName\": \"a\",}", "invalidSyntax")]
    [InlineData("{\"userName\": \"\\ud800\"}", "invalidSyntax")]
    [InlineData("{}", "invalidValue")]
    public async Task Create_MalformedBody_Is400Problem(string body, string scimType)
    {
        using var users = Client();

        using var response = await users.SendRawAsync(HttpMethod.Post, "/internal/users", body);

        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(scimType, problem.GetProperty("scimType").GetString());
    }

    [Theory]
    [InlineData("userName")]
    [InlineData("givenName")]
    [InlineData("familyName")]
    [InlineData("defaultUnit")]
    [InlineData("accessType")]
    [InlineData("active")]
    [InlineData("isManager")]
    [InlineData("preferredLanguage")]
    [InlineData("timeZone")]
    [InlineData("dateFormat")]
    public async Task Create_MissingRequiredField_Is400NamingIt(string field)
    {
        using var users = Client();
        var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(_validJson)!;
        body.Remove(field);

        using var response = await users.SendRawAsync(HttpMethod.Post, "/internal/users", JsonSerializer.Serialize(body));

        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal((field, "invalidValue"), (problem.GetProperty("field").GetString(), problem.GetProperty("scimType").GetString()));
    }

    public static TheoryData<string, string> BadFields() => new()
    {
        { "userName", new string('u', 257) },
        { "userName", "tab\tname" },
        { "userName", " padded" },
        { "givenName", new string('g', 1_000_000) },
        { "familyName", "nul\0byte" },
        { "displayName", new string('d', 513) },
        { "title", new string('t', 257) },
        { "accessType", "admin" },
        { "email", new string('e', 321) },
        { "externalId", new string('x', 5_000) },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Create_BadFieldValue_Is400NamingTheField(string field, string value)
    {
        using var users = Client();
        var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(_validJson)!;
        body[field] = JsonSerializer.SerializeToElement(value);

        using var response = await users.SendRawAsync(HttpMethod.Post, "/internal/users", JsonSerializer.Serialize(body));

        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(0, (await users.ListAsync()).List.TotalResults);
    }

    [Fact]
    public async Task Create_TenThousandEmails_Is400NamingEmails()
    {
        using var users = Client();
        var write = UsersClient.Sample("spammer") with
        {
            Emails = [.. Enumerable.Range(0, 10_000).Select(i => new EmailWrite($"spam{i}@example.com", "work", false))],
        };

        using var response = await users.PostAsync(write);

        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("emails", problem.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("[{\"value\":\"a@x\",\"primary\":true},{\"value\":\"b@x\",\"primary\":true}]", "emails")]
    [InlineData("[{\"type\":\"work\"}]", "emails[0].value")]
    [InlineData("[null]", "emails[0]")]
    public async Task Create_BadEmails_Is400NamingTheEntry(string emails, string field)
    {
        using var users = Client();
        var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(_validJson)!;
        body["emails"] = JsonDocument.Parse(emails).RootElement;

        using var response = await users.SendRawAsync(HttpMethod.Post, "/internal/users", JsonSerializer.Serialize(body));

        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    public async Task Create_AttributesNotAnObject_Is400(string attributes)
    {
        using var users = Client();
        var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(_validJson)!;
        body["attributes"] = JsonDocument.Parse(attributes).RootElement;

        using var response = await users.SendRawAsync(HttpMethod.Post, "/internal/users", JsonSerializer.Serialize(body));

        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("attributes", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Create_OversizedOrTooDeepAttributes_Is400()
    {
        using var users = Client();
        var big = _validJson[..^1] + ",\"attributes\":{\"blob\":\"" + new string('b', 70_000) + "\"}}";
        var deep = _validJson[..^1] + ",\"attributes\":" + string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200) + "}";

        using var bigResponse = await users.SendRawAsync(HttpMethod.Post, "/internal/users", big);
        using var deepResponse = await users.SendRawAsync(HttpMethod.Post, "/internal/users", deep);

        Assert.Equal("attributes", (await UsersClient.ProblemAsync(bigResponse, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        await UsersClient.ProblemAsync(deepResponse, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Create_BodyLargerThanTheServerLimit_IsRefusedAndWritesNothing()
    {
        using var users = Client();
        var huge = _validJson[..^1] + ",\"displayName\":\"" + new string('d', 40 * 1024 * 1024) + "\"}";

        // Kestrel answers 413 and closes the connection, so a client still sending may see the reset instead.
        try
        {
            using var response = await users.SendRawAsync(HttpMethod.Post, "/internal/users", huge);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }
        catch (HttpRequestException)
        {
        }

        using var fresh = new UsersClient(fixture.System, users.Tenant);
        Assert.Equal(0, (await fresh.ListAsync()).List.TotalResults);
    }

    [Fact]
    public async Task Create_WrongContentType_Is415()
    {
        using var users = Client();

        using var response = await users.SendRawAsync(HttpMethod.Post, "/internal/users", _validJson, "text/plain");

        await UsersClient.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Replace_InvalidBody_Is400AndChangesNothing()
    {
        using var users = Client();
        var created = await users.CreateAsync(UsersClient.Sample("stable"));

        using var response = await users.PutAsync(created.Id, UsersClient.Sample("stable") with { FamilyName = "", Title = "Should Not Exist" });

        await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(1L, (await users.GetAsync(created.Id))!.Version);
        Assert.Empty((await users.Http.GetFromJsonAsync<JobTitleList>("/internal/job-titles", UsersClient.Json))!.Items);
    }

    [Fact]
    public async Task Routes_HugeOrOddIds_Are404NotErrors()
    {
        using var users = Client();
        var longId = new string('9', 2_000);

        using var get = await users.Http.GetAsync("/internal/users/" + longId);
        using var delete = await users.Http.DeleteAsync("/internal/users/" + Uri.EscapeDataString("'; DROP TABLE users; --"));
        using var put = await users.PutAsync(Uri.EscapeDataString("%00"), UsersClient.Sample("odd"));

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
    }

    [Fact]
    public async Task List_HugeOrHostileFilter_Is400InvalidFilter()
    {
        using var users = Client();
        var longFilter = $"userName eq \"{new string('a', 5_000)}\"";
        var deep = string.Concat(Enumerable.Repeat("not (", 500)) + "active eq true" + new string(')', 500);

        using var tooLong = await users.Http.GetAsync("/internal/users?filter=" + Uri.EscapeDataString(longFilter));
        using var tooDeep = await users.Http.GetAsync("/internal/users?filter=" + Uri.EscapeDataString(deep));
        using var injection = await users.Http.GetAsync("/internal/users?filter=" + Uri.EscapeDataString("userName eq \"x\" or 1 eq 1"));

        foreach (var response in new[] { tooLong, tooDeep, injection })
        {
            Assert.Equal("invalidFilter", (await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("scimType").GetString());
        }
    }

    [Fact]
    public async Task List_FilterLiteralWithQuotesAndSql_IsJustAValue()
    {
        using var users = Client();
        await users.CreateAsync(UsersClient.Sample("o'brien") with { DisplayName = "x' OR '1'='1" });

        Assert.Equal(["o'brien"], await users.MatchAsync("userName eq \"O'BRIEN\""));
        Assert.Empty(await users.MatchAsync("displayName eq \"' OR '1'='1\""));
        Assert.Equal(["o'brien"], await users.MatchAsync("displayName eq \"x' OR '1'='1\""));
    }

    [Theory]
    [InlineData("{\"ids\": null}", "ids")]
    [InlineData("{\"ids\": [\"a\", null]}", "ids[1]")]
    [InlineData("{\"ids\": [1]}", "$.ids[0]")]
    public async Task Exists_BadIds_Is400(string body, string field)
    {
        using var users = Client();

        using var response = await users.SendRawAsync(HttpMethod.Post, "/internal/users/exists", body);

        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Exists_TooManyIds_Is400()
    {
        using var users = Client();
        var body = new StringBuilder("{\"ids\":[");
        body.AppendJoin(',', Enumerable.Range(0, 10_001).Select(i => $"\"{i}\""));
        body.Append("]}");

        using var response = await users.SendRawAsync(HttpMethod.Post, "/internal/users/exists", body.ToString());

        Assert.Equal("ids", (await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("{\"users\": null}", "users")]
    [InlineData("{\"users\": [null]}", "users[0]")]
    [InlineData("{\"users\": {}}", "$.users")]
    public async Task Batch_BadShape_Is400(string body, string field)
    {
        using var users = Client();

        using var response = await users.SendRawAsync(HttpMethod.Post, "/internal/users/batch", body);

        Assert.Equal(field, (await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
    }
}

public sealed class UserHostileInputTestsOnSqlite(SqliteSystemFixture fixture) : UserHostileInputTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class UserHostileInputTestsOnPostgres(PostgresSystemFixture fixture) : UserHostileInputTests(fixture), IClassFixture<PostgresSystemFixture>;
