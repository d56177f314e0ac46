using System.Net;
using System.Net.Http.Json;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Users.Api.Domain;

namespace Microservices.Services.Tests.Users;

public abstract class UserConcurrencyTests(SystemFixture fixture)
{
    private const int Writers = 8;

    [Fact]
    public async Task Replace_ParallelPutsWithSameIfMatch_ExactlyOneWins()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        var created = await users.CreateAsync(UsersClient.Sample("contended"));

        var responses = await Task.WhenAll(Enumerable.Range(0, Writers).Select(i =>
            users.PutAsync(created.Id, UsersClient.Sample("contended") with { DisplayName = $"writer {i}" }, "W/\"1\"")));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.Single(statuses, HttpStatusCode.OK);
        Assert.Equal(Writers - 1, statuses.Count(s => s == HttpStatusCode.PreconditionFailed));
        var winner = (await responses.Single(r => r.StatusCode == HttpStatusCode.OK).Content.ReadFromJsonAsync<UserRecord>(UsersClient.Json))!;
        var stored = await users.GetAsync(created.Id);
        Assert.Equal((2L, winner.DisplayName), (stored!.Version, stored.DisplayName));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Replace_ParallelPutsWithoutIfMatch_EachAppliesWholeInTurn()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        var created = await users.CreateAsync(UsersClient.Sample("last.writer"));

        var responses = await Task.WhenAll(Enumerable.Range(0, Writers).Select(i =>
            users.PutAsync(created.Id, UsersClient.Sample("last.writer") with { DisplayName = $"writer {i}", Title = $"title {i}", EmployeeNumber = $"emp {i}" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var versions = new List<long>();
        foreach (var response in responses)
        {
            versions.Add((await response.Content.ReadFromJsonAsync<UserRecord>(UsersClient.Json))!.Version);
            response.Dispose();
        }

        var final = (await users.GetAsync(created.Id))!;
        var writer = final.DisplayName!["writer ".Length..];
        Assert.Equal(($"title {writer}", $"emp {writer}", $"title {writer}", $"emp {writer}"), (final.Title, final.EmployeeNumber, final.Person!.JobTitle, final.Person!.Reference));
        Assert.Equal(Enumerable.Range(2, Writers).Select(v => (long)v), versions.Order());
        Assert.Equal(1L + Writers, final.Version);
    }

    [Fact]
    public async Task Replace_ParallelReadModifyWriteWithRetry_LosesNoUpdate()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        var created = await users.CreateAsync(UsersClient.Sample("rmw.user"));
        Func<UserWrite, UserWrite>[] changes =
        [
            w => w with { DisplayName = "changed display" },
            w => w with { Title = "changed title" },
            w => w with { MiddleName = "changed middle" },
            w => w with { EmployeeNumber = "changed employee" },
            w => w with { WorkPhone = "changed work" },
            w => w with { MobilePhone = "changed mobile" },
            w => w with { Locale = "fr-FR" },
            w => w with { IsManager = true },
        ];

        var attempts = await Task.WhenAll(changes.Select(async change =>
        {
            // The edge's PATCH: read, apply, write back conditionally; a 412 means someone else won, so read again.
            for (var attempt = 1; ; attempt++)
            {
                var current = (await users.GetAsync(created.Id))!;
                using var response = await users.PutAsync(created.Id, change(UsersClient.ToWrite(current)), $"W/\"{current.Version}\"");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return attempt;
                }

                await UsersClient.ExpectAsync(response, HttpStatusCode.PreconditionFailed);
            }
        }));

        var final = (await users.GetAsync(created.Id))!;
        Assert.Equal(("changed display", "changed title", "changed middle", "changed employee"), (final.DisplayName, final.Title, final.MiddleName, final.EmployeeNumber));
        Assert.Equal(("changed work", "changed mobile", "fr-FR", true), (final.WorkPhone, final.MobilePhone, final.Locale, final.IsManager));
        Assert.Equal(1L + changes.Length, final.Version);
        Assert.Equal(("changed title", "changed employee", "changed work", "changed mobile"), (final.Person!.JobTitle, final.Person!.Reference, final.Person!.WorkPhone, final.Person!.MobilePhone));
        Assert.All(attempts, a => Assert.InRange(a, 1, 1000));
    }

    [Fact]
    public async Task Create_ParallelSameUserNameInAnyCase_ExactlyOneCreated()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        string[] spellings = ["race", "RACE", "Race", "rAce", "raCe", "racE", "RAce", "raCE"];

        var responses = await Task.WhenAll(spellings.Select(name => users.PostAsync(UsersClient.Sample(name))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(spellings.Length - 1, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, (await users.ListAsync()).List.TotalResults);
        Assert.Single(await users.MatchAsync("userName eq \"RACE\""));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task ParallelCreatesAndDeletes_KeepTheTenantCounterExact()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        var first = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => users.CreateAsync(UsersClient.Sample($"count-{i}") with { Title = $"Title {i % 3}" })));

        await Task.WhenAll(
            Task.WhenAll(first.Take(10).Select(u => users.Http.DeleteAsync("/internal/users/" + u.Id))),
            Task.WhenAll(Enumerable.Range(30, 20).Select(i => users.CreateAsync(UsersClient.Sample($"count-{i}")))));

        var unfiltered = (await users.ListAsync("?count=0")).List.TotalResults;
        var counted = (await users.ListAsync("?count=0&filter=" + Uri.EscapeDataString("userName sw \"count-\""))).List.TotalResults;
        Assert.Equal(40, unfiltered);
        Assert.Equal(40, counted);
        var titles = await users.Http.GetFromJsonAsync<JobTitleList>("/internal/job-titles", UsersClient.Json);
        Assert.Equal(["Title 0", "Title 1", "Title 2"], titles!.Items.Select(t => t.Title));
    }
}

public sealed class UserConcurrencyTestsOnSqlite(SqliteSystemFixture fixture) : UserConcurrencyTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class UserConcurrencyTestsOnPostgres(PostgresSystemFixture fixture) : UserConcurrencyTests(fixture), IClassFixture<PostgresSystemFixture>;
