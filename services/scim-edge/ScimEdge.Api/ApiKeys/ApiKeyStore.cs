using Dapper;
using Microservices.ScimEdge.Api.Persistence;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.ScimEdge.Api.ApiKeys;

/// <summary>An API key as the admin API lists it; the secret is never part of it.</summary>
public sealed record ApiKeyInfo(string Id, string Title, string? Description, DateTimeOffset Created, DateTimeOffset? Revoked, DateTimeOffset? LastUsed);

/// <summary>
/// A key found by its digest, with the tenant settings the SCIM endpoints need. A revoked key (<see cref="RevokedAt"/>
/// set) authenticates nothing; it is returned so that its 401 can be audited under its tenant.
/// </summary>
public sealed record StoredApiKey(string KeyId, string TenantId, string DefaultLanguage, string TimeZone, string DateFormat, long? LastUsedAt, long? RevokedAt);

public enum CreateApiKeyOutcome
{
    Created,
    TenantNotFound,
    DuplicateTitle,
    LimitReached,
}

public sealed record CreateApiKeyResult(CreateApiKeyOutcome Outcome, ApiKeyInfo? Key = null, string? Secret = null);

public enum RevokeApiKeyOutcome
{
    Revoked,
    AlreadyRevoked,
    NotFound,
}

public sealed record RevokeApiKeyResult(RevokeApiKeyOutcome Outcome, string? Digest = null);

public sealed class ApiKeyStore(Database database, TimeProvider clock)
{
    /// <summary>Assure allows up to 30 API keys per customer (knowledge base, "Creating and managing your API keys").</summary>
    public const int MaxActiveKeysPerTenant = 30;

    public async Task<CreateApiKeyResult> CreateAsync(string tenantId, string title, string? description, CancellationToken cancellationToken)
    {
        var secret = ApiKeySecret.Generate();
        var now = UnixMicroseconds.Now(clock);
        var key = new ApiKeyInfo(Guid.CreateVersion7().ToString(), title, description, UnixMicroseconds.ToDateTimeOffset(now), null, null);
        try
        {
            return await database.InTransactionAsync(
                async (connection, transaction) =>
                {
                    // Locking the tenant row serialises key creation per tenant on PostgreSQL, so two requests racing
                    // at 29 keys cannot both pass the limit; SQLite's single writer already does.
                    var tenant = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                        "SELECT id FROM tenants WHERE id = @tenantId" + database.ForUpdate, new { tenantId }, transaction, cancellationToken: cancellationToken));
                    if (tenant is null)
                    {
                        return new CreateApiKeyResult(CreateApiKeyOutcome.TenantNotFound);
                    }

                    var active = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                        "SELECT COUNT(*) FROM api_keys WHERE tenant_id = @tenantId AND revoked_at IS NULL", new { tenantId }, transaction, cancellationToken: cancellationToken));
                    if (active >= MaxActiveKeysPerTenant)
                    {
                        return new CreateApiKeyResult(CreateApiKeyOutcome.LimitReached);
                    }

                    var sameTitle = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                        "SELECT COUNT(*) FROM api_keys WHERE tenant_id = @tenantId AND revoked_at IS NULL AND lower(title) = lower(@title)",
                        new { tenantId, title },
                        transaction,
                        cancellationToken: cancellationToken));
                    if (sameTitle > 0)
                    {
                        return new CreateApiKeyResult(CreateApiKeyOutcome.DuplicateTitle);
                    }

                    await connection.ExecuteAsync(new CommandDefinition(
                        "INSERT INTO api_keys (id, tenant_id, title, description, secret_digest, created_at) VALUES (@id, @tenantId, @title, @description, @digest, @now)",
                        new { id = key.Id, tenantId, title, description, digest = ApiKeySecret.Digest(secret), now },
                        transaction,
                        cancellationToken: cancellationToken));
                    return new CreateApiKeyResult(CreateApiKeyOutcome.Created, key, secret);
                },
                cancellationToken);
        }
        catch (Exception e) when (Database.IsUniqueViolation(e))
        {
            // The partial unique index is the backstop for the title check above.
            return new CreateApiKeyResult(CreateApiKeyOutcome.DuplicateTitle);
        }
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(
            "SELECT id AS Id, title AS Title, description AS Description, created_at AS CreatedAt, revoked_at AS RevokedAt, last_used_at AS LastUsedAt "
            + "FROM api_keys WHERE tenant_id = @tenantId ORDER BY created_at, id",
            new { tenantId },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToInfo())];
    }

    /// <summary>Revokes the key; the digest comes back so the caller can evict it from the authentication cache.</summary>
    public Task<RevokeApiKeyResult> RevokeAsync(string tenantId, string keyId, CancellationToken cancellationToken) =>
        database.InTransactionAsync(
            async (connection, transaction) =>
            {
                var row = await connection.QuerySingleOrDefaultAsync<DigestRow>(new CommandDefinition(
                    "SELECT secret_digest AS Digest, revoked_at AS RevokedAt FROM api_keys WHERE id = @keyId AND tenant_id = @tenantId" + database.ForUpdate,
                    new { keyId, tenantId },
                    transaction,
                    cancellationToken: cancellationToken));
                if (row is null)
                {
                    return new RevokeApiKeyResult(RevokeApiKeyOutcome.NotFound);
                }

                if (row.RevokedAt is not null)
                {
                    return new RevokeApiKeyResult(RevokeApiKeyOutcome.AlreadyRevoked, row.Digest);
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE api_keys SET revoked_at = @now WHERE id = @keyId",
                    new { keyId, now = UnixMicroseconds.Now(clock) },
                    transaction,
                    cancellationToken: cancellationToken));
                return new RevokeApiKeyResult(RevokeApiKeyOutcome.Revoked, row.Digest);
            },
            cancellationToken);

    /// <summary>
    /// The key with this digest, revoked or not, and its tenant's settings; the hot path of SCIM authentication. One
    /// lookup through the unique digest index either way: the caller refuses a revoked key.
    /// </summary>
    public async Task<StoredApiKey?> FindAsync(string digest, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StoredApiKey>(new CommandDefinition(
            "SELECT k.id AS KeyId, k.tenant_id AS TenantId, t.default_language AS DefaultLanguage, t.time_zone AS TimeZone, t.date_format AS DateFormat, "
            + "k.last_used_at AS LastUsedAt, k.revoked_at AS RevokedAt "
            + "FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.secret_digest = @digest",
            new { digest },
            cancellationToken: cancellationToken));
    }

    /// <summary>Records use; the condition keeps a slower replica from moving the time backwards.</summary>
    public Task TouchAsync(string keyId, long usedAt, CancellationToken cancellationToken) =>
        database.InTransactionAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "UPDATE api_keys SET last_used_at = @usedAt WHERE id = @keyId AND (last_used_at IS NULL OR last_used_at < @usedAt)",
                new { keyId, usedAt },
                transaction,
                cancellationToken: cancellationToken)),
            cancellationToken);

    private sealed record ApiKeyRow(string Id, string Title, string? Description, long CreatedAt, long? RevokedAt, long? LastUsedAt)
    {
        public ApiKeyInfo ToInfo() => new(
            Id,
            Title,
            Description,
            UnixMicroseconds.ToDateTimeOffset(CreatedAt),
            UnixMicroseconds.ToDateTimeOffset(RevokedAt),
            UnixMicroseconds.ToDateTimeOffset(LastUsedAt));
    }

    private sealed record DigestRow(string Digest, long? RevokedAt);
}

