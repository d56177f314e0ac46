using System.Diagnostics;
using System.Net;
using Microservices.ScimEdge.Api.Observability;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Services.Tests.Scim;
using Microservices.Users.Api;

namespace Microservices.Services.Tests.Observability;

/// <summary>One trace per SCIM request across the edge and the domain services, events included; the correlation id.</summary>
public abstract class TracingTests(SystemFixture fixture) : IDisposable
{
    private readonly ActivityRecorder _recorder = new();

    [Fact]
    public async Task CreateUser_OneTrace_UsersServerSpanIsChildOfTheEdgesClientSpan()
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);
        var traceId = ActivityTraceId.CreateRandom();

        using var response = await SendInTraceAsync(traceId, () => t.Scim.PostAsync("Users", ScimTestTenant.Json(ScimTestTenant.NewUser())));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var usersPort = fixture.System.Urls[UsersApp.ServiceName].Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var usersServer = await ActivityRecorder.EventuallyAsync(
            () => _recorder.Trace(traceId).FirstOrDefault(a => a.Kind == ActivityKind.Server && ActivityRecorder.Tag(a, "url.path") == "/internal/users"),
            "the users service's server span");
        var spans = _recorder.Trace(traceId);
        var edgeClient = Assert.Single(spans, a => a.SpanId == usersServer.ParentSpanId);
        Assert.Equal(ActivityKind.Client, edgeClient.Kind);
        Assert.Equal(usersPort, ActivityRecorder.Tag(edgeClient, "server.port"));
        var edgeServer = Ancestors(edgeClient, spans).First(a => a.Kind == ActivityKind.Server);
        Assert.Equal("/v1/scim/Users", ActivityRecorder.Tag(edgeServer, "url.path"));
        Assert.Equal(traceId.ToHexString(), Assert.Single(response.Headers.GetValues(CorrelationId.HeaderName)));
        if (fixture.System.Engine == StoreEngine.Postgres)
        {
            // Npgsql's spans: the users service's statements run inside its server span.
            Assert.Contains(spans, a => a.Source.Name == "Npgsql" && Ancestors(a, spans).Contains(usersServer));
        }
    }

    [Fact]
    public async Task PatchGroupMembers_MembershipEvent_IsConsumedInTheRequestsTrace()
    {
        using var t = await GroupTestTenant.CreateAsync(fixture.System);
        var user = await t.CreateUserAsync();
        var group = (await t.CreateGroupAsync(GroupTestTenant.Unique("Traced")))["id"]!.GetValue<string>();
        var traceId = ActivityTraceId.CreateRandom();

        using var response = await SendInTraceAsync(traceId, () => t.SendAsync(HttpMethod.Patch, $"Groups/{group}", GroupTestTenant.Patch(GroupTestTenant.AddMembers([user]))));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var consumed = await ActivityRecorder.EventuallyAsync(
            () => _recorder.All.FirstOrDefault(a => a.Kind == ActivityKind.Consumer
                && a.DisplayName == $"process {Topics.RoleMemberships}"
                && (a.TraceId == traceId || a.Links.Any(l => l.Context.TraceId == traceId))),
            "the users service consuming the membership event");
        // The producer span ends after the consumer's: the relay's publish call returns once the consumer has answered.
        var producer = await ActivityRecorder.EventuallyAsync(
            () => _recorder.Trace(traceId).FirstOrDefault(a => a.Kind == ActivityKind.Producer && a.DisplayName == $"publish {Topics.RoleMemberships}"),
            "the roles relay's publish span");
        var spans = _recorder.Trace(traceId);
        Assert.Single(spans, a => a.Kind == ActivityKind.Producer && a.DisplayName == $"publish {Topics.RoleMemberships}");
        Assert.Equal(traceId, consumed.TraceId);
        Assert.Contains(producer, Ancestors(consumed, spans));
        Assert.Equal(ActivityRecorder.Tag(producer, "messaging.message.id"), ActivityRecorder.Tag(consumed, "messaging.message.id"));
    }

    [Fact]
    public async Task CorrelationId_WithoutIncomingTrace_IsTheTraceIdTheEdgeRecorded()
    {
        using var t = await ScimTestTenant.CreateAsync(fixture.System);

        using var response = await t.Scim.GetAsync($"Users/{Guid.NewGuid()}");

        var correlationId = Assert.Single(response.Headers.GetValues(CorrelationId.HeaderName));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var edgeServer = await ActivityRecorder.EventuallyAsync(
            () => _recorder.All.FirstOrDefault(a => a.Kind == ActivityKind.Server && a.TraceId.ToHexString() == correlationId
                && ActivityRecorder.Tag(a, "url.path")?.StartsWith("/v1/scim/Users/", StringComparison.Ordinal) == true),
            "the edge's server span of the request");
        Assert.Equal(32, correlationId.Length);
        Assert.NotEqual(default, edgeServer.TraceId);
    }

    [Fact]
    public async Task CorrelationId_OnAdminAndUnauthenticatedAnswers_IsPresent()
    {
        using var admin = fixture.System.AdminClient();
        using var anonymous = fixture.System.ScimClient(null);
        var traceId = ActivityTraceId.CreateRandom();

        using var tenants = await SendInTraceAsync(traceId, () => admin.GetAsync("tenants/no-such-tenant"));
        using var unauthenticated = await SendInTraceAsync(traceId, () => anonymous.GetAsync("Users"));

        Assert.Equal(HttpStatusCode.NotFound, tenants.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal(traceId.ToHexString(), Assert.Single(tenants.Headers.GetValues(CorrelationId.HeaderName)));
        Assert.Equal(traceId.ToHexString(), Assert.Single(unauthenticated.Headers.GetValues(CorrelationId.HeaderName)));
    }

    public void Dispose()
    {
        _recorder.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Sends as an upstream caller in trace <paramref name="traceId"/>: HttpClient propagates it as traceparent.</summary>
    private static async Task<HttpResponseMessage> SendInTraceAsync(ActivityTraceId traceId, Func<Task<HttpResponseMessage>> send)
    {
        using var caller = new Activity("test-caller").SetParentId(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded).Start();
        return await send();
    }

    private static IEnumerable<Activity> Ancestors(Activity activity, IReadOnlyList<Activity> spans)
    {
        var bySpan = spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        var current = activity;
        while (current.ParentSpanId != default && bySpan.TryGetValue(current.ParentSpanId, out var parent))
        {
            yield return parent;
            current = parent;
        }
    }
}

public sealed class TracingTestsOnSqlite(SqliteSystemFixture fixture) : TracingTests(fixture), IClassFixture<SqliteSystemFixture>;

public sealed class TracingTestsOnPostgres(PostgresSystemFixture fixture) : TracingTests(fixture), IClassFixture<PostgresSystemFixture>;
