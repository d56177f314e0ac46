using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Edge;

public abstract class RateLimitTests(EdgeSystemFixture fixture)
{
    private readonly HttpClient _admin = fixture.System.AdminClient();

    [Fact]
    public async Task ScimRequest_OverTheTenantsBucket_Gets429WithRetryAfter_ThenPassesAfterWaiting()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var (_, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);
        await SetLimitAsync(tenant, 1, 2);
        using var scim = fixture.System.ScimClient(key);

        using (var first = await scim.GetAsync("ServiceProviderConfig"))
        using (var second = await scim.GetAsync("ServiceProviderConfig"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        TimeSpan retryAfter;
        using (var third = await scim.GetAsync("ServiceProviderConfig"))
        {
            var body = await EdgeTestApi.AssertScimErrorAsync(third, HttpStatusCode.TooManyRequests);
            Assert.False(body.TryGetProperty("scimType", out _));
            Assert.Contains("rate limit", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
            retryAfter = Assert.IsType<TimeSpan>(third.Headers.RetryAfter?.Delta);
            Assert.True(retryAfter >= TimeSpan.FromSeconds(1));
            Assert.Matches("^[0-9]+$", string.Join(",", third.Headers.GetValues("Retry-After")));
        }

        // Task.Delay's timer is coarser than the Stopwatch clock the bucket refills by: measured, it can end ~2 ms
        // before the second is up, and when the three requests above came within that much of each other the token
        // is not quite there yet. A client waits at least Retry-After; the margin keeps the test from racing the clock.
        await Task.Delay(retryAfter + TimeSpan.FromMilliseconds(50));
        using var later = await scim.GetAsync("ServiceProviderConfig");

        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        var rejected = await AuditTestApi.WaitForAsync(_admin, tenant, r => r.Status() == 429);
        Assert.Equal("/ServiceProviderConfig", Assert.Single(rejected).Text("route"));
    }

    [Fact]
    public async Task ScimRequest_AnotherTenantAtItsLimit_DoesNotLimitThisOne()
    {
        var busy = await EdgeTestApi.CreateTenantAsync(_admin);
        var (_, busyKey) = await EdgeTestApi.CreateKeyAsync(_admin, busy);
        var quiet = await EdgeTestApi.CreateTenantAsync(_admin);
        var (_, quietKey) = await EdgeTestApi.CreateKeyAsync(_admin, quiet);
        await SetLimitAsync(busy, 1, 1);
        await SetLimitAsync(quiet, 1, 1);
        using var busyScim = fixture.System.ScimClient(busyKey);
        using var quietScim = fixture.System.ScimClient(quietKey);

        using (await busyScim.GetAsync("ServiceProviderConfig"))
        using (var limited = await busyScim.GetAsync("ServiceProviderConfig"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        }

        using var other = await quietScim.GetAsync("ServiceProviderConfig");

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task RateLimit_GetPutDelete_ShowsDefaultThenTenantThenDefault()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);

        var before = await _admin.GetFromJsonAsync<JsonElement>($"tenants/{tenant}/rate-limit");
        using var put = await _admin.PutAsJsonAsync($"tenants/{tenant}/rate-limit", new { requestsPerSecond = 7, burst = 9 });
        var during = await _admin.GetFromJsonAsync<JsonElement>($"tenants/{tenant}/rate-limit");
        using var reset = await _admin.DeleteAsync($"tenants/{tenant}/rate-limit");
        var after = await _admin.GetFromJsonAsync<JsonElement>($"tenants/{tenant}/rate-limit");

        Assert.Equal((RunningSystem.TestDefaultRateLimit, RunningSystem.TestDefaultRateLimit, "default"), Limit(before));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal((7, 9, "tenant"), Limit(during));
        Assert.Equal(1, during.GetProperty("replicas").GetInt32());
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal((RunningSystem.TestDefaultRateLimit, RunningSystem.TestDefaultRateLimit, "default"), Limit(after));
    }

    [Theory]
    [InlineData("{\"burst\":10}", "requestsPerSecond")]
    [InlineData("{\"requestsPerSecond\":0,\"burst\":10}", "requestsPerSecond")]
    [InlineData("{\"requestsPerSecond\":10}", "burst")]
    [InlineData("{\"requestsPerSecond\":10,\"burst\":-1}", "burst")]
    [InlineData("{\"requestsPerSecond\":\"fast\",\"burst\":10}", "requestsPerSecond")]
    public async Task RateLimit_PutInvalid_Returns400NamingTheField(string body, string field)
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);

        using var response = await _admin.PutAsync($"tenants/{tenant}/rate-limit", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await EdgeTestApi.AssertValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task RateLimit_UnknownTenant_Returns404()
    {
        using var response = await _admin.PutAsJsonAsync($"tenants/{EdgeTestApi.NewTenantId()}/rate-limit", new { requestsPerSecond = 5, burst = 5 });

        await EdgeTestApi.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    private static (int, int, string?) Limit(JsonElement limit) =>
        (limit.GetProperty("requestsPerSecond").GetInt32(), limit.GetProperty("burst").GetInt32(), limit.GetProperty("source").GetString());

    private async Task SetLimitAsync(string tenant, int requestsPerSecond, int burst)
    {
        using var response = await _admin.PutAsJsonAsync($"tenants/{tenant}/rate-limit", new { requestsPerSecond, burst });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public sealed class RateLimitTestsOnSqlite(SqliteEdgeFixture fixture) : RateLimitTests(fixture), IClassFixture<SqliteEdgeFixture>;

public sealed class RateLimitTestsOnPostgres(PostgresEdgeFixture fixture) : RateLimitTests(fixture), IClassFixture<PostgresEdgeFixture>;
