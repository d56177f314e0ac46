using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Microservices.Services.Tests.Edge;

public abstract class TenantAdminTests(EdgeSystemFixture fixture)
{
    private readonly HttpClient _admin = fixture.System.AdminClient();

    [Fact]
    public async Task CreateTenant_ValidBody_Returns201AndCanBeReadBack()
    {
        var id = EdgeTestApi.NewTenantId();

        using var created = await _admin.PostAsJsonAsync("tenants", new { id, displayName = "  Acme Ltd ", defaultLanguage = "en-gb", timeZone = "America/Argentina/Buenos_Aires" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/admin/v1/tenants/{id}", created.Headers.Location?.OriginalString);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, body.GetProperty("id").GetString());
        Assert.Equal("Acme Ltd", body.GetProperty("displayName").GetString());
        Assert.Equal("en-GB", body.GetProperty("defaultLanguage").GetString());
        Assert.Equal("America/Argentina/Buenos_Aires", body.GetProperty("timeZone").GetString());
        Assert.Equal("DD/MM/YYYY", body.GetProperty("dateFormat").GetString());
        Assert.True(body.GetProperty("created").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(-1));

        var read = await _admin.GetFromJsonAsync<JsonElement>($"tenants/{id}");
        Assert.Equal(body.GetRawText(), read.GetRawText());
    }

    [Theory]
    [InlineData("DD/MM/YYYY")]
    [InlineData("MM/DD/YYYY")]
    [InlineData("YYYY-MM-DD")]
    public async Task CreateTenant_DateFormat_IsKept(string dateFormat)
    {
        var id = EdgeTestApi.NewTenantId();

        using var created = await _admin.PostAsJsonAsync("tenants", EdgeTestApi.TenantBody(id, dateFormat));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var read = await _admin.GetFromJsonAsync<JsonElement>($"tenants/{id}");
        Assert.Equal(dateFormat, read.GetProperty("dateFormat").GetString());
    }

    [Theory]
    [InlineData("en", "en")]
    [InlineData("EN-gb", "en-GB")]
    [InlineData("zh-hant-tw", "zh-Hant-TW")]
    [InlineData("es-419", "es-419")]
    [InlineData("de-CH-1901", "de-CH-1901")]
    [InlineData("sr-Latn-RS", "sr-Latn-RS")]
    [InlineData("en-GB-x-Assure", "en-GB-x-assure")]
    public async Task CreateTenant_LanguageTag_IsAcceptedInCanonicalCase(string tag, string stored)
    {
        var id = EdgeTestApi.NewTenantId();

        using var created = await _admin.PostAsJsonAsync("tenants", new { id, displayName = "T", defaultLanguage = tag, timeZone = "UTC" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var read = await _admin.GetFromJsonAsync<JsonElement>($"tenants/{id}");
        Assert.Equal(stored, read.GetProperty("defaultLanguage").GetString());
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("Asia/Kolkata")]
    [InlineData("Etc/GMT+5")]
    [InlineData("Australia/Sydney")]
    public async Task CreateTenant_IanaTimeZone_IsAccepted(string timeZone)
    {
        var id = EdgeTestApi.NewTenantId();

        using var created = await _admin.PostAsJsonAsync("tenants", new { id, displayName = "T", defaultLanguage = "en", timeZone });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(timeZone, (await _admin.GetFromJsonAsync<JsonElement>($"tenants/{id}")).GetProperty("timeZone").GetString());
    }

    [Theory]
    [InlineData("id", "\"A-upper\"")]
    [InlineData("id", "\"1starts-with-digit\"")]
    [InlineData("id", "\"a\"")]
    [InlineData("id", "\"under_score\"")]
    [InlineData("id", "\"a1234567890123456789012345678901234567890123456789012345678901234\"")]
    [InlineData("id", "null")]
    [InlineData("displayName", "\"\"")]
    [InlineData("displayName", "\"   \"")]
    [InlineData("displayName", "\"tab\\there\"")]
    [InlineData("displayName", "null")]
    [InlineData("defaultLanguage", "\"*\"")]
    [InlineData("defaultLanguage", "\"en_GB\"")]
    [InlineData("defaultLanguage", "\"english!\"")]
    [InlineData("defaultLanguage", "\"en-\"")]
    [InlineData("defaultLanguage", "\"en-GB\\n\"")]
    [InlineData("defaultLanguage", "\"\"")]
    [InlineData("timeZone", "\"Mars/Olympus_Mons\"")]
    [InlineData("timeZone", "\"GMT Standard Time\"")]
    [InlineData("timeZone", "\"../../etc/passwd\"")]
    [InlineData("timeZone", "\"europe/london\"")]
    [InlineData("timeZone", "\"EUROPE/LONDON\"")]
    [InlineData("timeZone", "\"right/Europe/London\"")]
    [InlineData("timeZone", "\"\"")]
    [InlineData("dateFormat", "\"dd/mm/yyyy\"")]
    [InlineData("dateFormat", "\"YYYY/MM/DD\"")]
    [InlineData("displayName", "42")]
    [InlineData("timeZone", "[\"UTC\"]")]
    public async Task CreateTenant_InvalidField_Returns400NamingItAndStoresNothing(string field, string json)
    {
        var id = EdgeTestApi.NewTenantId();
        var fields = new Dictionary<string, string>
        {
            ["id"] = $"\"{id}\"",
            ["displayName"] = "\"Valid\"",
            ["defaultLanguage"] = "\"en\"",
            ["timeZone"] = "\"Europe/London\"",
            ["dateFormat"] = "\"DD/MM/YYYY\"",
        };
        fields[field] = json;
        var body = "{" + string.Join(',', fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";

        using var response = await _admin.PostAsync("tenants", new StringContent(body, Encoding.UTF8, "application/json"));

        await EdgeTestApi.AssertValidationProblemAsync(response, field);
        using var read = await _admin.GetAsync($"tenants/{id}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task CreateTenant_EmptyObject_NamesEveryRequiredField()
    {
        using var response = await _admin.PostAsync("tenants", new StringContent("{}", Encoding.UTF8, "application/json"));

        await EdgeTestApi.AssertValidationProblemAsync(response, "id", "displayName", "defaultLanguage", "timeZone");
    }

    [Theory]
    [InlineData("{\"id\": \"broken\",")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task CreateTenant_UnreadableBody_Returns400Problem(string body)
    {
        using var response = await _admin.PostAsync("tenants", new StringContent(body, Encoding.UTF8, "application/json"));

        await EdgeTestApi.AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreateTenant_DuplicateId_Returns409AndKeepsTheFirst()
    {
        var id = await EdgeTestApi.CreateTenantAsync(_admin);

        using var duplicate = await _admin.PostAsJsonAsync("tenants", new { id, displayName = "Second", defaultLanguage = "fr", timeZone = "Europe/Paris" });

        await EdgeTestApi.AssertProblemAsync(duplicate, HttpStatusCode.Conflict);
        var read = await _admin.GetFromJsonAsync<JsonElement>($"tenants/{id}");
        Assert.Equal("Tenant " + id, read.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task GetTenant_Unknown_Returns404Problem()
    {
        using var response = await _admin.GetAsync($"tenants/{EdgeTestApi.NewTenantId()}");

        await EdgeTestApi.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ListTenants_ContainsCreatedTenantsInIdOrder()
    {
        var first = await EdgeTestApi.CreateTenantAsync(_admin, "a-" + Guid.NewGuid().ToString("N"));
        var second = await EdgeTestApi.CreateTenantAsync(_admin, "b-" + Guid.NewGuid().ToString("N"));

        var list = await _admin.GetFromJsonAsync<JsonElement>("tenants");

        var ids = list.EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToList();
        Assert.Contains(first, ids);
        Assert.Contains(second, ids);
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-admin-token-0123456789")]
    [InlineData("Bearer")]
    [InlineData("Basic dGVzdDp0ZXN0")]
    [InlineData(Infrastructure.RunningSystem.AdminToken)]
    public async Task AdminRoutes_WithoutTheAdminToken_Return401(string? authorization)
    {
        using var client = new HttpClient { BaseAddress = new Uri(fixture.System.EdgeUrl, "/admin/v1/") };
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        string[] routes = ["tenants", $"tenants/{tenant}", $"tenants/{tenant}/api-keys", $"tenants/{tenant}/orgunits", "no-such-route"];

        foreach (var route in routes)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, route);
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await client.SendAsync(request);

            await EdgeTestApi.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }

    [Fact]
    public async Task CreateTenant_WithoutTheAdminToken_StoresNothing()
    {
        var id = EdgeTestApi.NewTenantId();
        using var client = new HttpClient { BaseAddress = new Uri(fixture.System.EdgeUrl, "/admin/v1/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-admin-token-0123456789");

        using var response = await client.PostAsJsonAsync("tenants", EdgeTestApi.TenantBody(id));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var read = await _admin.GetAsync($"tenants/{id}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task AdminToken_SchemeInAnyCase_IsAccepted()
    {
        using var client = new HttpClient { BaseAddress = new Uri(fixture.System.EdgeUrl, "/admin/v1/") };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + Infrastructure.RunningSystem.AdminToken);

        using var response = await client.GetAsync("tenants");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public sealed class TenantAdminTestsOnSqlite(SqliteEdgeFixture fixture) : TenantAdminTests(fixture), IClassFixture<SqliteEdgeFixture>;

public sealed class TenantAdminTestsOnPostgres(PostgresEdgeFixture fixture) : TenantAdminTests(fixture), IClassFixture<PostgresEdgeFixture>;
