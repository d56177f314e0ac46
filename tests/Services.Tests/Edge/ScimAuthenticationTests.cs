using System.Net;

namespace Microservices.Services.Tests.Edge;

public abstract class ScimAuthenticationTests(EdgeSystemFixture fixture)
{
    private readonly HttpClient _admin = fixture.System.AdminClient();
    private readonly HttpClient _scim = new() { BaseAddress = fixture.System.ScimBaseUrl };

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer    ")]
    [InlineData("garbage")]
    [InlineData("Bearer garbage")]
    [InlineData("Bearer two words")]
    [InlineData("Basic dXNlcjpwYXNzd29yZA==")]
    [InlineData("Bearer " + EdgeTestApi.WellShapedUnknownKey)]
    [InlineData(EdgeTestApi.WellShapedUnknownKey)]
    public async Task ScimRequest_WithoutAValidKey_Returns401ScimError(string? authorization)
    {
        using var request = EdgeTestApi.ScimRequest(HttpMethod.Get, "Users", authorization);

        using var response = await _scim.SendAsync(request);

        await EdgeTestApi.AssertScimUnauthorizedAsync(response);
    }

    [Fact]
    public async Task ScimRequest_TamperedKey_Returns401ScimError()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var (_, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);

        // One character changed: a well-formed key that was never issued.
        var tampered = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');
        using var request = EdgeTestApi.ScimRequest(HttpMethod.Get, "Users", "Bearer " + tampered);
        using var response = await _scim.SendAsync(request);

        await EdgeTestApi.AssertScimUnauthorizedAsync(response);
    }

    [Fact]
    public async Task ScimRequest_RevokedKey_Returns401ScimError()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var (id, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);
        using (await _admin.DeleteAsync($"tenants/{tenant}/api-keys/{id}"))
        {
        }

        using var request = EdgeTestApi.ScimRequest(HttpMethod.Get, "Users", "Bearer " + key);
        using var response = await _scim.SendAsync(request);

        await EdgeTestApi.AssertScimUnauthorizedAsync(response);
    }

    [Theory]
    [InlineData("Bearer {0}")]
    [InlineData("bearer {0}")]
    [InlineData("BEARER {0}")]
    [InlineData("{0}")]
    [InlineData("  Bearer   {0}  ")]
    public async Task ScimRequest_ValidKeyInAnAcceptedForm_IsAuthenticated(string format)
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var (_, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);

        using var request = EdgeTestApi.ScimRequest(HttpMethod.Get, "NoSuchResource", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, key));
        using var response = await _scim.SendAsync(request);

        // Past authentication the unknown route is what answers: a SCIM 404, not a 401.
        await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Theory]
    [InlineData("GET", "NoSuchResource")]
    [InlineData("POST", "NoSuchResource/deeper/still")]
    [InlineData("DELETE", "Users/2819c223-7f76-453a-919d-413861904646")]
    [InlineData("GET", "")]
    public async Task UnknownScimRoute_WithAValidKey_Returns404ScimError(string method, string path)
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var (_, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);

        using var request = EdgeTestApi.ScimRequest(new HttpMethod(method), path, "Bearer " + key);
        using var response = await _scim.SendAsync(request);

        await EdgeTestApi.AssertScimErrorAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/v1/scim/NoSuchResource")]
    [InlineData("/V1/SCIM/Users")]
    [InlineData("/v1/scim")]
    public async Task UnknownScimRoute_WithoutAKey_IsRefusedBeforeRouting(string path)
    {
        using var client = new HttpClient { BaseAddress = fixture.System.EdgeUrl };

        using var response = await client.GetAsync(path);

        await EdgeTestApi.AssertScimUnauthorizedAsync(response);
    }
}

public sealed class ScimAuthenticationTestsOnSqlite(SqliteEdgeFixture fixture) : ScimAuthenticationTests(fixture), IClassFixture<SqliteEdgeFixture>;

public sealed class ScimAuthenticationTestsOnPostgres(PostgresEdgeFixture fixture) : ScimAuthenticationTests(fixture), IClassFixture<PostgresEdgeFixture>;
