using Dapper;
using Microservices.ScimEdge.Api.Persistence;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.ScimEdge.Api.Tenants;

public sealed class TenantStore(Database database, TimeProvider clock)
{
    private const string Columns =
        "id AS Id, display_name AS DisplayName, default_language AS DefaultLanguage, time_zone AS TimeZone, date_format AS DateFormat, created_at AS CreatedAt";

    /// <summary>Inserts the tenant; null when the id is taken.</summary>
    public async Task<Tenant?> CreateAsync(string id, string displayName, string defaultLanguage, string timeZone, string dateFormat, CancellationToken cancellationToken)
    {
        var tenant = new Tenant(id, displayName, defaultLanguage, timeZone, dateFormat, TruncatedNow());
        try
        {
            await database.InTransactionAsync(
                (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO tenants (id, display_name, default_language, time_zone, date_format, created_at) VALUES (@Id, @DisplayName, @DefaultLanguage, @TimeZone, @DateFormat, @CreatedAt)",
                    new { tenant.Id, tenant.DisplayName, tenant.DefaultLanguage, tenant.TimeZone, tenant.DateFormat, CreatedAt = UnixMicroseconds.From(tenant.Created) },
                    transaction,
                    cancellationToken: cancellationToken)),
                cancellationToken);
        }
        catch (Exception e) when (Database.IsUniqueViolation(e))
        {
            return null;
        }

        return tenant;
    }

    public async Task<Tenant?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<TenantRow>(new CommandDefinition(
            $"SELECT {Columns} FROM tenants WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToTenant();
    }

    public async Task<IReadOnlyList<Tenant>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<TenantRow>(new CommandDefinition(
            $"SELECT {Columns} FROM tenants ORDER BY id", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToTenant())];
    }

    public async Task<bool> ExistsAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM tenants WHERE id = @id", new { id }, cancellationToken: cancellationToken)) > 0;
    }

    // The store keeps microseconds; handing back the same precision keeps the create response equal to a later read.
    private DateTimeOffset TruncatedNow() => UnixMicroseconds.ToDateTimeOffset(UnixMicroseconds.Now(clock));

    private sealed record TenantRow(string Id, string DisplayName, string DefaultLanguage, string TimeZone, string DateFormat, long CreatedAt)
    {
        public Tenant ToTenant() => new(Id, DisplayName, DefaultLanguage, TimeZone, DateFormat, UnixMicroseconds.ToDateTimeOffset(CreatedAt));
    }
}
