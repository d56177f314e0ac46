using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microservices.OrgUnits.Api;
using Microservices.Roles.Api;
using Microservices.ScimEdge.Api;
using Microservices.ServiceDefaults.Storage;
using Microservices.Users.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microservices.Services.Tests.Infrastructure;

/// <summary>
/// The whole system as local mode runs it: four real hosts, each on its own loopback port and its own database,
/// calling each other over HTTP exactly as the launcher wires them.
/// </summary>
public sealed class RunningSystem : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token-0123456789abcdef";
    public const string InternalToken = "test-internal-token-0123456789abcdef";

    /// <summary>The default SCIM rate limit (requests/s and burst) of a test system: far above what any test sends.</summary>
    public const int TestDefaultRateLimit = 100_000;

    private readonly List<WebApplication> _hosts = [];
    private readonly Dictionary<string, WebApplication> _hostsByService = [];
    private readonly TestStores _stores;

    private RunningSystem(TestStores stores, IReadOnlyDictionary<string, Uri> urls)
    {
        _stores = stores;
        Urls = urls;
    }

    /// <summary>Base URL of each service by name: scim-edge, users, roles, orgunits.</summary>
    public IReadOnlyDictionary<string, Uri> Urls { get; }

    public Uri EdgeUrl => Urls[ScimEdgeApp.ServiceName];

    public Uri ScimBaseUrl => new(EdgeUrl, "/v1/scim/");

    public StoreEngine Engine => _stores.Engine;

    /// <summary>
    /// Starts all four services. <paramref name="overrides"/> adds or replaces configuration per service;
    /// <paramref name="configureHost"/> may replace services of a host (e.g. its <see cref="TimeProvider"/>);
    /// <paramref name="logs"/>, when given, receives every host's log entries from its minimum level up, whatever the
    /// console's levels are.
    /// </summary>
    public static async Task<RunningSystem> StartAsync(
        StoreEngine engine,
        Action<string, IDictionary<string, string?>>? overrides = null,
        Action<string, WebApplicationBuilder>? configureHost = null,
        LogCapture? logs = null)
    {
        var stores = TestStores.Create(engine);
        string[] services = [UsersApp.ServiceName, RolesApp.ServiceName, OrgUnitsApp.ServiceName, ScimEdgeApp.ServiceName];
        var urls = services.ToDictionary(s => s, _ => new Uri($"http://127.0.0.1:{FreePort()}"));
        var system = new RunningSystem(stores, urls);
        try
        {
            foreach (var service in services)
            {
                var settings = new Dictionary<string, string?>
                {
                    ["Logging:LogLevel:Default"] = "Warning",
                    ["Store:Engine"] = stores.EngineName,
                    ["Store:ConnectionString"] = await stores.CreateAsync(service),
                    ["APP_API_TOKEN"] = InternalToken,
                    ["Events:Mode"] = "direct",
                    ["Events:Subscribers"] = string.Join(',', services.Where(s => s != service && s != ScimEdgeApp.ServiceName).Select(s => urls[s].ToString())),
                    ["Events:PollInterval"] = "00:00:00.100",
                };
                if (service == ScimEdgeApp.ServiceName)
                {
                    settings["SCIM_ADMIN_TOKEN"] = AdminToken;
                    settings["Scim:PublicBaseUrl"] = new Uri(urls[service], "/v1/scim").ToString();
                    settings["Services:Mode"] = "direct";
                    settings["Services:InternalToken"] = InternalToken;
                    settings["Services:Users:BaseUrl"] = urls[UsersApp.ServiceName].ToString();
                    settings["Services:Roles:BaseUrl"] = urls[RolesApp.ServiceName].ToString();
                    settings["Services:OrgUnits:BaseUrl"] = urls[OrgUnitsApp.ServiceName].ToString();

                    // Tests send hundreds of requests a second for one tenant; the production default (50/s) would
                    // turn them into 429s. Rate limiting is tested with per-tenant limits (Edge/RateLimitTests).
                    settings["Scim:RateLimits:RequestsPerSecond"] = TestDefaultRateLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    settings["Scim:RateLimits:Burst"] = TestDefaultRateLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                overrides?.Invoke(service, settings);
                await system.StartHostAsync(service, urls[service], settings, configureHost, logs);
            }

            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client for the admin API, with the operator token.</summary>
    public HttpClient AdminClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(EdgeUrl, "/admin/v1/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    /// <summary>A client for the SCIM API, authenticated by <paramref name="apiKey"/> when given.</summary>
    public HttpClient ScimClient(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = ScimBaseUrl };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    /// <summary>A client for one domain service's internal API, presenting the internal token.</summary>
    public HttpClient InternalClient(string service, string? tenant = null)
    {
        var client = new HttpClient { BaseAddress = Urls[service] };
        client.DefaultRequestHeaders.Add("dapr-api-token", InternalToken);
        if (tenant is not null)
        {
            client.DefaultRequestHeaders.Add("x-tenant-id", tenant);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }

        await _stores.DisposeAsync();
    }

    /// <summary>Stops one service the way a shutdown does; its database stays until the system is disposed.</summary>
    public async Task StopHostAsync(string service)
    {
        var host = _hostsByService[service];
        await host.StopAsync();
        await host.DisposeAsync();
        _hosts.Remove(host);
        _hostsByService.Remove(service);
    }

    private async Task StartHostAsync(string service, Uri url, Dictionary<string, string?> settings, Action<string, WebApplicationBuilder>? configureHost, LogCapture? logs)
    {
        Action<WebApplicationBuilder> configure = b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.WebHost.UseUrls(url.ToString());
            if (logs is not null)
            {
                // A rule for the capturing provider alone beats every category rule (the hosts keep Microsoft.AspNetCore
                // at Warning), so the capture sees everything from its level while the console stays as configured.
                b.Logging.AddFilter<CapturingLoggerProvider>(null, logs.MinimumLevel);
            }

            configureHost?.Invoke(service, b);
        };
        var host = service switch
        {
            UsersApp.ServiceName => UsersApp.Build([], configure),
            RolesApp.ServiceName => RolesApp.Build([], configure),
            OrgUnitsApp.ServiceName => OrgUnitsApp.Build([], configure),
            ScimEdgeApp.ServiceName => ScimEdgeApp.Build([], configure),
            _ => throw new ArgumentOutOfRangeException(nameof(service)),
        };
        if (logs is not null)
        {
            // Added to the built host's factory: each App.Build clears the providers registered before it (it sets up
            // the JSON console), and the factory hands a provider added now to the loggers it already created.
            host.Services.GetRequiredService<ILoggerFactory>().AddProvider(new CapturingLoggerProvider(logs, service));
        }

        _hosts.Add(host);
        _hostsByService[service] = host;
        await host.StartAsync();
    }

    // Ports come from below Linux's ephemeral range (32768-60999): a port the OS hands to outgoing connections
    // (PostgreSQL clients, HTTP clients) could be taken between this check and the host binding it.
    private static int FreePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken: try another
            }
        }

        throw new InvalidOperationException("no free loopback port found");
    }
}
