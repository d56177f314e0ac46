using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Services.Tests.Scim;
using static Microservices.Services.Tests.Scim.ScimTestTenant;

namespace Microservices.Services.Tests.Edge;

/// <summary>The operator's read-only user routes (docs/admin-api.md "Users"), over users written through SCIM.</summary>
public abstract class UserAdminTests(SystemFixture fixture)
{
    [Fact]
    public async Task List_PagesFiltersAndSortsOverDomainFields()
    {
        using var t = await CreateAsync(fixture.System);
        var prefix = "adm" + Guid.NewGuid().ToString("N")[..8];
        var names = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var user = NewUser($"{prefix}-{i}@example.com", i == 3 ? Support : Sales);
            names.Add((await t.CreateUserAsync(user))["userName"]!.GetValue<string>());
        }

        var seen = new List<string>();
        for (var start = 1; start <= 5; start += 2)
        {
            var page = await ListAsync(t, $"?startIndex={start}&count=2");
            Assert.Equal(5, page.GetProperty("totalResults").GetInt64());
            Assert.Equal(start, page.GetProperty("startIndex").GetInt32());
            seen.AddRange(Items(page).Select(u => u.GetProperty("userName").GetString()!));
        }

        Assert.Equal(names, seen);
        Assert.Empty(Items(await ListAsync(t, "?startIndex=6&count=2")));

        var byName = await ListAsync(t, "?filter=" + Uri.EscapeDataString($"userName eq \"{names[2].ToUpperInvariant()}\""));
        Assert.Equal(1, byName.GetProperty("totalResults").GetInt64());
        var record = Items(byName).Single();
        Assert.Equal(names[2], record.GetProperty("userName").GetString());
        Assert.Equal("Ada", record.GetProperty("person").GetProperty("forename").GetString());
        Assert.False(record.GetProperty("deleted").GetBoolean());

        var inSupport = await ListAsync(t, "?filter=" + Uri.EscapeDataString($"department eq \"{Support.ToLowerInvariant()}\" and givenName sw \"A\""));
        Assert.Equal([names[3]], Items(inSupport).Select(u => u.GetProperty("userName").GetString()));

        var descending = await ListAsync(t, "?sortBy=userName&sortOrder=descending&count=3");
        Assert.Equal(names.AsEnumerable().Reverse().Take(3), Items(descending).Select(u => u.GetProperty("userName").GetString()));

        // SCIM paths are not the admin filter's vocabulary: the users service's 400 comes back as it wrote it.
        using var scimPath = await t.Admin.GetAsync($"tenants/{t.Id}/users?filter=" + Uri.EscapeDataString("name.givenName eq \"Ada\""));
        var problem = await EdgeTestApi.AssertProblemAsync(scimPath, HttpStatusCode.BadRequest);
        Assert.Equal("invalidFilter", problem.GetProperty("scimType").GetString());

        using var unknownTenant = await t.Admin.GetAsync($"tenants/{EdgeTestApi.NewTenantId()}/users");
        await EdgeTestApi.AssertProblemAsync(unknownTenant, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ScimDeletedUser_HiddenByDefault_ShownWithIncludeDeleted_StillNotFoundOverScim()
    {
        using var t = await CreateAsync(fixture.System);
        var kept = await t.CreateUserAsync(NewUser());
        var gone = await t.CreateUserAsync(NewUser());
        var goneId = gone["id"]!.GetValue<string>();
        using (var delete = await t.Scim.DeleteAsync($"Users/{goneId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using (var hidden = await t.Admin.GetAsync($"tenants/{t.Id}/users/{goneId}"))
        {
            await EdgeTestApi.AssertProblemAsync(hidden, HttpStatusCode.NotFound);
        }

        Assert.Equal(1, (await ListAsync(t, "")).GetProperty("totalResults").GetInt64());

        using (var shown = await t.Admin.GetAsync($"tenants/{t.Id}/users/{goneId}?includeDeleted=true"))
        {
            Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
            var record = await shown.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(record.GetProperty("deleted").GetBoolean());
            Assert.False(record.GetProperty("active").GetBoolean());
            Assert.False(record.GetProperty("person").GetProperty("current").GetBoolean());
            Assert.Equal(gone["userName"]!.GetValue<string>(), record.GetProperty("userName").GetString());
        }

        var all = await ListAsync(t, "?includeDeleted=TRUE");
        Assert.Equal(2, all.GetProperty("totalResults").GetInt64());
        Assert.Equal(
            new[] { (kept["id"]!.GetValue<string>(), false), (goneId, true) },
            Items(all).Select(u => (u.GetProperty("id").GetString()!, u.GetProperty("deleted").GetBoolean())).OrderBy(u => u.Item2));

        var onlyDeleted = await ListAsync(t, "?includeDeleted=true&count=1&filter=" + Uri.EscapeDataString("active eq false"));
        Assert.Equal(1, onlyDeleted.GetProperty("totalResults").GetInt64());
        Assert.Equal(goneId, Items(onlyDeleted).Single().GetProperty("id").GetString());
        Assert.Equal(1, (await ListAsync(t, "?includeDeleted=false")).GetProperty("totalResults").GetInt64());

        using (var bad = await t.Admin.GetAsync($"tenants/{t.Id}/users?includeDeleted=yes"))
        {
            var problem = await EdgeTestApi.AssertProblemAsync(bad, HttpStatusCode.BadRequest);
            Assert.Equal("includeDeleted", problem.GetProperty("field").GetString());
        }

        // SCIM is unchanged: the deleted user is 404 and no filter finds it, whatever the query says.
        using (var scim = await t.Scim.GetAsync($"Users/{goneId}?includeDeleted=true"))
        {
            await AssertErrorAsync(scim, HttpStatusCode.NotFound);
        }

        using (var scimList = await t.Scim.GetAsync($"Users?includeDeleted=true&filter={Uri.EscapeDataString($"id eq \"{goneId}\"")}"))
        {
            Assert.Equal(0, (await ReadAsync(scimList))["totalResults"]!.GetValue<int>());
        }

        using (var scimAll = await t.Scim.GetAsync("Users?includeDeleted=true"))
        {
            Assert.Equal(1, (await ReadAsync(scimAll))["totalResults"]!.GetValue<int>());
        }
    }

    private static async Task<JsonElement> ListAsync(ScimTestTenant t, string query)
    {
        using var response = await t.Admin.GetAsync($"tenants/{t.Id}/users{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<JsonElement> Items(JsonElement page) => [.. page.GetProperty("items").EnumerateArray()];
}

public sealed class UserAdminTestsOnSqlite(SqliteSystemFixture fixture) : UserAdminTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class UserAdminTestsOnPostgres(PostgresSystemFixture fixture) : UserAdminTests(fixture), IClassFixture<PostgresSystemFixture>;
