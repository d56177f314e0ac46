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
