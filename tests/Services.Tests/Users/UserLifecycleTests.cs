using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Users.Api.Domain;

namespace Microservices.Services.Tests.Users;

public abstract class UserLifecycleTests(SystemFixture fixture)
{
    private UsersClient Client(string? tenant = null) => new(fixture.System, tenant ?? UsersClient.NewTenant());

    [Fact]
    public async Task Writes_AnswerExactlyWhatAReadReturns()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        var created = await users.CreateAsync(UsersClient.Sample("answer") with
        {
            Title = "Fire Warden",
            Emails = [new EmailWrite("answer@example.com", "work", true), new EmailWrite("a@home.example", "home", false)],
            Attributes = JsonDocument.Parse("""{"nickName":"A"}""").RootElement,
        });
        await AssertSameAsReadAsync(users, created);

        // The user changes; then only the person (the title's picklist spelling is kept); then the unit projection,
        // by a snapshot with a version, which the answer must show as the projection then stands.
        await AssertSameAsReadAsync(users, await users.ReplaceAsync(created.Id, UsersClient.ToWrite(created) with { FamilyName = "Changed", Active = false }));
        await AssertSameAsReadAsync(users, await users.ReplaceAsync(created.Id, UsersClient.ToWrite((await users.GetAsync(created.Id))!) with { Title = "FIRE WARDEN" }));
        var renamed = await users.ReplaceAsync(created.Id, UsersClient.ToWrite((await users.GetAsync(created.Id))!) with
        {
            DefaultUnit = new UnitSnapshot("unit-1", "OU-1-NEW", "Head Office (renamed)", true, 7),
        });
        Assert.Equal(("OU-1-NEW", "Head Office (renamed)"), (renamed.Department, renamed.DefaultUnit.Name));
        await AssertSameAsReadAsync(users, renamed);
    }

    private static async Task AssertSameAsReadAsync(UsersClient users, UserRecord written)
    {
        var read = (await users.GetAsync(written.Id))!;
        Assert.Equal(read.Emails, written.Emails);
        Assert.Equal(read.Roles, written.Roles);
        Assert.Equal(read, written with { Emails = read.Emails, Roles = read.Roles });
    }

    [Fact]
    public async Task Read_WithPersonFalse_LeavesThePersonOutOfGetAndList()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        var created = await users.CreateAsync(UsersClient.Sample("shape"));

        var full = await users.Http.GetFromJsonAsync<UserRecord>($"/internal/users/{created.Id}", UsersClient.Json);
        var bare = await users.Http.GetFromJsonAsync<UserRecord>($"/internal/users/{created.Id}?person=false", UsersClient.Json);
        var page = await users.Http.GetFromJsonAsync<UserList>("/internal/users?person=FALSE", UsersClient.Json);
        using var bad = await users.Http.GetAsync($"/internal/users/{created.Id}?person=maybe");

        Assert.Equal(created.Person, full!.Person);
        Assert.Null(bare!.Person);
        Assert.Equal(full with { Person = null }, bare with { Emails = full.Emails, Roles = full.Roles });
        Assert.Equal(full.Emails, bare.Emails);
        Assert.Null(Assert.Single(page!.Items).Person);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Create_FullUser_StoresUserAndPersonWithEveryFieldMapped()
    {
        using var users = Client();
        var attributes = JsonDocument.Parse("""{"nickName":"Ada","addresses":[{"type":"work","locality":"London"}],"x509Certificates":[]}""").RootElement;
        var write = UsersClient.Sample("ada.lovelace") with
        {
            MiddleName = "Augusta",
            HonorificPrefix = "Lady",
            HonorificSuffix = "FRS",
            FormattedName = "Lady Ada Augusta Lovelace FRS",
            Emails = [new EmailWrite("ada@example.com", "work", true), new EmailWrite("ada@home.example", "home", false)],
            Email = "ada@example.com",
            AccessType = "agoOnly",
            IsManager = true,
            Title = "Analyst",
            EmployeeNumber = "E-17",
            WorkPhone = "+44 20 0000 0001",
            MobilePhone = "+44 7700 900001",
            Attributes = attributes,
        };

        using var response = await users.PostAsync(write);
        await UsersClient.ExpectAsync(response, HttpStatusCode.Created);
        var created = (await response.Content.ReadFromJsonAsync<UserRecord>(UsersClient.Json))!;

        Assert.Equal($"/internal/users/{created.Id}", response.Headers.Location?.ToString());
        Assert.Equal("W/\"1\"", response.Headers.ETag?.ToString());
        Assert.True(Guid.TryParse(created.Id, out _));
        Assert.Equal(("ada.lovelace", "ext-ada.lovelace", "Ada Lovelace", "Ada", "Lovelace", "Augusta"), (created.UserName, created.ExternalId, created.DisplayName, created.GivenName, created.FamilyName, created.MiddleName));
        Assert.Equal(("Lady", "FRS", "Lady Ada Augusta Lovelace FRS"), (created.HonorificPrefix, created.HonorificSuffix, created.FormattedName));
        Assert.Equal(["ada@example.com", "ada@home.example"], created.Emails.Select(e => e.Value));
        Assert.Equal([true, false], created.Emails.Select(e => e.Primary));
        Assert.Equal(("agoOnly", true, "Employee", "Analyst", "E-17"), (created.AccessType, created.IsManager, created.UserType, created.Title, created.EmployeeNumber));
        Assert.Equal(("en-GB", "en-GB", "Europe/London", "DD/MM/YYYY"), (created.PreferredLanguage, created.Locale, created.TimeZone, created.DateFormat));
        Assert.Equal(new UnitRecord("unit-1", "OU-1", "Head Office", true), created.DefaultUnit);
        Assert.Equal("OU-1", created.Department);
        Assert.Equal(attributes.GetRawText(), created.Attributes?.Json);
        Assert.Equal((1L, false, true), (created.Version, created.Deleted, created.Active));
        Assert.Empty(created.Roles);
        Assert.Equal(created.Created, created.LastModified);

        var person = created.Person!;
        Assert.True(Guid.TryParse(person.Id, out _));
        Assert.NotEqual(created.Id, person.Id);
        Assert.Equal(("Ada", "Lovelace", "ada@example.com", "Analyst", "unit-1", true), (person.Forename, person.Surname, person.Email, person.JobTitle, person.DefaultUnitId, person.Current));
        Assert.Equal(("E-17", "+44 20 0000 0001", "+44 7700 900001", 1L), (person.Reference, person.WorkPhone, person.MobilePhone, person.Version));

        var fetched = await users.GetAsync(created.Id);
        Assert.NotNull(fetched);
        Assert.Equal(JsonSerializer.Serialize(created, UsersClient.Json), JsonSerializer.Serialize(fetched, UsersClient.Json));
    }

    [Fact]
    public async Task Create_PersonReference_FallsBackToEmployeeNumberThenUserName()
    {
        using var users = Client();

        var explicitReference = await users.CreateAsync(UsersClient.Sample("ref.a") with { PersonReference = "P-1", EmployeeNumber = "E-1" });
        var fromEmployee = await users.CreateAsync(UsersClient.Sample("ref.b") with { EmployeeNumber = "E-2" });
        var fromUserName = await users.CreateAsync(UsersClient.Sample("ref.c"));

        Assert.Equal(["P-1", "E-2", "ref.c"], new[] { explicitReference, fromEmployee, fromUserName }.Select(u => u.Person!.Reference));
    }

    [Fact]
    public async Task Create_JobTitles_AddedToPicklistOnceCaseInsensitively()
    {
        using var users = Client();

        var first = await users.CreateAsync(UsersClient.Sample("jt.1") with { Title = "Safety Officer" });
        var second = await users.CreateAsync(UsersClient.Sample("jt.2") with { Title = "SAFETY officer" });
        await users.CreateAsync(UsersClient.Sample("jt.3") with { Title = "analyst" });
        await users.CreateAsync(UsersClient.Sample("jt.4"));

        var titles = await users.Http.GetFromJsonAsync<JobTitleList>("/internal/job-titles", UsersClient.Json);
        Assert.Equal(["analyst", "Safety Officer"], titles!.Items.Select(t => t.Title));
        Assert.Equal("SAFETY officer", second.Title);
        Assert.Equal("Safety Officer", second.Person!.JobTitle);
        Assert.Equal("Safety Officer", first.Person!.JobTitle);
    }

    [Fact]
    public async Task Get_UnknownId_Is404Problem()
    {
        using var users = Client();

        using var response = await users.Http.GetAsync("/internal/users/" + Guid.NewGuid());

        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Replace_EveryPersonField_PersonFollowsInSameWrite()
    {
        using var users = Client();
        var created = await users.CreateAsync(UsersClient.Sample("follow.me") with { Title = "Clerk" });

        var changed = UsersClient.Sample("follow.me", "Grace", "Hopper") with
        {
            Email = "grace@example.com",
            Emails = [new EmailWrite("grace@example.com", "work", true)],
            Title = "Rear Admiral",
            DefaultUnit = new UnitSnapshot("unit-2", "OU-2", "Navy", true, null),
            Active = false,
            EmployeeNumber = "N-1",
            WorkPhone = "1",
            MobilePhone = "2",
        };
        var replaced = await users.ReplaceAsync(created.Id, changed);

        Assert.Equal((created.Id, 2L), (replaced.Id, replaced.Version));
        Assert.Equal(("Grace", "Hopper", false, "OU-2", "unit-2"), (replaced.GivenName, replaced.FamilyName, replaced.Active, replaced.Department, replaced.DefaultUnit.Id));
        var person = replaced.Person!;
        Assert.Equal(created.Person!.Id, person.Id);
        Assert.Equal(("Grace", "Hopper", "grace@example.com", "Rear Admiral", "unit-2", false), (person.Forename, person.Surname, person.Email, person.JobTitle, person.DefaultUnitId, person.Current));
        Assert.Equal(("N-1", "1", "2", 2L), (person.Reference, person.WorkPhone, person.MobilePhone, person.Version));
        Assert.True(replaced.LastModified >= created.LastModified);
        Assert.Equal(created.Created, replaced.Created);
        Assert.Equal(["grace@example.com"], replaced.Emails.Select(e => e.Value));

        var titles = await users.Http.GetFromJsonAsync<JobTitleList>("/internal/job-titles", UsersClient.Json);
        Assert.Equal(["Clerk", "Rear Admiral"], titles!.Items.Select(t => t.Title));
    }

    [Fact]
    public async Task Replace_SameContent_KeepsVersion()
    {
        using var users = Client();
        var write = UsersClient.Sample("no.op") with { Attributes = JsonDocument.Parse("""{"nickName":"x"}""").RootElement };
        var created = await users.CreateAsync(write);

        var replaced = await users.ReplaceAsync(created.Id, write);
        var renamed = await users.ReplaceAsync(created.Id, write with { DisplayName = "Someone Else" });

        Assert.Equal(1L, replaced.Version);
        Assert.Equal(created.LastModified, replaced.LastModified);
        Assert.Equal(2L, renamed.Version);
        Assert.Equal(1L, renamed.Person!.Version);
    }

    [Fact]
    public async Task Replace_StaleIfMatch_Is412AndChangesNothing()
    {
        using var users = Client();
        var created = await users.CreateAsync(UsersClient.Sample("etag.user"));
        var v2 = await users.ReplaceAsync(created.Id, UsersClient.Sample("etag.user") with { Title = "New Title" }, "W/\"1\"");

        using var stale = await users.PutAsync(created.Id, UsersClient.Sample("etag.user") with { DisplayName = "Lost" }, "W/\"1\"");
        var problem = await UsersClient.ProblemAsync(stale, HttpStatusCode.PreconditionFailed);
        var bare = await users.ReplaceAsync(created.Id, UsersClient.Sample("etag.user") with { Title = "New Title", DisplayName = "Bare" }, "\"2\"");
        using var garbage = await users.PutAsync(created.Id, UsersClient.Sample("etag.user"), "W/\"abc\"");

        Assert.Equal(2L, v2.Version);
        Assert.Equal("If-Match", problem.GetProperty("field").GetString());
        Assert.Equal((3L, "Bare"), (bare.Version, bare.DisplayName));
        await UsersClient.ProblemAsync(garbage, HttpStatusCode.PreconditionFailed);
        var titles = await users.Http.GetFromJsonAsync<JobTitleList>("/internal/job-titles", UsersClient.Json);
        Assert.Equal(["New Title"], titles!.Items.Select(t => t.Title));
        Assert.Equal("Bare", (await users.GetAsync(created.Id))!.DisplayName);
    }

    [Fact]
    public async Task Replace_UnknownUser_Is404AndAddsNoJobTitle()
    {
        using var users = Client();

        using var response = await users.PutAsync(Guid.NewGuid().ToString(), UsersClient.Sample("ghost") with { Title = "Phantom" });

        await UsersClient.ProblemAsync(response, HttpStatusCode.NotFound);
        var titles = await users.Http.GetFromJsonAsync<JobTitleList>("/internal/job-titles", UsersClient.Json);
        Assert.Empty(titles!.Items);
    }

    [Fact]
    public async Task Create_DuplicateUserNameAnyCase_Is409Uniqueness()
    {
        using var users = Client();
        await users.CreateAsync(UsersClient.Sample("Dup.User"));

        using var response = await users.PostAsync(UsersClient.Sample("dup.USER"));

        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("uniqueness", problem.GetProperty("scimType").GetString());
        Assert.Equal("userName", problem.GetProperty("field").GetString());
        Assert.Equal(1, (await users.ListAsync()).List.TotalResults);
    }

    [Fact]
    public async Task Replace_RenameOntoTakenUserName_Is409ButCaseChangeOfOwnNameIsAllowed()
    {
        using var users = Client();
        await users.CreateAsync(UsersClient.Sample("taken.name"));
        var other = await users.CreateAsync(UsersClient.Sample("other.name"));

        using var clash = await users.PutAsync(other.Id, UsersClient.Sample("TAKEN.name"));
        var recased = await users.ReplaceAsync(other.Id, UsersClient.Sample("Other.Name"));

        var problem = await UsersClient.ProblemAsync(clash, HttpStatusCode.Conflict);
        Assert.Equal("uniqueness", problem.GetProperty("scimType").GetString());
        Assert.Equal("Other.Name", recased.UserName);
    }

    [Fact]
    public async Task Delete_ThenPostSameUserName_RevivesSameUserAndPerson()
    {
        using var users = Client();
        var created = await users.CreateAsync(UsersClient.Sample("phoenix") with { Title = "Before" });

        using var deleted = await users.Http.DeleteAsync("/internal/users/" + created.Id);
        using var again = await users.Http.DeleteAsync("/internal/users/" + created.Id);
        var gone = await users.GetAsync(created.Id);
        using var putGone = await users.PutAsync(created.Id, UsersClient.Sample("phoenix"));
        var listed = await users.ListAsync();
        var missing = (await (await users.Http.PostAsJsonAsync("/internal/users/exists", new ExistsRequest([created.Id]))).Content.ReadFromJsonAsync<ExistsResponse>(UsersClient.Json))!.Missing;

        var revived = await users.CreateAsync(UsersClient.Sample("PHOENIX", "Risen", "Again") with { Title = "After" });

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Null(gone);
        Assert.Equal(HttpStatusCode.NotFound, putGone.StatusCode);
        Assert.Equal(0, listed.List.TotalResults);
        Assert.Equal([created.Id], missing);
        Assert.Equal((created.Id, created.Person!.Id), (revived.Id, revived.Person!.Id));
        Assert.Equal(("PHOENIX", "Risen", true, false), (revived.UserName, revived.GivenName, revived.Active, revived.Deleted));
        Assert.Equal(3L, revived.Version);
        Assert.Equal(("Risen", "Again", "After", true, 3L), (revived.Person!.Forename, revived.Person!.Surname, revived.Person!.JobTitle, revived.Person!.Current, revived.Person!.Version));
        Assert.Equal(created.Created, revived.Created);
        Assert.Equal(1, (await users.ListAsync()).List.TotalResults);
    }

    [Fact]
    public async Task Delete_StaleIfMatch_Is412UnderTheLockAndDeletesNothing()
    {
        using var users = Client();
        var created = await users.CreateAsync(UsersClient.Sample("delete.etag"));
        await users.ReplaceAsync(created.Id, UsersClient.Sample("delete.etag") with { Title = "Moved on" });

        using var stale = new HttpRequestMessage(HttpMethod.Delete, "/internal/users/" + created.Id);
        stale.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");
        using var staleResponse = await users.Http.SendAsync(stale);
        var problem = await UsersClient.ProblemAsync(staleResponse, HttpStatusCode.PreconditionFailed);
        var kept = await users.GetAsync(created.Id);
        var listed = await users.ListAsync();

        using var current = new HttpRequestMessage(HttpMethod.Delete, "/internal/users/" + created.Id);
        current.Headers.TryAddWithoutValidation("If-Match", "W/\"1\", \"2\"");
        using var currentResponse = await users.Http.SendAsync(current);

        Assert.Equal("If-Match", problem.GetProperty("field").GetString());
        Assert.NotNull(kept);
        Assert.Equal((2L, false, true, true), (kept.Version, kept.Deleted, kept.Active, kept.Person!.Current));
        Assert.Equal(1, listed.List.TotalResults);
        Assert.Equal(HttpStatusCode.NoContent, currentResponse.StatusCode);
        Assert.Null(await users.GetAsync(created.Id));
        Assert.Equal(0, (await users.ListAsync()).List.TotalResults);
    }

    [Fact]
    public async Task Delete_LeavesRecordsNotCurrent_AndFreesUserNameForRename()
    {
        using var users = Client();
        var first = await users.CreateAsync(UsersClient.Sample("free.me"));
        var second = await users.CreateAsync(UsersClient.Sample("holder"));
        using (var delete = await users.Http.DeleteAsync("/internal/users/" + first.Id))
        {
            await UsersClient.ExpectAsync(delete, HttpStatusCode.NoContent);
        }

        var renamed = await users.ReplaceAsync(second.Id, UsersClient.Sample("free.me"));

        Assert.Equal("free.me", renamed.UserName);
        Assert.Equal(second.Id, renamed.Id);
    }

    [Fact]
    public async Task TenantIsolation_OtherTenantsUser_Is404OnEveryRouteAndUserNameIsPerTenant()
    {
        using var owner = Client();
        using var stranger = Client();
        var user = await owner.CreateAsync(UsersClient.Sample("shared.name") with { Title = "Owner Title" });

        var get = await stranger.GetAsync(user.Id);
        using var put = await stranger.PutAsync(user.Id, UsersClient.Sample("shared.name"));
        using var delete = await stranger.Http.DeleteAsync("/internal/users/" + user.Id);
        var exists = await (await stranger.Http.PostAsJsonAsync("/internal/users/exists", new ExistsRequest([user.Id]))).Content.ReadFromJsonAsync<ExistsResponse>(UsersClient.Json);
        var listed = await stranger.ListAsync();
        var filtered = await stranger.MatchAsync($"id eq \"{user.Id}\"");
        var titles = await stranger.Http.GetFromJsonAsync<JobTitleList>("/internal/job-titles", UsersClient.Json);
        var twin = await stranger.CreateAsync(UsersClient.Sample("shared.name"));

        Assert.Null(get);
        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal([user.Id], exists!.Missing);
        Assert.Equal(0, listed.List.TotalResults);
        Assert.Empty(filtered);
        Assert.Empty(titles!.Items);
        Assert.NotEqual(user.Id, twin.Id);
        Assert.NotNull(await owner.GetAsync(user.Id));
    }

    [Fact]
    public async Task MissingTenantHeader_Is400()
    {
        using var client = fixture.System.InternalClient("users");

        using var response = await client.GetAsync("/internal/users");

        await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Exists_MixOfLiveDeletedUnknownAndDuplicates_ReturnsMissingOnceInOrder()
    {
        using var users = Client();
        var live = await users.CreateAsync(UsersClient.Sample("live.one"));
        var dead = await users.CreateAsync(UsersClient.Sample("dead.one"));
        (await users.Http.DeleteAsync("/internal/users/" + dead.Id)).Dispose();
        var many = Enumerable.Range(0, 1500).Select(i => $"unknown-{i}").ToList();

        using var response = await users.Http.PostAsJsonAsync("/internal/users/exists", new ExistsRequest([dead.Id, live.Id, "nope", live.Id, "nope", .. many]));

        await UsersClient.ExpectAsync(response, HttpStatusCode.OK);
        var result = (await response.Content.ReadFromJsonAsync<ExistsResponse>(UsersClient.Json))!;
        Assert.Equal([dead.Id, "nope", .. many], result.Missing);
    }

    [Fact]
    public async Task OrgUnitProjection_UnversionedSnapshotsReplaceEachOther_VersionedFactWinsOverOlderOrUnversioned()
    {
        using var users = Client();
        var a = await users.CreateAsync(UsersClient.Sample("unit.a") with { DefaultUnit = new UnitSnapshot("u-9", "OLD-KEY", "Depot", true, null) });

        var b = await users.CreateAsync(UsersClient.Sample("unit.b") with { DefaultUnit = new UnitSnapshot("u-9", "NEW-KEY", "Depot", true, null) });
        var afterRekey = await users.GetAsync(a.Id);
        var c = await users.CreateAsync(UsersClient.Sample("unit.c") with { DefaultUnit = new UnitSnapshot("u-9", "V5-KEY", "Depot 5", false, 5) });
        var d = await users.CreateAsync(UsersClient.Sample("unit.d") with { DefaultUnit = new UnitSnapshot("u-9", "STALE", "Depot", true, null) });
        var e = await users.CreateAsync(UsersClient.Sample("unit.e") with { DefaultUnit = new UnitSnapshot("u-9", "V4-KEY", "Depot 4", true, 4) });
        var f = await users.CreateAsync(UsersClient.Sample("unit.f") with { DefaultUnit = new UnitSnapshot("u-9", "V6-KEY", "Depot 6", true, 6) });

        Assert.Equal("OLD-KEY", a.Department);
        Assert.Equal("NEW-KEY", b.Department);
        Assert.Equal("NEW-KEY", afterRekey!.Department);
        Assert.Equal(new UnitRecord("u-9", "V5-KEY", "Depot 5", false), c.DefaultUnit);
        Assert.Equal("V5-KEY", d.Department);
        Assert.Equal("V5-KEY", e.Department);
        Assert.Equal("V6-KEY", f.Department);
        Assert.Equal("V6-KEY", (await users.GetAsync(a.Id))!.Department);
        Assert.Equal(["unit.a", "unit.b", "unit.c", "unit.d", "unit.e", "unit.f"], await users.MatchAsync("department eq \"v6-key\""));
    }
}

public sealed class UserLifecycleTestsOnSqlite(SqliteSystemFixture fixture) : UserLifecycleTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class UserLifecycleTestsOnPostgres(PostgresSystemFixture fixture) : UserLifecycleTests(fixture), IClassFixture<PostgresSystemFixture>;
