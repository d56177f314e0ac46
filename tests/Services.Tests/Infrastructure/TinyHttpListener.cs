using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Microservices.Services.Tests.Infrastructure;

/// <summary>
/// A real HTTP/1.1 endpoint on loopback that misbehaves on purpose: it reads each request's head and then either
/// answers with a fixed raw response (e.g. a bare 503) or, with none, never answers and keeps the connection open.
/// It counts the requests it read, so a test sees how often a caller tried.
/// </summary>
public sealed class TinyHttpListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _connections = [];
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly string? _response;
    private readonly Task _accepting;

    private TinyHttpListener(string? response)
    {
        _response = response;
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Url { get; }

    /// <summary>The request lines ("GET /path HTTP/1.1") read so far, in arrival order.</summary>
    public IReadOnlyCollection<string> Requests => [.. _requests];

    /// <summary>Reads each request and never answers it.</summary>
    public static TinyHttpListener Stalling() => new(null);

    /// <summary>Answers every request with <paramref name="status"/>, an empty body, and closes the connection.</summary>
    public static TinyHttpListener Answering(HttpStatusCode status) =>
        new($"HTTP/1.1 {(int)status} {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient connection;
            try
            {
                connection = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _connections.Add(connection);
            _ = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(TcpClient connection)
    {
        try
        {
            var stream = connection.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            _requests.Enqueue(head.ToString()[..head.ToString().IndexOf("\r\n", StringComparison.Ordinal)]);
            if (_response is null)
            {
                // Stall: hold the connection until the caller gives up or the listener is disposed.
                await Task.Delay(Timeout.Infinite, _stop.Token);
                return;
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(_response), _stop.Token);
            connection.Close();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The caller hung up or the listener stopped.
        }
    }
}
