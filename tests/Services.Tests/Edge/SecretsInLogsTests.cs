using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;

namespace Microservices.Services.Tests.Edge;

/// <summary>
/// The four hosts with every log entry captured in memory (<see cref="LogCapture"/>) from Trace up: Debug and below,
/// and the HttpClient request-header dumps that only Trace turns on.
/// </summary>
public abstract class LogCaptureSystemFixture(StoreEngine engine) : IAsyncLifetime
{
    private RunningSystem? _system;

    public LogCapture Logs { get; } = new(Microsoft.Extensions.Logging.LogLevel.Trace);

    public RunningSystem System => _system ?? throw new InvalidOperationException("fixture not started");

    public async Task InitializeAsync() => _system = await RunningSystem.StartAsync(engine, logs: Logs);

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }
}

public sealed class SqliteLogCaptureFixture() : LogCaptureSystemFixture(StoreEngine.Sqlite);

public sealed class PostgresLogCaptureFixture() : LogCaptureSystemFixture(StoreEngine.Postgres);

/// <summary>
/// No API key, admin token or internal token reaches a log line of any service, at Debug or Trace, whatever the request:
/// refused (unknown, malformed, revoked key; wrong admin token), good SCIM calls that fan out to users and roles,
/// admin calls that reach orgunits. scripts/smoke-local.sh checks the same on the log files of a real start.
/// </summary>
public abstract class SecretsInLogsTests(LogCaptureSystemFixture fixture)
{
    [Fact]
    public async Task KeysAndTokens_NeverReachAnyLogLine_AtDebugOrTrace()
    {
        using var admin = fixture.System.AdminClient();
        using var scim = new HttpClient { BaseAddress = fixture.System.ScimBaseUrl };
        var tenant = await EdgeTestApi.CreateTenantAsync(admin);
        var (_, key) = await EdgeTestApi.CreateKeyAsync(admin, tenant);
        var (revokedId, revoked) = await EdgeTestApi.CreateKeyAsync(admin, tenant);
        using (var revoke = await admin.DeleteAsync($"tenants/{tenant}/api-keys/{revokedId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        // A key of the issued shape that was never issued (a caller's typo of a real key looks like this).
        var unknown = "ascim_" + Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        // 401s: unknown, revoked, and malformed headers, some of which carry the real key.
        foreach (var authorization in new[]
        {
            "Bearer " + unknown,
            "Bearer " + revoked,
            "Bearer " + key + " trailing",
            "Token " + key,
            "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + key)),
            "Bearer",
        })
        {
            using var request = EdgeTestApi.ScimRequest(HttpMethod.Get, "Users", authorization);
            using var response = await scim.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{authorization.Split(' ')[0]}: {(int)response.StatusCode}");
        }

        // Good SCIM calls, which reach users and roles with the internal token; the bare key and any case of the
        // scheme are accepted on purpose (Okta set-ups).
        foreach (var (path, authorization) in new[]
        {
            ("Users", "Bearer " + key),
            ("Users?filter=userName%20eq%20%22nobody%22", "Bearer " + key),
            ("Groups", "Bearer " + key),
            ("Users/6c1c0d6e-2f5e-4b8a-9d59-3f2a1d0c9b7e", key),
            ("Groups?filter=displayName%20eq%20%22none%22", "bearer  " + key + "\t"),
        })
        {
            using var request = EdgeTestApi.ScimRequest(HttpMethod.Get, path, authorization);
            using var response = await scim.SendAsync(request);
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.True((int)response.StatusCode < 500, $"{path}: {(int)response.StatusCode}");
        }

        // Admin calls, the org unit ones reaching orgunits; and one with a wrong admin token.
        using (var created = await admin.PostAsync($"tenants/{tenant}/orgunits", new StringContent("{\"name\":\"Head Office\",\"externalId\":\"HQ\"}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var listed = await admin.GetAsync($"tenants/{tenant}/orgunits"))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        }

        using (var wrongAdmin = new HttpClient { BaseAddress = admin.BaseAddress })
        {
            wrongAdmin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", RunningSystem.InternalToken);
            using var refused = await wrongAdmin.GetAsync($"tenants/{tenant}");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var lines = fixture.Logs.Lines;

        // The capture works: every service logged at Debug during the calls above.
        foreach (var service in fixture.System.Urls.Keys)
        {
            Assert.Contains(lines, l => l.StartsWith($"[{service}] Debug ", StringComparison.Ordinal));
        }

        var secrets = new Dictionary<string, string>
        {
            ["API key"] = key,
            ["API key secret part"] = key["ascim_".Length..],
            ["revoked API key"] = revoked,
            ["unknown API key"] = unknown,
            ["admin token"] = RunningSystem.AdminToken,
            ["internal token"] = RunningSystem.InternalToken,
        };
        foreach (var (name, secret) in secrets)
        {
            var leaks = lines.Where(l => l.Contains(secret, StringComparison.Ordinal)).ToList();
            Assert.True(leaks.Count == 0, $"the {name} appears in {leaks.Count} log line(s), first: {leaks.FirstOrDefault()?.Replace(secret, "<" + name + ">", StringComparison.Ordinal)}");
        }
    }
}

public sealed class SecretsInLogsTestsOnSqlite(SqliteLogCaptureFixture fixture) : SecretsInLogsTests(fixture), IClassFixture<SqliteLogCaptureFixture>;

public sealed class SecretsInLogsTestsOnPostgres(PostgresLogCaptureFixture fixture) : SecretsInLogsTests(fixture), IClassFixture<PostgresLogCaptureFixture>;
