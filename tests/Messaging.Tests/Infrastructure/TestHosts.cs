using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Dapper;
using Microservices.ServiceDefaults.Hosting;
using Microservices.ServiceDefaults.Internal;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microservices.Messaging.Tests.Infrastructure;

public sealed record WidgetChanged(string Id, long Version, long Total, long Amount);

public sealed record BumpRequest(long Amount, bool Rollback = false);

public sealed record BumpResponse(string EventId, long Version);

/// <summary>
/// The producer and consumer test hosts: plain WebApplications on loopback ports with the library wired exactly as a
/// domain service wires it (AddServiceDefaults, AddStore, AddMessaging, internal token, subscriptions).
/// </summary>
public static class TestHosts
{
    public const string Token = "messaging-test-token-0123456789abcdef";
    public const string Topic = "widgets";
    public const string BumpedType = "widget.bumped.v1";
    public const string DeletedType = "widget.deleted.v1";
    public const string ConsumerName = "consumer:widgets";

    public static Uri FreeUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
    }

    public static Dictionary<string, string?> Settings(TestDatabases databases, string connectionString) => new()
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Store:Engine"] = databases.EngineName,
        ["Store:ConnectionString"] = connectionString,
        [InternalApi.TokenConfigKey] = Token,
        ["Events:Mode"] = "direct",
        ["Events:PollInterval"] = "00:00:00.100",
        ["Events:RetryInitialDelay"] = "00:00:00.050",
        ["Events:RetryMaxDelay"] = "00:00:00.400",
        ["Events:SubscriberRefreshInterval"] = "00:00:01",
        ["Events:DeliveryTimeout"] = "00:00:05",
    };

    /// <summary>A producer: <c>POST /widgets/{id}/bump</c> and <c>DELETE /widgets/{id}</c> change a widget and enqueue its event.</summary>
    public static async Task<TestNode> StartProducerAsync(
        Uri? url,
        Dictionary<string, string?> settings,
        Action<IServiceCollection>? services = null)
    {
        var builder = CreateBuilder(url, settings);
        builder.AddServiceDefaults("producer");
        builder.AddStore("producer", typeof(TestHosts).Assembly);
        builder.AddMessaging("producer");
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.UseInternalAuthentication();
        app.MapPost("/widgets/{id}/bump", async (string id, BumpRequest request, Database database, OutboxSignal signal, CancellationToken cancellationToken) =>
        {
            var result = await database.InTransactionAsync(
                async (connection, transaction) =>
                {
                    var (version, total) = await NextAsync(connection, transaction, id, request.Amount, cancellationToken);
                    var eventId = await Outbox.EnqueueAsync(
                        connection,
                        transaction,
                        new OutgoingEvent(Topic, BumpedType, id, version, new WidgetChanged(id, version, total, request.Amount)),
                        cancellationToken);
                    if (request.Rollback)
                    {
                        throw new InvalidOperationException("the business change failed after its event was enqueued");
                    }

                    return new BumpResponse(eventId, version);
                },
                cancellationToken);
            signal.Notify();
            return TypedResults.Ok(result);
        });
        app.MapDelete("/widgets/{id}", async (string id, Database database, OutboxSignal signal, CancellationToken cancellationToken) =>
        {
            var result = await database.InTransactionAsync(
                async (connection, transaction) =>
                {
                    var (version, total) = await NextAsync(connection, transaction, id, 0, cancellationToken);
                    var eventId = await Outbox.EnqueueAsync(
                        connection, transaction, new OutgoingEvent(Topic, DeletedType, id, version, new WidgetChanged(id, version, total, 0)), cancellationToken);
                    return new BumpResponse(eventId, version);
                },
                cancellationToken);
            signal.Notify();
            return TypedResults.Ok(result);
        });

        return await StartAsync(app);
    }

    /// <summary>
    /// A consumer of the widgets topic: inbox-deduplicated, version-guarded projection with tombstones, a dead-letter
    /// store, a log of every delivery that reached the handler, and scripted answers per widget id.
    /// </summary>
    public static async Task<TestNode> StartConsumerAsync(Uri? url, Dictionary<string, string?> settings)
    {
        var builder = CreateBuilder(url, settings);
        builder.AddServiceDefaults("consumer");
        builder.AddStore("consumer", typeof(TestHosts).Assembly);
        builder.AddMessaging("consumer");
        builder.Services.AddSingleton<DeliveryLog>();
        builder.Services.AddSingleton<ConsumerScript>();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.UseInternalAuthentication();
        app.UseEventSubscriptions();
        app.MapSubscribeHandler();
        app.MapEventSubscription(Topic, "/events/widgets", HandleAsync);
        app.MapDeadLetterSubscription(Topic, "/events/widgets-deadletter", "consumer");

        return await StartAsync(app);
    }

    /// <summary>A service that subscribes to nothing: it maps no <c>/dapr/subscribe</c> at all.</summary>
    public static async Task<TestNode> StartBareAsync(Dictionary<string, string?> settings)
    {
        var builder = CreateBuilder(null, settings);
        builder.AddServiceDefaults("bare");
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.UseInternalAuthentication();
        return await StartAsync(app);
    }

    private static async Task<IResult> HandleAsync(
        IncomingEvent incoming, Database database, DeliveryLog log, ConsumerScript script, CancellationToken cancellationToken)
    {
        log.Record(incoming);
        switch (script.Next(incoming.AggregateId))
        {
            case "RETRY":
                return EventResults.Retry();
            case "DROP":
                return EventResults.Drop();
            case "404":
                return TypedResults.NotFound();
            case "500":
                throw new InvalidOperationException("scripted transient failure");
        }

        if (incoming.Type is not (BumpedType or DeletedType))
        {
            throw new EventPayloadException($"unknown event type {incoming.Type}");
        }

        var widget = incoming.PayloadAs<WidgetChanged>();
        await database.ProcessOnceAsync(ConsumerName, incoming, async (connection, transaction) =>
        {
            // Order tolerance: apply only what is newer than the projection; a tombstone is never overwritten.
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO widget_projection (id, version, total, deleted_at) VALUES (@id, @version, @total, @deletedAt)
                ON CONFLICT (id) DO UPDATE SET version = excluded.version, total = excluded.total, deleted_at = excluded.deleted_at
                WHERE widget_projection.version < excluded.version AND widget_projection.deleted_at IS NULL
                """,
                new
                {
                    id = incoming.AggregateId,
                    version = incoming.AggregateVersion,
                    total = widget.Total,
                    deletedAt = incoming.Type == DeletedType ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 : (long?)null,
                },
                transaction,
                cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO widget_effects (id, processed) VALUES (@id, 1) ON CONFLICT (id) DO UPDATE SET processed = widget_effects.processed + 1",
                new { id = incoming.AggregateId },
                transaction,
                cancellationToken: cancellationToken));
        }, cancellationToken);
        return EventResults.Success();
    }

    private static async Task<(long Version, long Total)> NextAsync(
        System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string id, long amount, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO widgets (id, version, total) VALUES (@id, 1, @amount)
            ON CONFLICT (id) DO UPDATE SET version = widgets.version + 1, total = widgets.total + excluded.total
            """,
            new { id, amount },
            transaction,
            cancellationToken: cancellationToken));
        return await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            "SELECT version, total FROM widgets WHERE id = @id", new { id }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Without a URL the host binds port 0 and reports the port it got (no race with other tests for a "free" port).</summary>
    private static WebApplicationBuilder CreateBuilder(Uri? url, Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls((url ?? new Uri("http://127.0.0.1:0/")).ToString());
        return builder;
    }

    private static async Task<TestNode> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return new TestNode(app, BoundUrl(app));
    }

    public static Uri BoundUrl(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }
}

/// <summary>A running test host.</summary>
public sealed class TestNode(WebApplication app, Uri url) : IAsyncDisposable
{
    private bool _stopped;

    public WebApplication App { get; } = app;

    public Uri Url { get; } = url;

    public Database Database => App.Services.GetRequiredService<Database>();

    public DeliveryLog Log => App.Services.GetRequiredService<DeliveryLog>();

    public ConsumerScript Script => App.Services.GetRequiredService<ConsumerScript>();

    public HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = Url };
        client.DefaultRequestHeaders.Add(InternalApi.TokenHeader, TestHosts.Token);
        return client;
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}

/// <summary>Every delivery that reached the consumer's handler, by event id (before the inbox).</summary>
public sealed class DeliveryLog
{
    private readonly ConcurrentDictionary<string, int> _byEvent = new();
    private readonly ConcurrentQueue<IncomingEvent> _all = new();

    public void Record(IncomingEvent incoming)
    {
        _byEvent.AddOrUpdate(incoming.Id, 1, (_, n) => n + 1);
        _all.Enqueue(incoming);
    }

    public int Count(string eventId) => _byEvent.TryGetValue(eventId, out var n) ? n : 0;

    public IReadOnlyCollection<IncomingEvent> All => [.. _all];
}

/// <summary>Scripted answers per widget id, consumed in order; when none is left the handler processes normally.</summary>
public sealed class ConsumerScript
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _answers = new();

    public void Answer(string widgetId, params string[] answers)
    {
        var queue = _answers.GetOrAdd(widgetId, _ => new ConcurrentQueue<string>());
        foreach (var answer in answers)
        {
            queue.Enqueue(answer);
        }
    }

    public string? Next(string widgetId) => _answers.TryGetValue(widgetId, out var queue) && queue.TryDequeue(out var answer) ? answer : null;
}
