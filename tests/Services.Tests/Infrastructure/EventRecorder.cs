using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Microservices.Services.Tests.Infrastructure;

/// <summary>
/// A direct-mode subscriber that keeps what a producer publishes instead of acting on it: it declares one topic on
/// <c>/dapr/subscribe</c> and records every CloudEvent posted to it, answering SUCCESS. A test points a producer's
/// <c>Events:Subscribers</c> here, then hands the real events to the real consumer in the order it wants (late,
/// twice, reversed), which the relay alone would not do on demand.
/// </summary>
public sealed class EventRecorder : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<JsonObject> _events = new();

    private EventRecorder(WebApplication app) => _app = app;

    public Uri Url => new(_app.Urls.First());

    public static async Task<EventRecorder> StartAsync(string topic)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var recorder = new EventRecorder(app);
        app.MapGet("/dapr/subscribe", () => Results.Text(
            new JsonArray(new JsonObject { ["topic"] = topic, ["pubsubName"] = "scim-pubsub", ["route"] = "recorded" }).ToJsonString(),
            "application/json"));
        app.MapPost("/recorded", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            recorder._events.Enqueue(JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject());
            return Results.Text("""{"status":"SUCCESS"}""", "application/json");
        });
        await app.StartAsync();
        return recorder;
    }

    /// <summary>Waits (up to 30 s) for the event of <paramref name="type"/> about <paramref name="aggregateId"/> at <paramref name="version"/>.</summary>
    public async Task<JsonObject> WaitForAsync(string type, string aggregateId, long version)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var found = _events.FirstOrDefault(e =>
                e["type"]?.GetValue<string>() == type
                && e["data"]?["aggregateId"]?.GetValue<string>() == aggregateId
                && e["data"]?["aggregateVersion"]?.GetValue<long>() == version);
            if (found is not null)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < until, $"no {type} for {aggregateId} at version {version} was published; saw: {string.Join(", ", _events.Select(e => $"{e["type"]} {e["data"]?["aggregateId"]} v{e["data"]?["aggregateVersion"]}"))}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
