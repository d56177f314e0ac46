using System.Data.Common;
using System.Globalization;
using Microservices.ServiceDefaults.Storage;
using Microservices.Users.Api.Domain;
using Microsoft.Extensions.Caching.Memory;

namespace Microservices.Users.Api.Persistence;

/// <summary>
/// One list request. <c>Person</c>: each user carries its person register record (SCIM never asks). <c>IncludeDeleted</c>
/// (admin reads only, SCIM never asks) lists SCIM-deleted users too.
/// </summary>
public sealed record ListRequest(string? Filter, string? SortBy, bool Descending, int StartIndex, int Count, bool Person = true, bool IncludeDeleted = false);

/// <summary>A page, and how it was found: <c>keyset</c> (continued from the previous page's end) or <c>offset</c>.</summary>
public sealed record ListPage(UserList List, string Strategy);

/// <summary>
/// Where a served page ended, per (tenant, filter, sort, next startIndex): the sort key values and id of its last row.
/// IdPs page forward (startIndex = 1, 101, 201 …), so the next request finds its start here and continues with a
/// keyset predicate instead of an OFFSET walk that costs O(n) per page. Bounded, and a miss only means OFFSET.
/// </summary>
public sealed class PageCursorCache : IDisposable
{
    public const int Capacity = 10_000;

    private static readonly TimeSpan _idle = TimeSpan.FromMinutes(10);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public bool TryGet(CursorKey key, out object[] values) => _cache.TryGetValue(key, out values!);

    public void Set(CursorKey key, object[] values) =>
        _cache.Set(key, values, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = _idle });

    public void Dispose() => _cache.Dispose();
}

public sealed record CursorKey(string Tenant, string Filter, string SortBy, bool Descending, int StartIndex, bool IncludeDeleted = false);

/// <summary>Lists a tenant's live users in the database: filter, exact total, stable order, keyset continuation.</summary>
public sealed class UserListQuery(Database database, PageCursorCache cursors)
{
    public const int DefaultCount = 100;
    public const int MaxCount = 1000;

    public async Task<ListPage> ListAsync(string tenant, ListRequest request, CancellationToken cancellationToken)
    {
        var dialect = new SqlDialect(database.IsPostgres);
        var filterText = string.IsNullOrWhiteSpace(request.Filter) ? null : request.Filter.Trim();
        var filter = filterText is null ? null : UserFilterSql.Translate(filterText, dialect);

        // The id is the last key of every order, so rows with equal sort values still come in one fixed order.
        string[] keys = [.. UserAttributes.SortKeys(request.SortBy, dialect), "u.id"];
        var startIndex = Math.Max(request.StartIndex, 1);
        var count = Math.Clamp(request.Count, 0, MaxCount);

        await using var connection = await database.OpenAsync(cancellationToken);
        DbCommands.RegisterFunctions(connection);

        if (count == 0)
        {
            return new ListPage(new UserList(await TotalAsync(connection, tenant, filter, request.IncludeDeleted, cancellationToken), startIndex, []), "none");
        }

        var cursorKey = new CursorKey(tenant, filterText ?? "", request.SortBy?.Trim().ToUpperInvariant() ?? "", request.Descending, startIndex, request.IncludeDeleted);
        object[]? cursor = null;
        var hasCursor = startIndex > 1 && cursors.TryGet(cursorKey, out cursor);
        var sql = PageSql(filter, keys, request.Descending, hasCursor, request.IncludeDeleted, request.Person);

        var users = new List<UserRecord>(Math.Min(count, 256));
        object[]? last = null;
        await using (var command = connection.Command(null, sql).With("tenant", tenant).With("limit", count))
        {
            if (filter is not null)
            {
                Bind(command, filter);
            }

            if (hasCursor)
            {
                for (var i = 0; i < keys.Length; i++)
                {
                    command.WithValue("k" + i.ToString(CultureInfo.InvariantCulture), cursor![i]);
                }
            }
            else
            {
                command.With("offset", (long)startIndex - 1);
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                users.Add(UserRows.Read(reader));
                last = new object[keys.Length];
                for (var i = 0; i < keys.Length; i++)
                {
                    last[i] = reader.GetValue(UserRows.ColumnCount + i);
                }
            }
        }

        if (users.Count == count && last is not null)
        {
            cursors.Set(cursorKey with { StartIndex = startIndex + count }, last);
        }

        // A short OFFSET page (fewer rows than asked, and at least one row or none from the start) has seen every
        // matching row, so it knows the exact total: the existence checks Okta and Entra send (a filter on userName
        // or externalId, one page) skip the COUNT. A keyset page only knows the rows after its cursor.
        var total = !hasCursor && users.Count < count && (users.Count > 0 || startIndex == 1)
            ? startIndex - 1 + users.Count
            : await TotalAsync(connection, tenant, filter, request.IncludeDeleted, cancellationToken);
        var items = await UserRows.AttachAsync(database, connection, null, tenant, users, cancellationToken);
        return new ListPage(new UserList(total, startIndex, items), hasCursor ? "keyset" : "offset");
    }

    private static async Task<long> TotalAsync(DbConnection connection, string tenant, FilterSql? filter, bool includeDeleted, CancellationToken cancellationToken)
    {
        // The counter holds live users only; a list that includes deleted ones (admin) counts them.
        if (filter is null && !includeDeleted)
        {
            await using var stored = connection.Command(null, "SELECT COALESCE(SUM(users), 0) FROM tenant_user_counts WHERE tenant_id = @tenant").With("tenant", tenant);
            return await stored.ExecuteScalarAsync(cancellationToken) is { } value ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
        }

        await using var command = connection.Command(null, CountSql(filter, includeDeleted));
        command.With("tenant", tenant);
        if (filter is not null)
        {
            Bind(command, filter);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    /// <summary>The total of a filtered list: the same WHERE as the page, joined to org units only when it needs them.</summary>
    public static string CountSql(FilterSql? filter, bool includeDeleted = false) =>
        $"SELECT COUNT(*) FROM users u {(filter?.UsesUnit == true ? "LEFT JOIN org_units ou ON ou.tenant_id = u.tenant_id AND ou.id = u.default_unit_id" : "")} WHERE u.tenant_id = @tenant{Live(includeDeleted)}{(filter is null ? "" : " AND " + filter.Where)}";

    /// <summary>The live-users condition every list has, unless it includes SCIM-deleted users.</summary>
    private static string Live(bool includeDeleted) => includeDeleted ? "" : " AND NOT u.deleted";

    /// <summary>
    /// One page: parameters @tenant, @limit, the filter's, and either @offset or the keyset values @k0…@kn (the last
    /// row of the previous page). Every key runs in the same direction, so one row comparison continues the order.
    /// </summary>
    public static string PageSql(FilterSql? filter, IReadOnlyList<string> keys, bool descending, bool keyset, bool includeDeleted = false, bool person = true)
    {
        var direction = descending ? "DESC" : "ASC";
        var cursor = keyset
            ? $"AND ({string.Join(", ", keys)}) {(descending ? "<" : ">")} ({string.Join(", ", keys.Select((_, i) => "@k" + i.ToString(CultureInfo.InvariantCulture)))})"
            : "";
        return $"""
            SELECT {UserRows.Columns(person)}, {string.Join(", ", keys)}
            FROM {UserRows.From(person)}
            WHERE u.tenant_id = @tenant{Live(includeDeleted)}
            {(filter is null ? "" : "AND " + filter.Where)}
            {cursor}
            ORDER BY {string.Join(", ", keys.Select(k => $"{k} {direction}"))}
            LIMIT @limit{(keyset ? "" : " OFFSET @offset")}
            """;
    }

    private static void Bind(DbCommand command, FilterSql filter)
    {
        foreach (var (name, value) in filter.Parameters)
        {
            command.WithValue(name, value);
        }
    }
}
