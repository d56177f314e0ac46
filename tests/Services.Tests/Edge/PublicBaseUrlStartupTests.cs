using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microservices.ScimEdge.Api;
using Microservices.ScimEdge.Api.Scim;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Microservices.Services.Tests.Edge;

/// <summary>
/// Start-up with a missing or unusable <c>Scim:PublicBaseUrl</c>: refused with a message naming the key, except in
/// Development, where the edge starts with the loopback default and serves it.
/// </summary>
public abstract class PublicBaseUrlStartupTests(StoreEngine engine)
{
    public static TheoryData<string?> Unusable => new()
    {
        null,
        "",
        "   ",
        "scim.uk.sheassure.net/v1/scim",
        "/v1/scim",
        "ftp://scim.uk.sheassure.net/v1/scim",
        "https://scim.uk.sheassure.net/v1/scim?tenant=x",
        "https://user:secret@scim.uk.sheassure.net/v1/scim",
    };

    [Theory]
    [MemberData(nameof(Unusable))]
    public async Task Start_OutsideDevelopmentWithoutAUsablePublicBaseUrl_RefusesNamingTheKey(string? url)
    {
        await using var stores = TestStores.Create(engine);
        var settings = await SettingsAsync(stores, url);

        var refused = Assert.Throws<InvalidOperationException>(() => ScimEdgeApp.Build(["--environment=Production"], b => Configure(b, settings)));

        Assert.Contains(ScimSettings.PublicBaseUrlKey, refused.Message, StringComparison.Ordinal);
        Assert.Contains("Scim__PublicBaseUrl", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InDevelopmentWithoutPublicBaseUrl_StartsAndLinksToTheLoopbackDefault()
    {
        await using var stores = TestStores.Create(engine);
        var settings = await SettingsAsync(stores, null);
        await using var app = ScimEdgeApp.Build(["--environment=Development"], b => Configure(b, settings));
        await app.StartAsync();
        try
        {
            var url = new Uri(app.Urls.First());
            using var admin = new HttpClient { BaseAddress = new Uri(url, "/admin/v1/") };
            admin.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + RunningSystem.AdminToken);
            var tenant = await EdgeTestApi.CreateTenantAsync(admin);
            var (_, key) = await EdgeTestApi.CreateKeyAsync(admin, tenant);
            using var scim = new HttpClient { BaseAddress = new Uri(url, "/v1/scim/") };
            scim.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + key);

            using var response = await scim.GetAsync("ResourceTypes/User");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(ScimSettings.DevelopmentPublicBaseUrl + "/ResourceTypes/User", body.GetProperty("meta").GetProperty("location").GetString());
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static async Task<Dictionary<string, string?>> SettingsAsync(TestStores stores, string? publicBaseUrl)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Store:Engine"] = stores.EngineName,
            ["Store:ConnectionString"] = await stores.CreateAsync(ScimEdgeApp.ServiceName),
            ["SCIM_ADMIN_TOKEN"] = RunningSystem.AdminToken,
            ["Services:Mode"] = "direct",
            ["Services:InternalToken"] = RunningSystem.InternalToken,
            ["Services:OrgUnits:BaseUrl"] = "http://127.0.0.1:9/",
            ["Services:Users:BaseUrl"] = "http://127.0.0.1:9/",
            ["Services:Roles:BaseUrl"] = "http://127.0.0.1:9/",
        };
        if (publicBaseUrl is not null)
        {
            settings[ScimSettings.PublicBaseUrlKey] = publicBaseUrl;
        }

        return settings;
    }

    private static void Configure(WebApplicationBuilder builder, Dictionary<string, string?> settings)
    {
        // An environment variable of the machine running the tests must not supply the value under test.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [ScimSettings.PublicBaseUrlKey] = null });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
    }
}

public sealed class PublicBaseUrlStartupTestsOnSqlite() : PublicBaseUrlStartupTests(StoreEngine.Sqlite);

public sealed class PublicBaseUrlStartupTestsOnPostgres() : PublicBaseUrlStartupTests(StoreEngine.Postgres);
