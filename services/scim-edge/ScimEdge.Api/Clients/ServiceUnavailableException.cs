namespace Microservices.ScimEdge.Api.Clients;

/// <summary>
/// A domain service (or the edge's own store) could not answer: connection refused, timed out, or a gateway status
/// (502–504). The admin API turns it into a 503 problem, the SCIM pipeline into a 503 SCIM error; never a 500.
/// </summary>
public sealed class ServiceUnavailableException : Exception
{
    public ServiceUnavailableException(string service, string reason, Exception? innerException = null)
        : base($"{service} is unavailable: {reason}", innerException)
    {
        Service = service;
    }

    /// <summary>The app id (or store name) that failed; safe to show to callers.</summary>
    public string Service { get; }

    /// <summary>Seconds a caller should wait before trying again (the <c>Retry-After</c> header).</summary>
    public const int RetryAfterSeconds = 5;
}
