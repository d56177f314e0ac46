using Microservices.Scim.Filters;

namespace Microservices.Scim.Discovery;

/// <summary>
/// The limits the service enforces and advertises in <c>/ServiceProviderConfig</c> (RFC 7643 §5). They answer
/// OWASP API4 (unrestricted resource consumption): body size, filter length and nesting depth, page size, PATCH
/// operations and members per operation are all bounded. Every value must be positive and the default page no larger than
/// the maximum, or construction throws <see cref="ArgumentOutOfRangeException"/> (a configuration error).
/// <see cref="MaxFilterDepth"/> is at most the parser's default (32): the domain services parse the forwarded filter
/// again with their defaults.
/// </summary>
public sealed record ScimServiceLimits(
    int MaxPayloadBytes,
    int MaxFilterLength,
    int MaxPageSize,
    int MaxPatchOperations,
    int MaxMembersPerOperation,
    int DefaultPageSize,
    int MaxFilterDepth = 32)
{
    /// <summary>
    /// 1 MiB bodies; 100-item default pages (Okta pages with <c>count=100</c>) up to 1,000; 1,000 PATCH operations
    /// and 1,000 members per operation (Okta sends up to 256 memberships per PATCH); 4,096-character filters nested
    /// at most 32 levels deep.
    /// </summary>
    public static ScimServiceLimits Default { get; } = new(
        MaxPayloadBytes: 1_048_576,
        MaxFilterLength: 4_096,
        MaxPageSize: 1_000,
        MaxPatchOperations: 1_000,
        MaxMembersPerOperation: 1_000,
        DefaultPageSize: 100,
        MaxFilterDepth: 32);

    public int MaxPayloadBytes { get; } = Positive(MaxPayloadBytes);

    public int MaxFilterLength { get; } = Positive(MaxFilterLength);

    /// <summary>The largest <c>count</c> served; advertised as <c>filter.maxResults</c>.</summary>
    public int MaxPageSize { get; } = Positive(MaxPageSize);

    public int MaxPatchOperations { get; } = Positive(MaxPatchOperations);

    public int MaxMembersPerOperation { get; } = Positive(MaxMembersPerOperation);

    /// <summary>The page size when the request gives no <c>count</c>.</summary>
    public int DefaultPageSize { get; } = AtMost(Positive(DefaultPageSize), MaxPageSize);

    /// <summary>Deepest nesting of parentheses, <c>not (…)</c> and value paths <c>attr[…]</c> in a filter.</summary>
    public int MaxFilterDepth { get; } = AtMost(Positive(MaxFilterDepth), FilterParserOptions.Default.MaxDepth);

    /// <summary>The filter parser's options for these limits.</summary>
    public FilterParserOptions FilterOptions => new(MaxFilterLength, MaxFilterDepth);

    private static int Positive(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
        return value;
    }

    private static int AtMost(int value, int maximum)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, maximum);
        return value;
    }
}
