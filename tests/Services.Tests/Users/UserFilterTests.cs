using System.Globalization;
using System.Net;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Users.Api.Domain;

namespace Microservices.Services.Tests.Users;

public abstract class UserFilterTests(SystemFixture fixture)
{
    /// <summary>Five users whose fields tell each operator's matches apart (each test seeds its own tenant).</summary>
    private async Task<UsersClient> SeedAsync()
    {
        var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        var unit2 = new UnitSnapshot("unit-2", "OU-Two", "Branch", true, null);
        await users.SeedAsync(
        [
            UsersClient.Sample("alice", "Alice", "Smith") with
            {
                ExternalId = "EXT-A",
                Title = "Engineer",
                DisplayName = "Alice Smith",
                Emails = [new EmailWrite("alice@corp.com", "work", true), new EmailWrite("alice@home.net", "home", false)],
            },
            UsersClient.Sample("Bob", "Bob", "Jones") with
            {
                ExternalId = "ext-a",
                Active = false,
                IsManager = true,
                DisplayName = "Bob Jones",
                Emails = [new EmailWrite("bob@corp.com", "work", false)],
                DefaultUnit = unit2,
            },
            UsersClient.Sample("carol", "Carol", "Smith-Jones") with
            {
                ExternalId = "Carol-1",
                Title = "engineer lead",
                UserType = "Contractor",
                DisplayName = "100% legit_name",
                Emails = [new EmailWrite("carol@CORP.com", "Work", true)],
            },
            UsersClient.Sample("dave", "Dave", "Doe") with
            {
                ExternalId = null,
                Locale = null,
                AccessType = "agoOnly",
                DisplayName = "100X legitXname",
                Emails = [],
                Email = null,
                DefaultUnit = unit2,
            },
            UsersClient.Sample("Élodie", "Élodie", "Dupont") with
            {
                ExternalId = "élodie-ext",
                DisplayName = "Élodie Dupont",
                Emails = [new EmailWrite("ÉLODIE@Corp.fr", null, false)],
            },
        ]);
        return users;
    }

    [Theory]
    [InlineData("userName eq \"ALICE\"", "alice")]
    [InlineData("userName eq \"bob\"", "Bob")]
    [InlineData("userName eq \"ÉLODIE\"", "Élodie")]
    [InlineData("givenName eq \"éLODIE\"", "Élodie")]
    [InlineData("externalId eq \"EXT-A\"", "alice")]
    [InlineData("externalId eq \"ext-a\"", "Bob")]
    [InlineData("externalId eq \"Ext-A\"", "")]
    [InlineData("title eq \"ENGINEER\"", "alice")]
    [InlineData("department eq \"ou-two\"", "Bob,dave")]
    [InlineData("defaultUnitId eq \"unit-2\"", "Bob,dave")]
    [InlineData("defaultUnitId eq \"UNIT-2\"", "")]
    [InlineData("accessType eq \"agoonly\"", "dave")]
    [InlineData("locale eq null", "dave")]
    [InlineData("email eq \"BOB@example.com\"", "Bob")]
    public async Task Filter_Eq_HonoursCaseExactness(string filter, string expected) =>
        await ExpectAsync(filter, expected);

    [Theory]
    [InlineData("title ne \"engineer\"", "Bob,carol,dave,Élodie")]
    [InlineData("externalId ne \"EXT-A\"", "Bob,carol,dave,Élodie")]
    [InlineData("locale ne null", "alice,Bob,carol,Élodie")]
    [InlineData("userType ne \"employee\"", "carol")]
    public async Task Filter_Ne_IncludesUsersWithoutTheAttribute(string filter, string expected) =>
        await ExpectAsync(filter, expected);

    [Theory]
    [InlineData("displayName co \"0% legit_\"", "carol")]
    [InlineData("displayName co \"%\"", "carol")]
    [InlineData("displayName co \"_\"", "carol")]
    [InlineData("displayName sw \"100% \"", "carol")]
    [InlineData("displayName ew \"t_name\"", "carol")]
    [InlineData("displayName co \"\\\\\"", "")]
    [InlineData("displayName co \"SMITH\"", "alice")]
    [InlineData("familyName co \"jones\"", "Bob,carol")]
    [InlineData("userName sw \"AL\"", "alice")]
    [InlineData("userName ew \"DIE\"", "Élodie")]
    [InlineData("externalId co \"XT-\"", "alice")]
    [InlineData("externalId sw \"ext\"", "Bob")]
    [InlineData("externalId ew \"-A\"", "alice")]
    [InlineData("externalId co \"*\"", "")]
    [InlineData("externalId sw \"?\"", "")]
    [InlineData("externalId co \"[a-z]\"", "")]
    public async Task Filter_SubstringOperators_EscapeWildcardsAndHonourCase(string filter, string expected) =>
        await ExpectAsync(filter, expected);

    [Theory]
    [InlineData("familyName gt \"L\"", "alice,carol")]
    [InlineData("familyName ge \"smith\"", "alice,carol")]
    [InlineData("familyName lt \"JONES\"", "dave,Élodie")]
    [InlineData("familyName le \"jones\"", "Bob,dave,Élodie")]
    [InlineData("externalId lt \"F\"", "alice,carol")]
    public async Task Filter_Ordering_ComparesStringsLexically(string filter, string expected) =>
        await ExpectAsync(filter, expected);

    [Theory]
    [InlineData("title pr", "alice,carol")]
    [InlineData("externalId pr", "alice,Bob,carol,Élodie")]
    [InlineData("emails pr", "alice,Bob,carol,Élodie")]
    [InlineData("emails.type pr", "alice,Bob,carol")]
    [InlineData("active pr", "alice,Bob,carol,dave,Élodie")]
    [InlineData("department pr", "alice,Bob,carol,dave,Élodie")]
    public async Task Filter_Present_MatchesAssignedValuesOnly(string filter, string expected) =>
        await ExpectAsync(filter, expected);

    [Theory]
    [InlineData("active eq false", "Bob")]
    [InlineData("active eq true", "alice,carol,dave,Élodie")]
    [InlineData("active ne true", "Bob")]
    [InlineData("isManager eq true", "Bob")]
    [InlineData("isManager eq TRUE and active eq False", "Bob")]
    public async Task Filter_Booleans_CompareAsBooleans(string filter, string expected) =>
        await ExpectAsync(filter, expected);

    [Theory]
    [InlineData("emails.value eq \"ALICE@corp.com\"", "alice")]
    [InlineData("emails.value eq \"alice@home.net\"", "alice")]
    [InlineData("emails eq \"carol@corp.com\"", "carol")]
    [InlineData("emails.value ew \"@corp.com\"", "alice,Bob,carol")]
    [InlineData("emails.value co \"élodie\"", "Élodie")]
    [InlineData("emails.type eq \"WORK\"", "alice,Bob,carol")]
    [InlineData("emails.primary eq true", "alice,carol")]
    [InlineData("emails[type eq \"work\" and value co \"corp\"]", "alice,Bob,carol")]
    [InlineData("emails[type eq \"home\" and value co \"corp\"]", "")]
    [InlineData("emails[type eq \"home\"] and emails[value co \"corp\"]", "alice")]
    [InlineData("emails[primary eq true and type eq \"work\"]", "alice,carol")]
    [InlineData("emails[not (type eq \"work\")]", "alice,Élodie")]
    [InlineData("not (emails pr)", "dave")]
    public async Task Filter_Emails_MatchAnyValueAndValuePathsMatchOneValue(string filter, string expected) =>
        await ExpectAsync(filter, expected);

    [Theory]
    [InlineData("userName eq \"alice\" or userName eq \"bob\"", "alice,Bob")]
    [InlineData("title pr and active eq true", "alice,carol")]
    [InlineData("familyName co \"smith\" and not (title eq \"engineer\")", "carol")]
    [InlineData("not (title eq \"engineer\")", "Bob,carol,dave,Élodie")]
    [InlineData("not (title eq \"engineer\" or title pr)", "Bob,dave,Élodie")]
    [InlineData("(userName eq \"dave\" or isManager eq true) and department eq \"OU-two\"", "Bob,dave")]
    [InlineData("userName eq \"alice\" or (userName eq \"carol\" and title co \"lead\") or userName eq \"nobody\"", "alice,carol")]
    [InlineData("not (not (active eq false))", "Bob")]
    public async Task Filter_LogicalOperators_Combine(string filter, string expected) =>
        await ExpectAsync(filter, expected);

    [Fact]
    public async Task Filter_Dates_CompareAsInstantsInAnyOffset()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        var first = await users.CreateAsync(UsersClient.Sample("early"));
        await Task.Delay(20);
        var second = await users.CreateAsync(UsersClient.Sample("late"));
        var firstText = first.Created.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);
        var firstInPlusTwo = new DateTimeOffset(first.Created).ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-ddTHH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);
        var between = first.Created.AddTicks((second.Created - first.Created).Ticks / 2).ToString("O", CultureInfo.InvariantCulture);

        Assert.Equal(["late"], await users.MatchAsync($"created gt \"{firstText}\""));
        Assert.Equal(["early", "late"], await users.MatchAsync($"created ge \"{firstText}\""));
        Assert.Equal(["early"], await users.MatchAsync($"created eq \"{firstInPlusTwo}\""));
        Assert.Equal(["late"], await users.MatchAsync($"created ne \"{firstInPlusTwo}\""));
        Assert.Equal(["early"], await users.MatchAsync($"lastModified lt \"{between}\""));
        Assert.Equal(["early"], await users.MatchAsync($"lastModified le \"{firstText}\""));
        Assert.Equal(["late"], await users.MatchAsync($"created gt \"{between}\" and lastModified pr"));
    }

    [Theory]
    [InlineData("nickName eq \"x\"", "nickName")]
    [InlineData("name.givenName eq \"x\"", "name.givenName")]
    [InlineData("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"x\"", "urn:ietf:params:scim:schemas:core:2.0:User:userName")]
    [InlineData("emails.display eq \"x\"", "emails.display")]
    [InlineData("emails[display eq \"x\"]", "display")]
    [InlineData("title[value eq \"x\"]", "title")]
    [InlineData("userName eq \"a\" and unknownThing pr", "unknownThing")]
    public async Task Filter_UnknownAttribute_Is400InvalidFilterNamingIt(string filter, string field)
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());

        await ExpectInvalidFilterAsync(users, filter, field);
    }

    [Theory]
    [InlineData("active gt 3", "active")]
    [InlineData("active gt true", "active")]
    [InlineData("active eq \"true\"", "active")]
    [InlineData("active co true", "active")]
    [InlineData("userName eq 5", "userName")]
    [InlineData("userName eq true", "userName")]
    [InlineData("userName gt null", "userName")]
    [InlineData("created eq \"yesterday\"", "created")]
    [InlineData("created eq 20240101", "created")]
    [InlineData("created co \"2024\"", "created")]
    [InlineData("emails.primary sw \"t\"", "emails.primary")]
    public async Task Filter_TypeMismatch_Is400InvalidFilterNamingTheAttribute(string filter, string field)
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());

        await ExpectInvalidFilterAsync(users, filter, field);
    }

    [Theory]
    [InlineData("userName eq")]
    [InlineData("userName xx \"a\"")]
    [InlineData("(userName eq \"a\"")]
    [InlineData("userName eq \"a\" and")]
    public async Task Filter_Malformed_Is400InvalidFilter(string filter)
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());

        await ExpectInvalidFilterAsync(users, filter, "filter");
    }

    private async Task ExpectAsync(string filter, string expected)
    {
        using var users = await SeedAsync();
        var matched = await users.MatchAsync(filter);
        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal), matched);
    }

    private static async Task ExpectInvalidFilterAsync(UsersClient users, string filter, string field)
    {
        using var response = await users.Http.GetAsync("/internal/users?filter=" + Uri.EscapeDataString(filter));
        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalidFilter", problem.GetProperty("scimType").GetString());
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }
}

public sealed class UserFilterTestsOnSqlite(SqliteSystemFixture fixture) : UserFilterTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class UserFilterTestsOnPostgres(PostgresSystemFixture fixture) : UserFilterTests(fixture), IClassFixture<PostgresSystemFixture>;
