using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Client.Autogen.Grpc.v1;
using Microservices.ServiceDefaults.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Microservices.Messaging.Tests.Infrastructure;

/// <summary>
/// The Dapr sidecar's publish API, as the real DaprClient reaches it: gRPC <c>dapr.proto.runtime.v1.Dapr/PublishEvent</c>
/// over HTTP/2 on loopback. It records each request and, when given a subscriber, wraps the data in a CloudEvent the
/// way the sidecar does (metadata overrides for id, type, traceparent) and delivers it to the subscriber's route.
/// </summary>
public sealed class FakeSidecar : IAsyncDisposable
{
    private const string PublishPath = "/dapr.proto.runtime.v1.Dapr/PublishEvent";

    private readonly WebApplication _app;
    private readonly Uri? _subscriber;
    private readonly HttpClient _client = new();

    private FakeSidecar(WebApplication app, Uri? subscriber)
    {
        _app = app;
        _subscriber = subscriber;
    }

    public Uri GrpcUrl { get; private set; } = null!;

    public ConcurrentQueue<PublishEventRequest> Requests { get; } = new();

    private int _failures;

    /// <summary>The next <paramref name="count"/> publishes fail with gRPC UNAVAILABLE (a sidecar or broker outage).</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failures, count);

    public static async Task<FakeSidecar> StartAsync(Uri? subscriber = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        var sidecar = new FakeSidecar(app, subscriber);
        app.MapPost(PublishPath, sidecar.PublishAsync);
        await app.StartAsync();
        sidecar.GrpcUrl = TestHosts.BoundUrl(app);
        return sidecar;
    }

    private async Task PublishAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var frame = buffer.ToArray();

        // gRPC framing: 1 byte compressed flag, 4 bytes big-endian length, then the protobuf message.
        var length = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(1, 4));
        var request = PublishEventRequest.Parser.ParseFrom(frame.AsSpan(5, length));
        Requests.Enqueue(request);
        context.Response.ContentType = "application/grpc";
        if (Interlocked.Decrement(ref _failures) >= 0)
        {
            context.Response.AppendTrailer("grpc-status", "14");
            context.Response.AppendTrailer("grpc-message", "broker unavailable");
            return;
        }

        if (_subscriber is not null)
        {
            await DeliverAsync(request);
        }

        context.Response.AppendTrailer("grpc-status", "0");
        await context.Response.Body.WriteAsync(new byte[5]);
    }

    private async Task DeliverAsync(PublishEventRequest request)
    {
        using var subscriptions = await Send(HttpMethod.Get, new Uri(_subscriber!, "dapr/subscribe"), null);
        var route = JsonNode.Parse(await subscriptions.Content.ReadAsStringAsync())!.AsArray()
            .Single(s => (string?)s!["topic"] == request.Topic)!["route"]!.GetValue<string>();
        var cloudEvent = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = request.Metadata.TryGetValue("cloudevent.id", out var id) ? id : Guid.NewGuid().ToString(),
            ["source"] = "producer",
            ["type"] = request.Metadata.TryGetValue("cloudevent.type", out var type) ? type : "com.dapr.event.sent",
            ["topic"] = request.Topic,
            ["pubsubname"] = request.PubsubName,
            ["datacontenttype"] = request.DataContentType,
            ["traceparent"] = request.Metadata.TryGetValue("cloudevent.traceparent", out var traceparent) ? traceparent : null,
            ["data"] = JsonNode.Parse(request.Data.ToStringUtf8()),
        };
        using var delivered = await Send(HttpMethod.Post, new Uri(_subscriber!, route.TrimStart('/')), cloudEvent.ToJsonString());
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, Uri uri, string? cloudEvent)
    {
        var message = new HttpRequestMessage(method, uri);
        message.Headers.Add(InternalApi.TokenHeader, TestHosts.Token);
        if (cloudEvent is not null)
        {
            message.Content = new StringContent(cloudEvent, Encoding.UTF8, "application/cloudevents+json");
        }

        return _client.SendAsync(message);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public static JsonElement Data(PublishEventRequest request) => JsonDocument.Parse(request.Data.ToStringUtf8()).RootElement.Clone();
}
