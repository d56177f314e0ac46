namespace Microservices.ScimEdge.Api.Clients;

/// <summary>
/// Reading the caller's request body failed while it was being streamed to a domain service (too large, client gone).
/// That is the caller's fault, not the service's, so the failure handler rethrows the inner exception instead of
/// reporting the service unavailable.
/// </summary>
public sealed class InboundBodyException : Exception
{
    public InboundBodyException(Exception innerException)
        : base("reading the request body failed", innerException)
    {
    }
}
