using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microservices.Scim;
using Microservices.Scim.Errors;
using Microservices.ScimEdge.Api;
using Microservices.ScimEdge.Api.Clients;
using Microservices.ScimEdge.Api.Scim;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Microservices.Services.Tests.Edge;

/// <summary>
/// The edge host alone, with probe endpoints under <c>/v1/scim</c> that behave as the later /Users and /Groups
/// endpoints will (bind a JSON body, read the tenant, throw), to exercise the SCIM pipeline they plug into.
/// </summary>
public abstract class ScimPipelineFixture(StoreEngine engine) : IAsyncLifetime
{
    public const string SecretDetail = "probe-internal-detail-7f3c";

    private TestStores? _stores;
    private WebApplication? _app;

    public Uri Url { get; private set; } = null!;

    public HttpClient Admin()
    {
        var client = new HttpClient { BaseAddress = new Uri(Url, "/admin/v1/") };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + RunningSystem.AdminToken);
        return client;
    }

    public async Task InitializeAsync()
    {
        _stores = TestStores.Create(engine);
        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Store:Engine"] = _stores.EngineName,
            ["Store:ConnectionString"] = await _stores.CreateAsync(ScimEdgeApp.ServiceName),
            ["SCIM_ADMIN_TOKEN"] = RunningSystem.AdminToken,
            ["Scim:PublicBaseUrl"] = "https://scim.pipeline.example/v1/scim",
            ["Services:Mode"] = "direct",
            ["Services:InternalToken"] = RunningSystem.InternalToken,
            ["Services:OrgUnits:BaseUrl"] = "http://127.0.0.1:9/",
            ["Services:Users:BaseUrl"] = "http://127.0.0.1:9/",
            ["Services:Roles:BaseUrl"] = "http://127.0.0.1:9/",
        };
        _app = ScimEdgeApp.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        });
        _app.MapPost("/v1/scim/Probe/Echo", (JsonElement body) => TypedResults.Ok(body));
        _app.MapGet("/v1/scim/Probe/Tenant", (ScimTenant tenant, HttpContext context) =>
            TypedResults.Ok(new { tenant.Id, tenant.DefaultLanguage, tenant.TimeZone, tenant.DateFormat, accessorId = context.GetScimTenant().Id, keyId = context.GetScimApiKeyId() }));
        _app.MapGet("/v1/scim/Probe/Throw", string () => throw new InvalidOperationException(SecretDetail));
        _app.MapGet("/v1/scim/Probe/Unavailable", string () => throw new ServiceUnavailableException("users", "probe"));
        _app.MapGet("/v1/scim/Probe/Conflict", string () => throw ScimException.Uniqueness("userName is taken"));
        _app.MapGet("/v1/scim/Probe/ErrorResult", () => ScimResults.Error(412, null, "version mismatch"));
        _app.MapGet("/v1/scim/Probe/Status405", (HttpContext context) => { context.Response.StatusCode = 405; });
        await _app.StartAsync();
        Url = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_stores is not null)
        {
            await _stores.DisposeAsync();
        }
    }
}

public sealed class SqliteScimPipelineFixture() : ScimPipelineFixture(StoreEngine.Sqlite);

public sealed class PostgresScimPipelineFixture() : ScimPipelineFixture(StoreEngine.Postgres);

public abstract class ScimPipelineTests(ScimPipelineFixture fixture)
{
    private readonly HttpClient _admin = fixture.Admin();

    [Fact]
    public async Task Tenant_ComesFromTheKeyAlone_NotFromHeadersOrQuery()
    {
        var tenant = EdgeTestApi.NewTenantId();
        var other = await EdgeTestApi.CreateTenantAsync(_admin);
        using (var created = await _admin.PostAsJsonAsync("tenants", new { id = tenant, displayName = "T", defaultLanguage = "fr-CA", timeZone = "America/Toronto", dateFormat = "YYYY-MM-DD" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var (keyId, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);
        using var client = Scim(key);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"Probe/Tenant?tenant={other}&x-tenant-id={other}");
        request.Headers.Add("x-tenant-id", other);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(tenant, body.GetProperty("id").GetString());
        Assert.Equal(tenant, body.GetProperty("accessorId").GetString());
        Assert.Equal("fr-CA", body.GetProperty("defaultLanguage").GetString());
        Assert.Equal("America/Toronto", body.GetProperty("timeZone").GetString());
        Assert.Equal("YYYY-MM-DD", body.GetProperty("dateFormat").GetString());
        Assert.Equal(keyId, body.GetProperty("keyId").GetString());
    }

    [Fact]
    public async Task JsonResponse_IsServedAsScimJson()
    {
        using var client = Scim(await NewKeyAsync());

        using var response = await client.PostAsync("Probe/Echo", new StringContent("{\"userName\":\"bjensen\"}", Encoding.UTF8, ScimConstants.MediaType));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ScimConstants.MediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("bjensen", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userName").GetString());
    }

    [Theory]
    [InlineData("{\"userName\": ")]
    [InlineData("{\"userName\": \"bjensen\",}")]
    [InlineData("not json at all")]
    public async Task MalformedJsonBody_Returns400InvalidSyntax(string body)
    {
        using var client = Scim(await NewKeyAsync());

        using var response = await client.PostAsync("Probe/Echo", new StringContent(body, Encoding.UTF8, ScimConstants.MediaType));

        var error = await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(ScimErrorType.InvalidSyntax, error.GetProperty("scimType").GetString());
    }

    [Fact]
    public async Task MalformedJsonBody_WithoutAKey_Returns401First()
    {
        using var client = new HttpClient { BaseAddress = new Uri(fixture.Url, "/v1/scim/") };

        using var response = await client.PostAsync("Probe/Echo", new StringContent("{", Encoding.UTF8, ScimConstants.MediaType));

        await EdgeTestApi.AssertScimUnauthorizedAsync(response);
    }

    [Fact]
    public async Task UnhandledException_Returns500ScimErrorWithoutInternalDetails()
    {
        using var client = Scim(await NewKeyAsync());

        using var response = await client.GetAsync("Probe/Throw");

        var error = await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.InternalServerError);
        Assert.DoesNotContain(ScimPipelineFixture.SecretDetail, error.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", error.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServiceUnavailable_Returns503ScimErrorWithRetryAfter()
    {
        using var client = Scim(await NewKeyAsync());

        using var response = await client.GetAsync("Probe/Unavailable");

        await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task ScimException_ReturnsItsStatusAndScimType()
    {
        using var client = Scim(await NewKeyAsync());

        using var response = await client.GetAsync("Probe/Conflict");

        var error = await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.Conflict);
        Assert.Equal(ScimErrorType.Uniqueness, error.GetProperty("scimType").GetString());
        Assert.Equal("userName is taken", error.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ScimErrorResult_IsWrittenAsScimError()
    {
        using var client = Scim(await NewKeyAsync());

        using var response = await client.GetAsync("Probe/ErrorResult");

        var error = await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.PreconditionFailed);
        Assert.False(error.TryGetProperty("scimType", out _));
    }

    [Fact]
    public async Task BodylessErrorStatus_GetsAScimErrorBody()
    {
        using var client = Scim(await NewKeyAsync());

        using var response = await client.GetAsync("Probe/Status405");

        await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    private HttpClient Scim(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(fixture.Url, "/v1/scim/") };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + key);
        return client;
    }

    private async Task<string> NewKeyAsync() => (await EdgeTestApi.CreateKeyAsync(_admin, await EdgeTestApi.CreateTenantAsync(_admin))).Key;
}

public sealed class ScimPipelineTestsOnSqlite(SqliteScimPipelineFixture fixture) : ScimPipelineTests(fixture), IClassFixture<SqliteScimPipelineFixture>;

public sealed class ScimPipelineTestsOnPostgres(PostgresScimPipelineFixture fixture) : ScimPipelineTests(fixture), IClassFixture<PostgresScimPipelineFixture>;
