using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Users.Api.Domain;
using Xunit.Abstractions;

namespace Microservices.Services.Tests.Users;

public abstract class UserBatchTests(SystemFixture fixture, ITestOutputHelper output)
{
    internal static IEnumerable<UserWrite> Generate(string prefix, int count, int from = 0) => Enumerable.Range(from, count).Select(i =>
        UsersClient.Sample($"{prefix}-{i:D7}", $"Given{i}", $"Family{i % 1000}") with
        {
            ExternalId = $"{prefix}-ext-{i}",
            Emails = [new EmailWrite($"{prefix}-{i}@corp.example", "work", true), new EmailWrite($"{prefix}-{i}@home.example", "home", false)],
            Email = $"{prefix}-{i}@corp.example",
            Title = $"{(i % 2 == 0 ? "Role" : "ROLE")} {i % 50}",
            DefaultUnit = new UnitSnapshot($"unit-{i % 20}", $"OU-{i % 20}", $"Unit {i % 20}", true, null),
            Active = i % 10 != 0,
            EmployeeNumber = i % 3 == 0 ? $"E{i}" : null,
        });

    [Fact]
    public async Task Batch_20000Users_CreatesUsersPersonsJobTitlesAndCounter()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        var batch = Generate("seed", 20_000).ToList();

        var clock = Stopwatch.StartNew();
        var created = await users.SeedAsync(batch);
        clock.Stop();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{fixture.System.Engine}: seeded {created} users in {clock.Elapsed.TotalSeconds:F2} s = {created / clock.Elapsed.TotalSeconds:F0} users/s over HTTP (JSON parse, validation, one transaction)"));

        Assert.Equal(20_000, created);
        Assert.Equal(20_000, (await users.ListAsync("?count=0")).List.TotalResults);
        Assert.Equal(18_000, (await users.ListAsync("?count=0&filter=" + Uri.EscapeDataString("active eq true"))).List.TotalResults);
        var titles = await users.Http.GetFromJsonAsync<JobTitleList>("/internal/job-titles", UsersClient.Json);
        Assert.Equal(50, titles!.Items.Count);
        Assert.Equal("Role 0", titles.Items[0].Title);

        var (found, _) = await users.ListAsync("?filter=" + Uri.EscapeDataString("emails.value eq \"SEED-12345@home.example\""));
        var user = Assert.Single(found.Items);
        Assert.Equal(("seed-0012345", "OU-5", "ROLE 45", "ROLE 45", "Given12345", "E12345"), (user.UserName, user.Department, user.Title, user.Person!.JobTitle, user.Person!.Forename, user.Person!.Reference));
        Assert.Equal(user.Person!.Current, user.Active);
        Assert.Equal(2, user.Emails.Count);
        Assert.Equal(user.Id, (await users.GetAsync(user.Id))!.Id);

        using var again = await users.PostAsync(UsersClient.Sample("SEED-0000007"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Batch_DuplicateUserNameWithinBatch_Is409NamingTheEntryAndWritesNothing()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());

        using var response = await users.Http.PostAsJsonAsync(
            "/internal/users/batch",
            new UsersBatch([UsersClient.Sample("twin") with { Title = "Batch Title" }, UsersClient.Sample("other"), UsersClient.Sample("TWIN")]),
            UsersClient.Json);

        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal(("users[2].userName", "uniqueness"), (problem.GetProperty("field").GetString(), problem.GetProperty("scimType").GetString()));
        Assert.Equal(0, (await users.ListAsync()).List.TotalResults);
        Assert.Empty((await users.Http.GetFromJsonAsync<JobTitleList>("/internal/job-titles", UsersClient.Json))!.Items);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Batch_UserNameOfExistingOrDeletedUser_Is409AndWritesNothing(bool deleted)
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        var existing = await users.CreateAsync(UsersClient.Sample("Existing"));
        if (deleted)
        {
            (await users.Http.DeleteAsync("/internal/users/" + existing.Id)).Dispose();
        }

        using var response = await users.Http.PostAsJsonAsync(
            "/internal/users/batch", new UsersBatch([UsersClient.Sample("fresh"), UsersClient.Sample("existing")]), UsersClient.Json);

        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("users[1].userName", problem.GetProperty("field").GetString());
        Assert.Equal(deleted ? 0 : 1, (await users.ListAsync()).List.TotalResults);
        Assert.Empty(await users.MatchAsync("userName eq \"fresh\""));
    }

    [Fact]
    public async Task Batch_InvalidEntry_Is400NamingItsIndexAndField()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());

        using var response = await users.Http.PostAsJsonAsync(
            "/internal/users/batch", new UsersBatch([UsersClient.Sample("ok.1"), UsersClient.Sample("ok.2"), UsersClient.Sample("bad") with { GivenName = " " }]), UsersClient.Json);

        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("users[2].givenName", problem.GetProperty("field").GetString());
        Assert.Equal(0, (await users.ListAsync()).List.TotalResults);
    }

    [Fact]
    public async Task Batch_ThenSingleWrites_KeepInvariants()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        await users.SeedAsync(Generate("mix", 30));
        var one = (await users.ListAsync("?filter=" + Uri.EscapeDataString("userName eq \"mix-0000003\""))).List.Items.Single();

        var replaced = await users.ReplaceAsync(one.Id, UsersClient.ToWrite(one) with { Title = "role 3" }, $"W/\"{one.Version}\"");
        (await users.Http.DeleteAsync("/internal/users/" + one.Id)).Dispose();
        var revived = await users.CreateAsync(UsersClient.ToWrite(one));

        Assert.Equal(("role 3", "ROLE 3", 2L), (replaced.Title, replaced.Person!.JobTitle, replaced.Version));
        Assert.Equal((one.Id, one.Person!.Id), (revived.Id, revived.Person!.Id));
        Assert.Equal(30, (await users.ListAsync("?count=0")).List.TotalResults);
    }
}

public sealed class UserBatchTestsOnSqlite(SqliteSystemFixture fixture, ITestOutputHelper output) : UserBatchTests(fixture, output), IClassFixture<SqliteSystemFixture>;

public sealed class UserBatchTestsOnPostgres(PostgresSystemFixture fixture, ITestOutputHelper output) : UserBatchTests(fixture, output), IClassFixture<PostgresSystemFixture>;
