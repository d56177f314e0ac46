using System.Buffers;
using System.Net;
using Microservices.ScimEdge.Api.Clients;

namespace Microservices.ScimEdge.Api.Admin;

/// <summary>
/// Writes a domain service's response as the admin API's own: status, body (streamed), content type, and the
/// headers a client acts on. A <c>Location</c> under <paramref name="internalPrefix"/> (the service's route, e.g.
/// <c>/internal/orgunits</c>) is rewritten to the admin path; any other internal URL is dropped rather than leaked.
/// </summary>
internal sealed class ForwardedResponse(HttpResponseMessage upstream, string publicPrefix, string internalPrefix = "/internal/orgunits") : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using (upstream)
        {
            var response = httpContext.Response;
            response.StatusCode = (int)upstream.StatusCode;
            if (upstream.Headers.ETag is { } etag)
            {
                response.Headers.ETag = etag.ToString();
            }

            if (PublicLocation(upstream.Headers.Location) is { } location)
            {
                response.Headers.Location = location;
            }

            if (upstream.Headers.RetryAfter is { } retryAfter)
            {
                response.Headers.RetryAfter = retryAfter.ToString();
            }

            if (upstream.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotModified)
            {
                return;
            }

            var content = upstream.Content;
            if (content.Headers.ContentType is { } contentType)
            {
                response.ContentType = contentType.ToString();
            }

            if (content.Headers.ContentLength is { } length)
            {
                response.ContentLength = length;
            }

            if (content.Headers.LastModified is { } lastModified)
            {
                response.Headers.LastModified = lastModified.ToString("R");
            }

            await using var body = await content.ReadAsStreamAsync(httpContext.RequestAborted);
            await body.CopyToAsync(response.Body, httpContext.RequestAborted);
        }
    }

    private string? PublicLocation(Uri? location)
    {
        if (location is null)
        {
            return null;
        }

        var path = location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
        if (!path.StartsWith(internalPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = path[internalPrefix.Length..];
        return rest.Length == 0 || rest[0] is '/' or '?' ? publicPrefix + rest : null;
    }
}

/// <summary>
/// The caller's request body as the content of the call to a domain service, streamed without buffering. A failure
/// to read it (too large, client gone) is marked as the caller's, so it is not mistaken for the service being down.
/// </summary>
internal sealed class InboundBodyContent : HttpContent
{
    private readonly Stream _body;
    private readonly long? _length;

    public InboundBodyContent(HttpRequest request)
    {
        _body = request.Body;
        _length = request.ContentLength;
        if (request.ContentType is { } contentType)
        {
            Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await _body.ReadAsync(buffer, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new InboundBodyException(e);
                }

                if (read == 0)
                {
                    return;
                }

                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length ?? 0;
        return _length is not null;
    }
}
