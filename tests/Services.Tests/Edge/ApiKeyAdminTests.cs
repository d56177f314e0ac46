using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microservices.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Microservices.Services.Tests.Edge;

public abstract class ApiKeyAdminTests(EdgeSystemFixture fixture)
{
    private readonly HttpClient _admin = fixture.System.AdminClient();

    [Fact]
    public async Task CreateKey_Valid_Returns201WithTheKeyOnlyInThatResponse()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);

        using var created = await _admin.PostAsJsonAsync($"tenants/{tenant}/api-keys", new { title = "Entra_Prod-1", description = "Microsoft Entra provisioning" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("no-store", created.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("key").GetString()!;
        Assert.StartsWith("ascim_", key, StringComparison.Ordinal);
        Assert.True(Convert.FromBase64String(ToBase64(key["ascim_".Length..])).Length >= 32, "at least 256 bits of secret");
        Assert.True(Guid.TryParse(body.GetProperty("id").GetString(), out _));
        Assert.Equal("Entra_Prod-1", body.GetProperty("title").GetString());
        Assert.Equal("Microsoft Entra provisioning", body.GetProperty("description").GetString());

        using var list = await _admin.GetAsync($"tenants/{tenant}/api-keys");
        var listText = await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain(key, listText, StringComparison.Ordinal);
        Assert.DoesNotContain(key["ascim_".Length..], listText, StringComparison.Ordinal);
        var listed = Assert.Single(JsonDocument.Parse(listText).RootElement.EnumerateArray());
        Assert.Equal(body.GetProperty("id").GetString(), listed.GetProperty("id").GetString());
        Assert.Equal("Entra_Prod-1", listed.GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("revoked").ValueKind);
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("lastUsed").ValueKind);
        Assert.False(listed.TryGetProperty("key", out _));
    }

    [Fact]
    public async Task CreateKey_TwoKeys_AreDifferentSecrets()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);

        var first = await EdgeTestApi.CreateKeyAsync(_admin, tenant);
        var second = await EdgeTestApi.CreateKeyAsync(_admin, tenant);

        Assert.NotEqual(first.Key, second.Key);
        Assert.NotEqual(first.Id, second.Id);
    }

    [Theory]
    [InlineData("\"abcdefghijklmnopqrstuvwxyz0123456\"")]
    [InlineData("\"has space\"")]
    [InlineData("\"bang!\"")]
    [InlineData("\"caf\u00e9\"")]
    [InlineData("\"\"")]
    [InlineData("null")]
    [InlineData("7")]
    public async Task CreateKey_BadTitle_Returns400NamingTitleAndCreatesNothing(string title)
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);

        using var response = await _admin.PostAsync($"tenants/{tenant}/api-keys", new StringContent($"{{\"title\":{title}}}", Encoding.UTF8, "application/json"));

        await EdgeTestApi.AssertValidationProblemAsync(response, "title");
        Assert.Empty(await _admin.GetFromJsonAsync<JsonElement[]>($"tenants/{tenant}/api-keys") ?? []);
    }

    [Fact]
    public async Task CreateKey_TitleOf32Characters_IsAccepted()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);

        using var response = await _admin.PostAsJsonAsync($"tenants/{tenant}/api-keys", new { title = "abcdefghijklmnopqrstuvwxyz_-0123" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task CreateKey_DescriptionOver500Characters_Returns400NamingDescription()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);

        using var response = await _admin.PostAsJsonAsync($"tenants/{tenant}/api-keys", new { title = "okta", description = new string('d', 501) });

        await EdgeTestApi.AssertValidationProblemAsync(response, "description");
    }

    [Fact]
    public async Task CreateKey_DuplicateTitleIgnoringCase_Returns409()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        await EdgeTestApi.CreateKeyAsync(_admin, tenant, "Okta");

        using var duplicate = await _admin.PostAsJsonAsync($"tenants/{tenant}/api-keys", new { title = "oKTA" });

        await EdgeTestApi.AssertProblemAsync(duplicate, HttpStatusCode.Conflict);
        Assert.Single(await _admin.GetFromJsonAsync<JsonElement[]>($"tenants/{tenant}/api-keys") ?? []);
    }

    [Fact]
    public async Task CreateKey_SameTitleInAnotherTenant_IsAccepted()
    {
        var first = await EdgeTestApi.CreateTenantAsync(_admin);
        var second = await EdgeTestApi.CreateTenantAsync(_admin);
        await EdgeTestApi.CreateKeyAsync(_admin, first, "entra");

        using var response = await _admin.PostAsJsonAsync($"tenants/{second}/api-keys", new { title = "entra" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task CreateKey_TitleOfARevokedKey_CanBeReusedForRotation()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var old = await EdgeTestApi.CreateKeyAsync(_admin, tenant, "entra");
        using (var revoke = await _admin.DeleteAsync($"tenants/{tenant}/api-keys/{old.Id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using var response = await _admin.PostAsJsonAsync($"tenants/{tenant}/api-keys", new { title = "Entra" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task CreateKey_31stActiveKey_Returns409UntilOneIsRevoked()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var keys = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            keys.Add((await EdgeTestApi.CreateKeyAsync(_admin, tenant, $"key-{i}")).Id);
        }

        using (var tooMany = await _admin.PostAsJsonAsync($"tenants/{tenant}/api-keys", new { title = "key-30" }))
        {
            await EdgeTestApi.AssertProblemAsync(tooMany, HttpStatusCode.Conflict);
        }

        Assert.Equal(30, (await _admin.GetFromJsonAsync<JsonElement[]>($"tenants/{tenant}/api-keys"))!.Length);
        using (var revoke = await _admin.DeleteAsync($"tenants/{tenant}/api-keys/{keys[7]}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using var afterRevoke = await _admin.PostAsJsonAsync($"tenants/{tenant}/api-keys", new { title = "key-30" });
        Assert.Equal(HttpStatusCode.Created, afterRevoke.StatusCode);
    }

    [Fact]
    public async Task CreateKey_ConcurrentRequestsAtTheLimit_NeverExceed30()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        for (var i = 0; i < 28; i++)
        {
            await EdgeTestApi.CreateKeyAsync(_admin, tenant, $"key-{i}");
        }

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => _admin.PostAsJsonAsync($"tenants/{tenant}/api-keys", new { title = $"race-{i}" })));

        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(4, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(30, (await _admin.GetFromJsonAsync<JsonElement[]>($"tenants/{tenant}/api-keys"))!.Length);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task KeyRoutes_UnknownTenant_Return404()
    {
        var tenant = EdgeTestApi.NewTenantId();

        using var create = await _admin.PostAsJsonAsync($"tenants/{tenant}/api-keys", new { title = "okta" });
        using var list = await _admin.GetAsync($"tenants/{tenant}/api-keys");
        using var revoke = await _admin.DeleteAsync($"tenants/{tenant}/api-keys/{Guid.NewGuid()}");

        await EdgeTestApi.AssertProblemAsync(create, HttpStatusCode.NotFound);
        await EdgeTestApi.AssertProblemAsync(list, HttpStatusCode.NotFound);
        await EdgeTestApi.AssertProblemAsync(revoke, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public async Task RevokeKey_UnknownKey_Returns404(string keyId)
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);

        using var response = await _admin.DeleteAsync($"tenants/{tenant}/api-keys/{keyId}");

        await EdgeTestApi.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RevokeKey_ThenTheKeyIsRefusedAtOnceAndRevokeIsIdempotent()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var (id, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);
        using var scim = fixture.System.ScimClient(key);
        using (var before = await scim.GetAsync("NoSuchResource"))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }

        using (var revoke = await _admin.DeleteAsync($"tenants/{tenant}/api-keys/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using (var after = await scim.GetAsync("NoSuchResource"))
        {
            await EdgeTestApi.AssertScimUnauthorizedAsync(after);
        }

        using (var again = await _admin.DeleteAsync($"tenants/{tenant}/api-keys/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        }

        var listed = Assert.Single(await _admin.GetFromJsonAsync<JsonElement[]>($"tenants/{tenant}/api-keys") ?? []);
        Assert.Equal(JsonValueKind.String, listed.GetProperty("revoked").ValueKind);
    }

    [Fact]
    public async Task RevokeKey_ThroughAnotherTenant_Returns404AndTheKeyKeepsWorking()
    {
        var owner = await EdgeTestApi.CreateTenantAsync(_admin);
        var other = await EdgeTestApi.CreateTenantAsync(_admin);
        var (id, key) = await EdgeTestApi.CreateKeyAsync(_admin, owner);

        using var revoke = await _admin.DeleteAsync($"tenants/{other}/api-keys/{id}");

        await EdgeTestApi.AssertProblemAsync(revoke, HttpStatusCode.NotFound);
        using var scim = fixture.System.ScimClient(key);
        using var response = await scim.GetAsync("NoSuchResource");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await _admin.GetFromJsonAsync<JsonElement[]>($"tenants/{other}/api-keys") ?? []);
    }

    [Fact]
    public async Task ListKeys_AfterTheKeyIsUsed_ShowsLastUsed()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var (_, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);
        var unused = Assert.Single(await _admin.GetFromJsonAsync<JsonElement[]>($"tenants/{tenant}/api-keys") ?? []);
        Assert.Equal(JsonValueKind.Null, unused.GetProperty("lastUsed").ValueKind);

        using var scim = fixture.System.ScimClient(key);
        using (await scim.GetAsync("NoSuchResource"))
        {
        }

        var used = Assert.Single(await _admin.GetFromJsonAsync<JsonElement[]>($"tenants/{tenant}/api-keys") ?? []);
        Assert.True(used.GetProperty("lastUsed").GetDateTimeOffset() >= used.GetProperty("created").GetDateTimeOffset());
    }

    [Fact]
    public async Task StoredKey_IsOnlyItsSha256Digest_ThePlaintextIsNowhereInTheDatabase()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var (id, key) = await EdgeTestApi.CreateKeyAsync(_admin, tenant);
        var secretPart = key["ascim_".Length..];
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

        var rows = await ReadEveryRowAsync();

        var values = rows.SelectMany(r => r.Values).ToList();
        Assert.DoesNotContain(values, v => v.Contains(secretPart, StringComparison.Ordinal));
        var keyRow = Assert.Single(rows, r => r.Table == "api_keys" && r.Values.Contains(id));
        Assert.Contains(digest, keyRow.Values);

        if (fixture.Engine == StoreEngine.Sqlite)
        {
            // The files themselves, write-ahead log included: nothing on disk holds the secret either.
            var path = new SqliteConnectionStringBuilder(fixture.EdgeConnectionString).DataSource;
            foreach (var file in new[] { path, path + "-wal" }.Where(File.Exists))
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer);
                Assert.Equal(-1, buffer.ToArray().AsSpan().IndexOf(Encoding.ASCII.GetBytes(secretPart)));
            }
        }
    }

    private async Task<List<(string Table, List<string> Values)>> ReadEveryRowAsync()
    {
        var rows = new List<(string, List<string>)>();
        if (fixture.Engine == StoreEngine.Sqlite)
        {
            await using var connection = new SqliteConnection(fixture.EdgeConnectionString);
            await connection.OpenAsync();
            foreach (var table in await ReadColumnAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table'"))
            {
                rows.AddRange((await ReadRowsAsync(connection, $"SELECT * FROM \"{table}\"")).Select(r => (table, r)));
            }
        }
        else
        {
            await using var connection = new NpgsqlConnection(fixture.EdgeConnectionString);
            await connection.OpenAsync();
            foreach (var table in await ReadColumnAsync(connection, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))
            {
                rows.AddRange((await ReadRowsAsync(connection, $"SELECT * FROM \"{table}\"")).Select(r => (table, r)));
            }
        }

        Assert.Contains(rows, r => r.Item1 == "api_keys");
        return rows;
    }

    private static async Task<List<string>> ReadColumnAsync(System.Data.Common.DbConnection connection, string sql) =>
        [.. (await ReadRowsAsync(connection, sql)).Select(r => r[0])];

    private static async Task<List<List<string>>> ReadRowsAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<List<string>>();
        while (await reader.ReadAsync())
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? string.Empty : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty)]);
        }

        return rows;
    }

    private static string ToBase64(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
    }
}

public sealed class ApiKeyAdminTestsOnSqlite(SqliteEdgeFixture fixture) : ApiKeyAdminTests(fixture), IClassFixture<SqliteEdgeFixture>;

public sealed class ApiKeyAdminTestsOnPostgres(PostgresEdgeFixture fixture) : ApiKeyAdminTests(fixture), IClassFixture<PostgresEdgeFixture>;
