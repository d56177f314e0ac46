using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microservices.ScimEdge.Api;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace Microservices.Services.Tests.Edge;

/// <summary>
/// The edge with misbehaving domain services: roles at a port nothing listens on, users behind a listener that
/// answers every request 503, orgunits behind one that reads requests and never answers. The edge's bulk bound
/// (<c>Services:OrgUnits:ImportTimeout</c>) is 1 s here. Every attempt the edge makes leaves through its real
/// SocketsHttpHandler, which a handler filter wraps to count them.
/// </summary>
public sealed class MisbehavingServicesFixture() : EdgeSystemFixture(StoreEngine.Sqlite), IAsyncLifetime
{
    public TinyHttpListener AlwaysUnavailable { get; } = TinyHttpListener.Answering(HttpStatusCode.ServiceUnavailable);

    public TinyHttpListener Stalling { get; } = TinyHttpListener.Stalling();

    /// <summary>Each attempt the edge sent to a domain service: client name, method and path.</summary>
    public ConcurrentQueue<(string Client, string Method, string Path)> Attempts { get; } = new();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await AlwaysUnavailable.DisposeAsync();
        await Stalling.DisposeAsync();
    }

    protected override void Configure(string service, IDictionary<string, string?> settings)
    {
        if (service == ScimEdgeApp.ServiceName)
        {
            settings["Services:Roles:BaseUrl"] = DeadUrl();
            settings["Services:Users:BaseUrl"] = AlwaysUnavailable.Url.ToString();
            settings["Services:OrgUnits:BaseUrl"] = Stalling.Url.ToString();
            settings["Services:OrgUnits:ImportTimeout"] = "00:00:01";
        }
    }

    protected override void ConfigureHost(string service, WebApplicationBuilder builder)
    {
        if (service == ScimEdgeApp.ServiceName)
        {
            builder.Services.AddSingleton<IHttpMessageHandlerBuilderFilter>(new CountingFilter(Attempts));
        }
    }

    /// <summary>Runs after every client's own configuration and wraps the primary (socket) handler it chose.</summary>
    private sealed class CountingFilter(ConcurrentQueue<(string, string, string)> attempts) : IHttpMessageHandlerBuilderFilter
    {
        public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
        {
            next(builder);
            builder.PrimaryHandler = new Counting(builder.Name ?? string.Empty, attempts) { InnerHandler = builder.PrimaryHandler };
        };
    }

    private sealed class Counting(string client, ConcurrentQueue<(string, string, string)> attempts) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            attempts.Enqueue((client, request.Method.Method, request.RequestUri?.AbsolutePath ?? string.Empty));
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>
/// The rules of ServiceCallHandlers.cs, against real sockets: reads are retried when the service was not reached or a
/// gateway said it is unavailable, writes never are, and a service that does not answer costs at most the call's
/// bound; every case ends as a 503 problem with Retry-After, never a hang or a 500.
/// </summary>
public sealed class ServiceCallRulesTests(MisbehavingServicesFixture fixture) : IClassFixture<MisbehavingServicesFixture>
{
    private readonly HttpClient _admin = fixture.System.AdminClient();

    [Fact]
    public async Task Get_ServiceNotListening_IsTriedThreeTimesThen503()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);

        using var response = await _admin.GetAsync($"tenants/{tenant}/roles");

        await AssertUnavailableAsync(response);
        Assert.Equal(3, AttemptsAt("roles", "GET", "/internal/roles"));
    }

    [Fact]
    public async Task Post_ServiceNotListening_IsTriedOnceThen503()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);

        using var response = await _admin.PostAsync($"tenants/{tenant}/roles", new StringContent("{\"displayName\":\"Auditors\"}", Encoding.UTF8, "application/json"));

        await AssertUnavailableAsync(response);
        Assert.Equal(1, AttemptsAt("roles", "POST", "/internal/roles"));
    }

    [Fact]
    public async Task Get_ServiceAnswering503_IsTriedThreeTimesThen503()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);

        using var response = await _admin.GetAsync($"tenants/{tenant}/job-titles");

        await AssertUnavailableAsync(response);
        Assert.Equal(3, fixture.AlwaysUnavailable.Requests.Count(r => r.StartsWith("GET /internal/", StringComparison.Ordinal) && r.Contains("job-titles", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Get_ServiceThatNeverAnswers_Is503WithinTheCallBound()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var clock = Stopwatch.StartNew();

        using var response = await _admin.GetAsync($"tenants/{tenant}/orgunits?probe=stalled-get");

        clock.Stop();
        await AssertUnavailableAsync(response);

        // The ordinary bound is 10 s (ServiceCall.DefaultTimeout), retries included; a read that got no answer is not
        // retried (the service may be working on it). The upper figure only guards against a hang.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(9.5), TimeSpan.FromSeconds(40));
        Assert.Single(fixture.Stalling.Requests, r => r.Contains("probe=stalled-get", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Import_ServiceThatNeverAnswers_Is503WithinTheConfiguredImportBound()
    {
        var tenant = await EdgeTestApi.CreateTenantAsync(_admin);
        var clock = Stopwatch.StartNew();

        using var response = await _admin.PostAsync($"tenants/{tenant}/orgunits/import", new StringContent("path,externalId\nHead Office,HQ\n", Encoding.UTF8, "text/csv"));

        clock.Stop();
        await AssertUnavailableAsync(response);

        // Services:OrgUnits:ImportTimeout is 1 s in this system: well under the 10 s ordinary bound, so the answer
        // in between shows the configured bound applied. A write is sent once.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(9));
        Assert.Single(fixture.Stalling.Requests, r => r.StartsWith("POST /internal/orgunits/import", StringComparison.Ordinal));
    }

    private int AttemptsAt(string client, string method, string path) =>
        fixture.Attempts.Count(a => a.Client == client && a.Method == method && a.Path == path);

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        await EdgeTestApi.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
    }
}
