using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microservices.ScimEdge.Api;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Services.Tests.Edge;

/// <summary>
/// The edge with the production default budget (other test systems raise it far above what tests send), told that
/// <paramref name="replicas"/> edge replicas share it, as the chart tells it through Scim__RateLimits__Replicas.
/// </summary>
public abstract class DefaultRateLimitFixture(StoreEngine engine, int replicas) : EdgeSystemFixture(engine)
{
    public int Replicas => replicas;

    protected override void Configure(string service, IDictionary<string, string?> settings)
    {
        if (service == ScimEdgeApp.ServiceName)
        {
            settings.Remove("Scim:RateLimits:RequestsPerSecond");
            settings.Remove("Scim:RateLimits:Burst");
            settings["Scim:RateLimits:Replicas"] = replicas.ToString(CultureInfo.InvariantCulture);
        }
    }
}

public sealed class SqliteOneReplicaFixture() : DefaultRateLimitFixture(StoreEngine.Sqlite, 1);

public sealed class PostgresOneReplicaFixture() : DefaultRateLimitFixture(StoreEngine.Postgres, 1);

public sealed class SqliteTwoReplicasFixture() : DefaultRateLimitFixture(StoreEngine.Sqlite, 2);

public sealed class PostgresTwoReplicasFixture() : DefaultRateLimitFixture(StoreEngine.Postgres, 2);

/// <summary>
/// The default per-tenant budget (50 requests/s, bursts of 100) and its division between replicas, over real HTTP
/// on a paused edge clock: the bucket refills only when the test advances the clock, so the counts are exact on any
/// machine.
/// </summary>
public abstract class DefaultRateLimitTests(DefaultRateLimitFixture fixture)
{
    private readonly HttpClient _admin = fixture.System.AdminClient();

    [Fact]
    public async Task DefaultBudget_Is50PerSecondWithBurst100_EachReplicaEnforcingItsShare()
    {
        var replicas = fixture.Replicas;
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var (_, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);
        using var scim = fixture.System.ScimClient(key);

        var limit = await _admin.GetFromJsonAsync<JsonElement>($"tenants/{tenant}/rate-limit");
        Assert.Equal((50, 100, "default", replicas), (limit.GetProperty("requestsPerSecond").GetInt32(), limit.GetProperty("burst").GetInt32(), limit.GetProperty("source").GetString(), limit.GetProperty("replicas").GetInt32()));
        Assert.Equal(50.0 / replicas, limit.GetProperty("perReplicaRequestsPerSecond").GetDouble());
        Assert.Equal(100.0 / replicas, limit.GetProperty("perReplicaBurst").GetDouble());

        using (fixture.Clock.Pause())
        {
            // A fresh tenant may send this replica's share of the burst at once, and not one request more.
            Assert.Equal(100 / replicas, await CountAcceptedAsync(scim, 100 / replicas));
            var (status, retryAfter, detail) = await GetAsync(scim);
            Assert.Equal(HttpStatusCode.TooManyRequests, status);
            Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
            Assert.Contains("50 requests per second (bursts of 100)", detail, StringComparison.Ordinal);

            // One second later this replica's share of the rate is back: 50 / replicas requests.
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(50 / replicas, await CountAcceptedAsync(scim, 50 / replicas));
            Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsync(scim)).Status);
        }
    }

    [Fact]
    public async Task TenantOfOneRequestPerSecond_GetsItsShare_AndABurstOfAtLeastOne()
    {
        // 1 request/s split between the replicas is 1 / replicas per second each; the burst never drops below one
        // request, or a small budget split many ways would refuse everything.
        var replicas = fixture.Replicas;
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var (_, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);
        using (var set = await _admin.PutAsJsonAsync($"tenants/{tenant}/rate-limit", new { requestsPerSecond = 1, burst = 1 }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            var limit = await set.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(1.0 / replicas, limit.GetProperty("perReplicaRequestsPerSecond").GetDouble());
        }

        using var scim = fixture.System.ScimClient(key);
        using (fixture.Clock.Pause())
        {
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(scim)).Status);
            var refused = await GetAsync(scim);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
            Assert.Equal(TimeSpan.FromSeconds(replicas), refused.RetryAfter);

            // Half a token short of the next request: still refused; the rest of the wait: accepted.
            fixture.Clock.Advance(TimeSpan.FromSeconds(replicas - 0.5));
            Assert.Equal(HttpStatusCode.TooManyRequests, (await GetAsync(scim)).Status);
            fixture.Clock.Advance(TimeSpan.FromSeconds(0.5));
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(scim)).Status);
        }
    }

    private static async Task<int> CountAcceptedAsync(HttpClient scim, int requests)
    {
        var accepted = 0;
        for (var i = 0; i < requests; i++)
        {
            var (status, _, detail) = await GetAsync(scim);
            Assert.True(status == HttpStatusCode.OK, $"request {i + 1} of {requests}: {(int)status} {detail}");
            accepted++;
        }

        return accepted;
    }

    private static async Task<(HttpStatusCode Status, TimeSpan? RetryAfter, string Detail)> GetAsync(HttpClient scim)
    {
        using var response = await scim.GetAsync("ServiceProviderConfig");
        var body = await response.Content.ReadAsStringAsync();
        var detail = response.StatusCode == HttpStatusCode.OK ? string.Empty : JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
        return (response.StatusCode, response.Headers.RetryAfter?.Delta, detail);
    }
}

public sealed class DefaultRateLimitTestsOnSqlite(SqliteOneReplicaFixture fixture) : DefaultRateLimitTests(fixture), IClassFixture<SqliteOneReplicaFixture>;

public sealed class DefaultRateLimitTestsOnPostgres(PostgresOneReplicaFixture fixture) : DefaultRateLimitTests(fixture), IClassFixture<PostgresOneReplicaFixture>;

public sealed class SharedRateLimitTestsOnSqlite(SqliteTwoReplicasFixture fixture) : DefaultRateLimitTests(fixture), IClassFixture<SqliteTwoReplicasFixture>;

public sealed class SharedRateLimitTestsOnPostgres(PostgresTwoReplicasFixture fixture) : DefaultRateLimitTests(fixture), IClassFixture<PostgresTwoReplicasFixture>;
