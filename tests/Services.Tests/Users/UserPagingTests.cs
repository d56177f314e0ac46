using System.Net;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Users.Api.Domain;

namespace Microservices.Services.Tests.Users;

public abstract class UserPagingTests(SystemFixture fixture)
{
    private const int PageSize = 7;

    private static IEnumerable<UserWrite> People(string prefix, int count) => Enumerable.Range(0, count).Select(i =>
        UsersClient.Sample($"{prefix}-{(i * 37) % count:D3}", $"Given{i % 5}", $"Family{i % 4}") with
        {
            Title = i % 3 == 0 ? null : $"Title {i % 6}",
            Active = i % 4 != 0,
            IsManager = i % 2 == 0,
        });

    [Fact]
    public async Task List_Unfiltered_TotalResultsExactThroughCreateDeleteReviveAndBatch()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        var created = new List<UserRecord>();
        for (var i = 0; i < 7; i++)
        {
            created.Add(await users.CreateAsync(UsersClient.Sample($"total-{i}")));
        }

        (await users.Http.DeleteAsync("/internal/users/" + created[0].Id)).Dispose();
        (await users.Http.DeleteAsync("/internal/users/" + created[1].Id)).Dispose();
        (await users.Http.DeleteAsync("/internal/users/" + created[1].Id)).Dispose();
        await users.CreateAsync(UsersClient.Sample("total-1"));
        (await users.PostAsync(UsersClient.Sample("TOTAL-2"))).Dispose();
        await users.SeedAsync(People("bulk", 5));

        var (list, _) = await users.ListAsync();
        var (counted, _) = await users.ListAsync("?filter=" + Uri.EscapeDataString("active pr"));

        Assert.Equal(11, list.TotalResults);
        Assert.Equal(11, list.Items.Count);
        Assert.Equal(11, counted.TotalResults);
        Assert.DoesNotContain(list.Items, u => u.Id == created[0].Id);
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("userName", "ascending", null)]
    [InlineData("userName", "descending", null)]
    [InlineData("title", "ascending", null)]
    [InlineData("title", "descending", "isManager eq true")]
    [InlineData("familyName", "descending", null)]
    [InlineData("active", "ascending", "title pr or active eq false")]
    [InlineData("created", "descending", null)]
    [InlineData("id", "ascending", "emails.value co \"page-0\"")]
    [InlineData("emails", "ascending", null)]
    public async Task List_ForwardPaging_KeysetContinuationGivesTheSamePagesAsOffset(string? sortBy, string? sortOrder, string? filter)
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        await users.SeedAsync(People("page", 40));
        for (var i = 0; i < 5; i++)
        {
            await users.CreateAsync(UsersClient.Sample($"page-late-{i}") with { Title = i % 2 == 0 ? null : "Late" });
        }

        var query = (sortBy is null ? "" : $"&sortBy={sortBy}") + (sortOrder is null ? "" : $"&sortOrder={sortOrder}")
            + (filter is null ? "" : "&filter=" + Uri.EscapeDataString(filter));
        var total = (await users.ListAsync("?count=0" + query)).List.TotalResults;
        var starts = Enumerable.Range(0, (int)((total + PageSize - 1) / PageSize)).Select(p => 1 + (p * PageSize)).ToList();

        // Backwards first: no page has been served before the one asked for, so every page is found by OFFSET.
        var byOffset = new Dictionary<int, string[]>();
        foreach (var start in Enumerable.Reverse(starts))
        {
            var (page, strategy) = await users.ListAsync($"?startIndex={start}&count={PageSize}{query}");
            Assert.Equal("offset", strategy);
            byOffset[start] = [.. page.Items.Select(u => u.Id)];
        }

        var forward = new List<string>();
        foreach (var start in starts)
        {
            var (page, strategy) = await users.ListAsync($"?startIndex={start}&count={PageSize}{query}");
            Assert.Equal(start == 1 ? "offset" : "keyset", strategy);
            Assert.Equal((total, start), (page.TotalResults, page.StartIndex));
            Assert.Equal(byOffset[start], page.Items.Select(u => u.Id));
            forward.AddRange(page.Items.Select(u => u.Id));
        }

        var everything = (await users.ListAsync($"?count=1000{query}")).List.Items.Select(u => u.Id);
        Assert.Equal(everything, forward);
        Assert.Equal(total, forward.Distinct().Count());
    }

    [Fact]
    public async Task List_SortByUserName_FollowsCaseInsensitiveOrderAndNullsSortLast()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        await users.SeedAsync(
        [
            UsersClient.Sample("bravo") with { Title = "b" },
            UsersClient.Sample("Alpha"),
            UsersClient.Sample("charlie") with { Title = "A" },
            UsersClient.Sample("ALPHA2") with { Title = "c" },
        ]);

        var byName = (await users.ListAsync("?sortBy=userName")).List.Items.Select(u => u.UserName);
        var byNameDown = (await users.ListAsync("?sortBy=USERNAME&sortOrder=DESCENDING")).List.Items.Select(u => u.UserName);
        var byTitle = (await users.ListAsync("?sortBy=title")).List.Items.Select(u => u.UserName);
        var byTitleDown = (await users.ListAsync("?sortBy=title&sortOrder=descending")).List.Items.Select(u => u.UserName);

        Assert.Equal(["Alpha", "ALPHA2", "bravo", "charlie"], byName);
        Assert.Equal(["charlie", "bravo", "ALPHA2", "Alpha"], byNameDown);
        Assert.Equal(["charlie", "bravo", "ALPHA2", "Alpha"], byTitle);
        Assert.Equal(["Alpha", "ALPHA2", "bravo", "charlie"], byTitleDown);
    }

    [Theory]
    [InlineData("userName")]
    [InlineData(null)]
    public async Task List_ConcurrentInsertsWhilePaging_NoExistingUserDuplicatedOrSkipped(string? sortBy)
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        await users.SeedAsync(Enumerable.Range(0, 50).Select(i => UsersClient.Sample($"m-{i:D3}")));
        var sort = sortBy is null ? "" : "&sortBy=" + sortBy;

        var seen = new List<string>();
        var inserted = 0;
        for (var start = 1; ; start += 10)
        {
            var (page, _) = await users.ListAsync($"?startIndex={start}&count=10{sort}");
            seen.AddRange(page.Items.Select(u => u.UserName));
            if (page.Items.Count < 10)
            {
                break;
            }

            // Rows that sort before, inside and after the position reached: an OFFSET walk would repeat a row for each
            // one inserted before it; continuing from the last row seen does not.
            foreach (var name in new[] { "m-000a", $"m-{start + 14:D3}a", "m-999" }.Select(n => $"{n}-{inserted++}"))
            {
                await users.CreateAsync(UsersClient.Sample(name));
            }
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        var original = Enumerable.Range(0, 50).Select(i => $"m-{i:D3}").ToList();
        var seenOriginal = seen.Where(original.Contains).ToList();
        Assert.Equal(original, sortBy is null ? seenOriginal.Order(StringComparer.Ordinal) : seenOriginal);
    }

    [Fact]
    public async Task List_PagingEdges_FollowRfc7644()
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());
        await users.SeedAsync(People("edge", 5));

        var zeroStart = (await users.ListAsync("?startIndex=0&count=2")).List;
        var countOnly = (await users.ListAsync("?count=0")).List;
        var negative = (await users.ListAsync("?count=-4")).List;
        var beyond = (await users.ListAsync("?startIndex=99")).List;
        var hugeStart = (await users.ListAsync("?startIndex=99999999999")).List;
        var tail = (await users.ListAsync("?startIndex=4&count=10")).List;

        Assert.Equal((5L, 1, 2), (zeroStart.TotalResults, zeroStart.StartIndex, zeroStart.Items.Count));
        Assert.Equal((5L, 0), (countOnly.TotalResults, countOnly.Items.Count));
        Assert.Empty(negative.Items);
        Assert.Equal((5L, 0), (beyond.TotalResults, beyond.Items.Count));
        Assert.Empty(hugeStart.Items);
        Assert.Equal(2, tail.Items.Count);
    }

    [Theory]
    [InlineData("?sortOrder=sideways", "sortOrder")]
    [InlineData("?sortBy=nickName", "sortBy")]
    [InlineData("?startIndex=first", "startIndex")]
    [InlineData("?count=1.5", "count")]
    public async Task List_BadPagingParameters_Are400NamingTheParameter(string query, string field)
    {
        using var users = new UsersClient(fixture.System, UsersClient.NewTenant());

        using var response = await users.Http.GetAsync("/internal/users" + query);

        var problem = await UsersClient.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal("invalidValue", problem.GetProperty("scimType").GetString());
    }
}

public sealed class UserPagingTestsOnSqlite(SqliteSystemFixture fixture) : UserPagingTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class UserPagingTestsOnPostgres(PostgresSystemFixture fixture) : UserPagingTests(fixture), IClassFixture<PostgresSystemFixture>;
