using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Services.Tests.Edge;

/// <summary>Reading the audit log back: through the admin API, and straight from the edge's table.</summary>
internal static class AuditTestApi
{
    public const string OktaAgent = "Okta SCIM Client 1.0.0";
    public const string EntraAgent = "Microsoft Azure AD SCIM provisioning 1.0.0";

    /// <summary>
    /// Starts an ambient activity with a fresh W3C trace id: requests sent while it is current carry that trace in
    /// their <c>traceparent</c>, so it becomes their correlation id. (A hand-written traceparent header would be
    /// replaced by HttpClient's own propagation, which sees the in-process hosts' listeners.)
    /// </summary>
    public static Activity StartTrace()
    {
        var activity = new Activity("audit-test");
        activity.SetParentId(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        return activity.Start();
    }

    /// <summary>One page of the audit API (asserting 200).</summary>
    public static async Task<JsonElement> PageAsync(HttpClient admin, string tenant, string query = "")
    {
        using var response = await admin.GetAsync($"tenants/{tenant}/audit{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>
    /// The tenant's records once at least <paramref name="count"/> match <paramref name="match"/>. Records are written
    /// off the request path, so they appear shortly after the responses; the wait bounds how long, it asserts no speed.
    /// </summary>
    public static async Task<List<JsonElement>> WaitForAsync(HttpClient admin, string tenant, Func<JsonElement, bool> match, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var items = (await PageAsync(admin, tenant, "?limit=1000")).GetProperty("items").EnumerateArray().ToList();
            var matching = items.Where(match).ToList();
            if (matching.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.True(matching.Count >= count, $"expected {count} matching audit records of {tenant}, found {matching.Count} of {items.Count}");
                return matching;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Every row of the edge's audit table, every column as text (null as null).</summary>
    public static async Task<List<Dictionary<string, string?>>> ReadTableAsync(StoreEngine engine, string connectionString)
    {
        await using var database = Database.Create(engine, connectionString);
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM audit_log";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, string?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The table's rows whose correlation id is <paramref name="traceId"/>, once there is one.</summary>
    public static async Task<Dictionary<string, string?>> WaitForRowAsync(StoreEngine engine, string connectionString, string traceId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var row = (await ReadTableAsync(engine, connectionString)).SingleOrDefault(r => r["correlation_id"] == traceId);
            if (row is not null || DateTime.UtcNow > deadline)
            {
                Assert.True(row is not null, "no audit row with correlation id " + traceId + "; correlation ids: " + string.Join(", ", (await ReadTableAsync(engine, connectionString)).Where(r => r["status"] == "401").Select(r => r["correlation_id"])));
                return row;
            }

            await Task.Delay(100);
        }
    }

    public static string? Text(this JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static int Status(this JsonElement item) => item.GetProperty("status").GetInt32();
}
