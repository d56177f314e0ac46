using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microservices.OrgUnits.Api;
using Microservices.Roles.Api;
using Microservices.ServiceDefaults.Messaging;
using Microservices.Users.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Microservices.Charts.Tests.Infrastructure;

/// <summary>One subscription as <c>GET /dapr/subscribe</c> declares it to the sidecar.</summary>
public sealed record DaprSubscription(string PubSubName, string Topic, string? DeadLetterTopic);

/// <summary>
/// What each service really publishes and subscribes, so the chart's topic scopes are checked against the code and
/// cannot drift from it:
/// <list type="bullet">
/// <item>subscriptions: each domain service is started on loopback over SQLite and asked <c>GET /dapr/subscribe</c>,
/// the very answer its sidecar reads at start-up (dead-letter topics included);</item>
/// <item>publications: the topics of the <see cref="OutgoingEvent"/>s the service's source enqueues. Every mention of
/// <c>OutgoingEvent</c> under <c>services/&lt;app-id&gt;/</c> must be <c>new OutgoingEvent(Topics.&lt;Name&gt;, …)</c>;
/// anything else fails, because the topic it publishes could not be told from the source.</item>
/// </list>
/// scim-edge loads no broker: it neither publishes nor subscribes (its source holds no <c>OutgoingEvent</c>).
/// </summary>
public static partial class ServiceTopics
{
    public const string DaprApiToken = "charts-tests-internal-token-0123456789";

    private static readonly Lazy<Task<IReadOnlyDictionary<string, IReadOnlyList<DaprSubscription>>>> _subscriptions =
        new(ReadSubscriptionsAsync);

    /// <summary>The app ids of the services whose source lives under <c>services/&lt;app-id&gt;</c>.</summary>
    public static IReadOnlyList<string> AppIds { get; } = ["scim-edge", UsersApp.ServiceName, RolesApp.ServiceName, OrgUnitsApp.ServiceName];

    /// <summary>Every service's <c>/dapr/subscribe</c> answer, by app id (scim-edge: none).</summary>
    public static Task<IReadOnlyDictionary<string, IReadOnlyList<DaprSubscription>>> SubscriptionsAsync() => _subscriptions.Value;

    /// <summary>The topics the service's own code publishes (its outbox), from its source.</summary>
    public static IReadOnlyList<string> Publications(string appId)
    {
        var topics = typeof(Topics).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!, StringComparer.Ordinal);
        var published = new SortedSet<string>(StringComparer.Ordinal);
        var folder = Repo.File("services", appId);
        Assert.True(Directory.Exists(folder), folder);
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Repo.Root, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            {
                continue;
            }

            var source = File.ReadAllText(file);
            var explicitNew = OutgoingEventNew().Count(source);
            var explicitWithTopic = OutgoingEventConstruction().Count(source);
            Assert.True(explicitNew == explicitWithTopic,
                $"{relative}: every OutgoingEvent must be constructed with a topic constant first, `new OutgoingEvent(Topics.<Name>, ...)` or a target-typed `new(Topics.<Name>, ...)`, so the topic it publishes can be read from the source");
            foreach (Match match in OutgoingEventConstruction().Matches(source).Concat(TargetTypedConstruction().Matches(source)))
            {
                var name = match.Groups[1].Value;
                Assert.True(topics.TryGetValue(name, out var topic), $"{relative}: Topics.{name} is not a topic constant");
                published.Add(topic!);
            }
        }

        return [.. published];
    }

    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<DaprSubscription>>> ReadSubscriptionsAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "scim-charts-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var result = new Dictionary<string, IReadOnlyList<DaprSubscription>>(StringComparer.Ordinal) { ["scim-edge"] = [] };
            foreach (var appId in AppIds.Where(a => a != "scim-edge"))
            {
                result[appId] = await ReadSubscriptionsAsync(appId, folder);
            }

            return result;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }

    private static async Task<IReadOnlyList<DaprSubscription>> ReadSubscriptionsAsync(string appId, string folder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Store:Engine"] = "sqlite",
            ["Store:ConnectionString"] = $"Data Source={Path.Combine(folder, appId + ".db")}",
            ["APP_API_TOKEN"] = DaprApiToken,
            ["Events:Mode"] = "direct",
        };
        Action<WebApplicationBuilder> configure = b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.WebHost.UseUrls("http://127.0.0.1:0");
        };
        await using var app = appId switch
        {
            UsersApp.ServiceName => UsersApp.Build([], configure),
            RolesApp.ServiceName => RolesApp.Build([], configure),
            OrgUnitsApp.ServiceName => OrgUnitsApp.Build([], configure),
            _ => throw new ArgumentOutOfRangeException(nameof(appId), appId, "not a domain service"),
        };
        await app.StartAsync();
        try
        {
            // As the sidecar asks: with the app API token (dapr.io/app-token-secret).
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            client.DefaultRequestHeaders.Add("dapr-api-token", DaprApiToken);
            var answer = await client.GetFromJsonAsync<JsonElement>("/dapr/subscribe");
            return [.. answer.EnumerateArray().Select(s => new DaprSubscription(
                s.GetProperty("pubsubName").GetString()!,
                s.GetProperty("topic").GetString()!,
                s.TryGetProperty("deadLetterTopic", out var deadLetter) ? deadLetter.GetString() : null))];
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [GeneratedRegex(@"\bnew\s+OutgoingEvent\s*\(")]
    private static partial Regex OutgoingEventNew();

    // A target-typed construction whose first argument is a topic constant (the only Topics-first constructor here).
    [GeneratedRegex(@"\bnew\s*\(\s*Topics\.([A-Za-z_][A-Za-z0-9_]*)\s*,")]
    private static partial Regex TargetTypedConstruction();

    [GeneratedRegex(@"\bnew\s+OutgoingEvent\s*\(\s*Topics\.([A-Za-z_][A-Za-z0-9_]*)\s*,")]
    private static partial Regex OutgoingEventConstruction();
}
