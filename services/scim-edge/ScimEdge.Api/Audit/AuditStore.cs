using System.Globalization;
using System.Text;
using Dapper;
using Microservices.ScimEdge.Api.Persistence;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.ScimEdge.Api.Audit;

/// <summary>What the admin audit query may filter on; every part optional except the tenant and the limit.</summary>
public sealed record AuditQuery(
    DateTimeOffset? From,
    DateTimeOffset? To,
    int? StatusMin,
    int? StatusMax,
    string? ResourceId,
    string? KeyId,
    string? Client,
    AuditCursor? After,
    int Limit);

/// <summary>The last row of a page: the next page starts strictly after it in (time, id) descending order.</summary>
public sealed record AuditCursor(long OccurredAt, string Id)
{
    public string Encode() => Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{OccurredAt}:{Id}")))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string text, out AuditCursor? cursor)
    {
        cursor = null;
        try
        {
            var base64 = text.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var plain = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            var colon = plain.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !long.TryParse(plain.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var time) || !Guid.TryParse(plain.AsSpan(colon + 1), out _))
            {
                return false;
            }

            cursor = new AuditCursor(time, plain[(colon + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

public sealed record AuditPage(IReadOnlyList<AuditRecord> Items, string? Next);

public sealed class AuditStore(Database database)
{
    private const string Columns =
        "id AS Id, occurred_at AS OccurredAt, kind AS Kind, tenant_id AS TenantId, api_key_id AS ApiKeyId, client AS Client, method AS Method, "
        + "route AS Route, resource_type AS ResourceType, resource_id AS ResourceId, status AS Status, scim_type AS ScimType, "
        + "duration_us AS DurationUs, correlation_id AS CorrelationId";

    /// <summary>One multi-row INSERT in one transaction: a batch is written whole or not at all.</summary>
    public Task InsertAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder(
            "INSERT INTO audit_log (id, occurred_at, kind, tenant_id, api_key_id, client, method, route, resource_type, resource_id, status, scim_type, duration_us, correlation_id) VALUES ");
        var parameters = new DynamicParameters();
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            sql.Append(i == 0 ? string.Empty : ", ").Append(CultureInfo.InvariantCulture, $"(@id{i}, @at{i}, @kind{i}, @tenant{i}, @key{i}, @client{i}, @method{i}, @route{i}, @type{i}, @resource{i}, @status{i}, @scimType{i}, @duration{i}, @correlation{i})");
            parameters.Add($"id{i}", r.Id);
            parameters.Add($"at{i}", UnixMicroseconds.From(r.Time));
            parameters.Add($"kind{i}", r.Kind);
            parameters.Add($"tenant{i}", r.TenantId);
            parameters.Add($"key{i}", r.ApiKeyId);
            parameters.Add($"client{i}", r.Client);
            parameters.Add($"method{i}", r.Method);
            parameters.Add($"route{i}", r.Route);
            parameters.Add($"type{i}", r.ResourceType);
            parameters.Add($"resource{i}", r.ResourceId);
            parameters.Add($"status{i}", r.Status);
            parameters.Add($"scimType{i}", r.ScimType);
            parameters.Add($"duration{i}", (long)Math.Round(r.DurationMs * 1000));
            parameters.Add($"correlation{i}", r.CorrelationId);
        }

        return database.InTransactionAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(sql.ToString(), parameters, transaction, cancellationToken: cancellationToken)),
            cancellationToken);
    }

    /// <summary>A page of one tenant's records, newest first; only that tenant's rows can match.</summary>
    public async Task<AuditPage> QueryAsync(string tenantId, AuditQuery query, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM audit_log WHERE tenant_id = @tenantId");
        var parameters = new DynamicParameters(new { tenantId, take = query.Limit + 1 });
        if (query.From is { } from)
        {
            sql.Append(" AND occurred_at >= @from");
            parameters.Add("from", UnixMicroseconds.From(from));
        }

        if (query.To is { } to)
        {
            sql.Append(" AND occurred_at < @to");
            parameters.Add("to", UnixMicroseconds.From(to));
        }

        if (query.StatusMin is { } min && query.StatusMax is { } max)
        {
            sql.Append(" AND status >= @statusMin AND status <= @statusMax");
            parameters.Add("statusMin", min);
            parameters.Add("statusMax", max);
        }

        if (query.ResourceId is { } resourceId)
        {
            sql.Append(" AND resource_id = @resourceId");
            parameters.Add("resourceId", resourceId);
        }

        if (query.KeyId is { } keyId)
        {
            sql.Append(" AND api_key_id = @keyId");
            parameters.Add("keyId", keyId);
        }

        if (query.Client is { } client)
        {
            sql.Append(" AND client = @client");
            parameters.Add("client", client);
        }

        if (query.After is { } after)
        {
            sql.Append(" AND (occurred_at < @afterTime OR (occurred_at = @afterTime AND id < @afterId))");
            parameters.Add("afterTime", after.OccurredAt);
            parameters.Add("afterId", after.Id);
        }

        sql.Append(" ORDER BY occurred_at DESC, id DESC LIMIT @take");

        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<AuditRow>(new CommandDefinition(sql.ToString(), parameters, cancellationToken: cancellationToken))).ToList();
        var next = rows.Count > query.Limit ? new AuditCursor(rows[query.Limit - 1].OccurredAt, rows[query.Limit - 1].Id).Encode() : null;
        return new AuditPage([.. rows.Take(query.Limit).Select(r => r.ToRecord())], next);
    }

    /// <summary>Deletes at most <paramref name="batchSize"/> rows older than <paramref name="cutoff"/>; returns how many.</summary>
    public Task<int> PurgeAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken) =>
        database.InTransactionAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE occurred_at < @cutoff ORDER BY occurred_at LIMIT @batchSize)",
                new { cutoff = UnixMicroseconds.From(cutoff), batchSize },
                transaction,
                cancellationToken: cancellationToken)),
            cancellationToken);

    private sealed record AuditRow(
        string Id,
        long OccurredAt,
        string Kind,
        string? TenantId,
        string? ApiKeyId,
        string? Client,
        string Method,
        string? Route,
        string? ResourceType,
        string? ResourceId,
        long Status,
        string? ScimType,
        long DurationUs,
        string CorrelationId)
    {
        public AuditRecord ToRecord() => new(
            Id, UnixMicroseconds.ToDateTimeOffset(OccurredAt), Kind, TenantId, ApiKeyId, Client, Method, Route, ResourceType, ResourceId, (int)Status, ScimType, DurationUs / 1000.0, CorrelationId);
    }
}
