using Dapper;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.ScimEdge.Api.RateLimits;

/// <summary>The per-tenant override, kept on the tenant row (NULL = the configured default).</summary>
public sealed class RateLimitStore(Database database)
{
    /// <summary>Whether the tenant exists, and its override if it has one.</summary>
    public async Task<(bool Exists, RateLimit? Override)> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT rate_limit_rps AS Rps, rate_limit_burst AS Burst FROM tenants WHERE id = @tenantId", new { tenantId }, cancellationToken: cancellationToken));
        return row is null ? (false, null) : (true, row is { Rps: { } rps, Burst: { } burst } ? new RateLimit((int)rps, (int)burst) : null);
    }

    /// <summary>Sets (or with null clears) the override; false when there is no such tenant.</summary>
    public Task<bool> SetAsync(string tenantId, RateLimit? limit, CancellationToken cancellationToken) =>
        database.InTransactionAsync(
            async (connection, transaction) => await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE tenants SET rate_limit_rps = @rps, rate_limit_burst = @burst WHERE id = @tenantId",
                new { tenantId, rps = (long?)limit?.RequestsPerSecond, burst = (long?)limit?.Burst },
                transaction,
                cancellationToken: cancellationToken)) > 0,
            cancellationToken);

    private sealed record Row(long? Rps, long? Burst);
}
