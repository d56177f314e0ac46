using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microservices.Services.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Microservices.Services.Tests.Roles;

/// <summary>
/// Large membership changes and concurrent writers. Times are written to the test output (run with
/// <c>--logger "console;verbosity=detailed"</c>), never asserted: performance belongs to benchmarks.
/// </summary>
public abstract class GroupScaleTests(SystemFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task PatchGroup_ThousandMembersInOneRequest_AllPresentAfterwards()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var group = await client.CreateGroupAsync("Thousand");
        var users = RolesApi.Users("k", 1000);
        await client.PatchGroupAsync(group.Id(), new { addMembers = RolesApi.Users("warm", 10) });

        var watch = Stopwatch.StartNew();
        var change = await client.PatchGroupAsync(group.Id(), new { addMembers = users });
        var elapsed = watch.Elapsed;

        Assert.Equal(1000, change["membersAdded"]!.GetValue<int>());
        var members = await client.MembersAsync(group.Id());
        Assert.Equal(1010, members.Length);
        Assert.Empty(users.Except(members, StringComparer.Ordinal));
        Report("PATCH adding 1,000 members", elapsed);

        watch.Restart();
        var removal = await client.PatchGroupAsync(group.Id(), new { removeMembers = users });
        Report("PATCH removing 1,000 members", watch.Elapsed);
        Assert.Equal(1000, removal["membersRemoved"]!.GetValue<int>());
        Assert.Equal(10, (await client.MembersAsync(group.Id())).Length);
    }

    [Fact]
    public async Task PatchGroup_Add100ToGroupOf50000_AllPresentAndCostIndependentOfGroupSize()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var seeded = RolesApi.Users("big", 50_000);
        var watch = Stopwatch.StartNew();
        using (var batch = await client.SendJsonAsync(HttpMethod.Post, "/internal/groups/batch", new { groups = new[] { new { displayName = "Everyone", members = seeded } } }))
        {
            await batch.JsonAsync(HttpStatusCode.OK);
        }

        Report("batch seeding 1 group of 50,000 members", watch.Elapsed);
        var list = await client.GetJsonAsync("/internal/groups?members=false&filter=" + Uri.EscapeDataString("displayName eq \"everyone\""));
        var id = Assert.Single(list["items"]!.AsArray())!.Id();
        var added = RolesApi.Users("new", 100);
        await client.PatchGroupAsync(id, new { addMembers = RolesApi.Users("warm", 5) });

        watch.Restart();
        var change = await client.PatchGroupAsync(id, new { addMembers = added });
        var addElapsed = watch.Elapsed;
        watch.Restart();
        var removal = await client.PatchGroupAsync(id, new { removeMembers = added[..50] });
        var removeElapsed = watch.Elapsed;
        watch.Restart();
        var lean = await client.GetJsonAsync($"/internal/groups/{id}?members=false");
        var leanElapsed = watch.Elapsed;

        Assert.Equal(100, change["membersAdded"]!.GetValue<int>());
        Assert.Equal(50, removal["membersRemoved"]!.GetValue<int>());
        Assert.False(lean.AsObject().ContainsKey("members"));
        var members = await client.MembersAsync(id);
        Assert.Equal(50_000 + 5 + 50, members.Length);
        Assert.Empty(added[50..].Except(members, StringComparer.Ordinal));
        Report("PATCH adding 100 to a group of 50,000", addElapsed);
        Report("PATCH removing 50 from a group of 50,100", removeElapsed);
        Report("GET members=false of a group of 50,055", leanElapsed);
    }

    [Fact]
    public async Task Batch_ThousandGroupsAndHundredThousandMemberships_SeedsAll()
    {
        using var client = fixture.Client(RolesApi.NewTenant());
        var groups = Enumerable.Range(0, 1000)
            .Select(g => new { displayName = $"Seed {g:D4}", externalId = $"oid-{g}", members = Enumerable.Range(0, 100).Select(u => $"user-{(g * 37 + u) % 5000:D5}").ToArray() })
            .ToArray();

        var watch = Stopwatch.StartNew();
        using var response = await client.SendJsonAsync(HttpMethod.Post, "/internal/groups/batch", new { groups });
        var elapsed = watch.Elapsed;

        Assert.Equal(1000, (await response.JsonAsync(HttpStatusCode.OK))["created"]!.GetValue<int>());
        Report("batch seeding 1,000 groups / 100,000 memberships", elapsed);
        watch.Restart();
        var page = await client.GetJsonAsync("/internal/groups?startIndex=901&count=100&members=false");
        Report("GET page 10 of 1,000 groups, members=false", watch.Elapsed);
        Assert.Equal(1000, page["totalResults"]!.GetValue<int>());
        Assert.Equal(100, page["items"]!.AsArray().Count);
        var one = await client.GetJsonAsync("/internal/groups?filter=" + Uri.EscapeDataString("displayName eq \"seed 0500\""));
        Assert.Equal(groups[500].members.Order(StringComparer.Ordinal), Assert.Single(one["items"]!.AsArray())!["members"].Strings());
    }

    [Fact]
    public async Task PatchGroup_ParallelMemberPatchesFromManyClients_NothingLost()
    {
        var tenant = RolesApi.NewTenant();
        using var setup = fixture.Client(tenant);
        var group = await setup.CreateGroupAsync("Contended", ["doomed-0", "doomed-1", "doomed-2", "doomed-3"]);
        const int Clients = 8;
        const int PatchesPerClient = 10;
        const int UsersPerPatch = 25;

        var watch = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, Clients).Select(async c =>
        {
            using var client = fixture.Client(tenant);
            for (var p = 0; p < PatchesPerClient; p++)
            {
                var users = Enumerable.Range(0, UsersPerPatch).Select(u => $"c{c}-p{p}-u{u}").ToArray();
                // Every client also removes the same few users and re-adds a shared one: overlapping no-ops must not lose anything.
                var body = new { addMembers = users.Append("shared").ToArray(), removeMembers = new[] { $"doomed-{(c + p) % 4}" } };
                var change = await client.PatchGroupAsync(group.Id(), body);
                Assert.True(change["membersAdded"]!.GetValue<int>() >= UsersPerPatch);
            }
        });
        await Task.WhenAll(tasks);
        Report($"{Clients * PatchesPerClient} concurrent PATCHes from {Clients} clients", watch.Elapsed);

        var members = await setup.MembersAsync(group.Id());
        var expected = Enumerable.Range(0, Clients)
            .SelectMany(c => Enumerable.Range(0, PatchesPerClient).SelectMany(p => Enumerable.Range(0, UsersPerPatch).Select(u => $"c{c}-p{p}-u{u}")))
            .Append("shared")
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, members);
        var final = await setup.GetJsonAsync($"/internal/groups/{group.Id()}?members=false");
        // One version per PATCH that changed something: each adds its own users, so every one of them did.
        Assert.Equal(1 + (Clients * PatchesPerClient), final["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task CreateGroup_SameDisplayNameFromManyClientsAtOnce_ExactlyOneWins()
    {
        var tenant = RolesApi.NewTenant();
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            using var client = fixture.Client(tenant);
            using var response = await client.SendJsonAsync(HttpMethod.Post, "/internal/groups", new { displayName = i % 2 == 0 ? "Race" : "RACE", members = new[] { $"u{i}" } });
            return response.StatusCode;
        }));

        Assert.Equal(1, results.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(5, results.Count(s => s == HttpStatusCode.Conflict));
        using var check = fixture.Client(tenant);
        Assert.Equal(1, (await check.GetJsonAsync("/internal/groups"))["totalResults"]!.GetValue<int>());
    }

    private void Report(string what, TimeSpan elapsed) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{fixture.System.Engine}] {what}: {elapsed.TotalMilliseconds:F1} ms"));
}

public sealed class GroupScaleTestsOnSqlite(SqliteSystemFixture fixture, ITestOutputHelper output) : GroupScaleTests(fixture, output), IClassFixture<SqliteSystemFixture>;

public sealed class GroupScaleTestsOnPostgres(PostgresSystemFixture fixture, ITestOutputHelper output) : GroupScaleTests(fixture, output), IClassFixture<PostgresSystemFixture>;
