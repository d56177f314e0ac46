using System.Net;
using System.Runtime.ExceptionServices;
using Microservices.ServiceDefaults.Internal;

namespace Microservices.ScimEdge.Api.Clients;

/// <summary>
/// Outermost handler of every service client: bounds the call in time and turns "the service is not there"
/// (connection failure, timeout, 502–504) into <see cref="ServiceUnavailableException"/>, so callers answer 503
/// instead of hanging or failing with a 500.
/// </summary>
internal sealed class ServiceFailureHandler(string service, TimeProvider clock) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var timeout = request.Options.TryGetValue(ServiceCall.TimeoutOption, out var requested) ? requested : ServiceCall.DefaultTimeout;
        using var timeoutSource = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);

        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, linked.Token);
        }
        catch (Exception e) when (FindInboundFailure(e) is { } inbound)
        {
            ExceptionDispatchInfo.Throw(inbound.InnerException!);
            throw;
        }
        catch (OperationCanceledException e) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ServiceUnavailableException(service, "no answer in time", e);
        }
        catch (HttpRequestException e)
        {
            throw new ServiceUnavailableException(service, "the connection failed", e);
        }

        if (ServiceCall.IsGatewayFailure(response.StatusCode))
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new ServiceUnavailableException(service, $"it answered {status}");
        }

        return response;
    }

    private static InboundBodyException? FindInboundFailure(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is InboundBodyException inbound)
            {
                return inbound;
            }
        }

        return null;
    }
}

/// <summary>
/// Retries idempotent reads (GET, HEAD) at most twice, and only when the service was not reached or a gateway said it
/// was unavailable; writes are never retried here because the service may have applied them.
/// </summary>
internal sealed class IdempotentRetryHandler(TimeProvider clock) : DelegatingHandler
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300)];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                if (attempt >= Backoff.Length || !ServiceCall.IsGatewayFailure(response.StatusCode))
                {
                    return response;
                }

                response.Dispose();
            }
            catch (HttpRequestException e) when (attempt < Backoff.Length && e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
            {
                // Nothing reached the service; the next attempt may find a replica that is up.
            }

            await Task.Delay(Backoff[attempt], clock, cancellationToken);
        }
    }
}

/// <summary>Direct mode: the caller itself presents the callee's app token, as the Dapr sidecar would.</summary>
internal sealed class InternalTokenHandler(string token) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove(InternalApi.TokenHeader);
        request.Headers.TryAddWithoutValidation(InternalApi.TokenHeader, token);
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// Dapr mode: when the sidecar cannot reach the callee it answers 500 with <c>errorCode: ERR_DIRECT_INVOKE</c>
/// (docs: reference/api/service_invocation_api, "HTTP Response codes"). That is unavailability, not an application
/// error, so it is reported as 503 to the handlers above (which retry reads and then give up with a 503).
/// </summary>
internal sealed class DaprInvokeFailureHandler : DelegatingHandler
{
    private const long MaxInspectedBody = 64 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.InternalServerError || response.Content.Headers.ContentLength is > MaxInspectedBody)
        {
            return response;
        }

        await response.Content.LoadIntoBufferAsync(MaxInspectedBody, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!body.Contains("ERR_DIRECT_INVOKE", StringComparison.Ordinal))
        {
            return response;
        }

        response.Dispose();
        return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request };
    }
}
