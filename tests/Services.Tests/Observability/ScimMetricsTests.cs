using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microservices.ScimEdge.Api.Observability;
using Microservices.ServiceDefaults.Hosting;
using Microservices.ServiceDefaults.Messaging;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Services.Tests.Scim;

namespace Microservices.Services.Tests.Observability;

/// <summary>The edge's request instruments and the consumer's delivery lag, observed over real HTTP.</summary>
public abstract class ScimMetricsTests(SystemFixture fixture) : IDisposable
{
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly MeterListener _listener = new();

    private sealed record Measurement(string Instrument, double Value, Dictionary<string, object?> Tags);

    [Fact]
    public async Task ScimRequests_CreateAndGet_CountedByTenantClientOperationAndStatus()
    {
        Listen();
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        t.Scim.DefaultRequestHeaders.UserAgent.ParseAdd("Okta-SCIM-Client/1.0");

        using (var created = await t.Scim.PostAsync("Users", ScimTestTenant.Json(ScimTestTenant.NewUser())))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var missing = await t.Scim.GetAsync($"Users/{Guid.NewGuid()}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        var requests = await ActivityRecorder.EventuallyAsync(
            () => Of("scim.requests", t.Id) is { Count: >= 2 } found ? found : null, "two scim.requests measurements");
        var durations = await ActivityRecorder.EventuallyAsync(
            () => Of("scim.request.duration", t.Id) is { Count: >= 2 } found ? found : null, "two scim.request.duration measurements");
        Assert.Equal(
            [("Users.Create", 201, "okta", 1d), ("Users.Get", 404, "okta", 1d)],
            requests.Select(m => ((string)m.Tags[ScimRequestMetrics.OperationTag]!, (int)m.Tags[ScimRequestMetrics.StatusCodeTag]!, (string)m.Tags[ScimRequestMetrics.ClientTag]!, m.Value)).Order());
        Assert.Equal(
            ["Users.Create", "Users.Get"],
            durations.Select(m => (string)m.Tags[ScimRequestMetrics.OperationTag]!).Order());
        Assert.All(durations, m => Assert.InRange(m.Value, 0, 300));
        Assert.All(requests.Concat(durations), m => Assert.Equal(
            [ScimRequestMetrics.ClientTag, ScimRequestMetrics.StatusCodeTag, ScimRequestMetrics.OperationTag, ScimRequestMetrics.TenantTag],
            m.Tags.Keys.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task EventDeliveryLag_MembershipEvent_RecordedAtTheConsumer()
    {
        Listen();
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var user = await t.CreateUserAsync();
        await t.CreateGroupAsync(GroupTestTenant.Unique("Lag"), [user]);

        // Creating a group with a member announces the membership; the users service consumes it.
        await ActivityRecorder.EventuallyAsync(
            () => _measurements.FirstOrDefault(m => m.Instrument == "scim.events.delivery_lag" && (string?)m.Tags.GetValueOrDefault("topic") == Topics.RoleMemberships),
            "a delivery lag measurement on the role-memberships topic");
        Assert.All(
            _measurements.Where(m => m.Instrument == "scim.events.delivery_lag"),
            m => Assert.InRange(m.Value, 0, 300));
    }

    public void Dispose()
    {
        _listener.Dispose();
        GC.SuppressFinalize(this);
    }

    private List<Measurement> Of(string instrument, string tenant) =>
        [.. _measurements.Where(m => m.Instrument == instrument && (string?)m.Tags.GetValueOrDefault(ScimRequestMetrics.TenantTag) == tenant)];

    private void Listen()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ServiceDefaultsExtensions.TelemetryName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => _measurements.Enqueue(new Measurement(i.Name, v, ToDictionary(tags))));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => _measurements.Enqueue(new Measurement(i.Name, v, ToDictionary(tags))));
        _listener.Start();
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}

public sealed class ScimMetricsTestsOnSqlite(SqliteSystemFixture fixture) : ScimMetricsTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class ScimMetricsTestsOnPostgres(PostgresSystemFixture fixture) : ScimMetricsTests(fixture), IClassFixture<PostgresSystemFixture>;
