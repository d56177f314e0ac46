using System.Data.Common;
using Microservices.OrgUnits.Api.Domain;
using Microservices.OrgUnits.Api.Messaging;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;
using Npgsql;

namespace Microservices.OrgUnits.Api.Persistence;

/// <summary>Reads and single-unit writes of the org unit tree. Every query is scoped by tenant.</summary>
public sealed class OrgUnitStore(Database database, TimeProvider time, OutboxSignal signal)
{
    // Guards recursive walks against a corrupted (cyclic) parent chain; no real tree is this deep.
    private const int MaxDepth = 10_000;

    private static readonly StringComparer _siblingNameOrder = StringComparer.OrdinalIgnoreCase;

    public Task<OrgUnitView?> GetAsync(string tenant, string id, CancellationToken cancellationToken) =>
        LoadAsync(tenant, "id", id, cancellationToken);

    /// <summary>The unit whose external id equals <paramref name="externalId"/> case-insensitively, enabled or not.</summary>
    public Task<OrgUnitView?> ResolveAsync(string tenant, string externalId, CancellationToken cancellationToken) =>
        LoadAsync(tenant, "external_id_norm", OrgUnitRules.Normalize(externalId.Trim()), cancellationToken);

    private async Task<OrgUnitView?> LoadAsync(string tenant, string keyColumn, string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await LoadViewAsync(connection, null, tenant, keyColumn, key, cancellationToken);
    }

    /// <summary>
    /// The whole tree in depth-first order, siblings by name (case-insensitive, then ordinal) then id. One scan of the
    /// tenant's rows; order, paths and depths are computed in memory, so 100,000 units cost one query, not one per unit.
    /// </summary>
    public async Task<List<OrgUnitView>> ListAsync(string tenant, bool includeDisabled, CancellationToken cancellationToken)
    {
        var children = new Dictionary<string, List<OrgUnitRow>>(StringComparer.Ordinal);
        var roots = new List<OrgUnitRow>();
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var command = Sql.Command(connection, null, $"SELECT {OrgUnitRow.Columns} FROM org_units WHERE tenant_id = @tenant", ("tenant", tenant)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = OrgUnitRow.Read(reader);
                if (row.ParentId is null)
                {
                    roots.Add(row);
                }
                else if (children.TryGetValue(row.ParentId, out var siblings))
                {
                    siblings.Add(row);
                }
                else
                {
                    children[row.ParentId] = [row];
                }
            }
        }

        var items = new List<OrgUnitView>(children.Values.Sum(c => c.Count) + roots.Count);
        var stack = new Stack<(OrgUnitRow Row, string Path, int Depth)>();
        var sortedRoots = Sorted(roots);
        for (var i = sortedRoots.Count - 1; i >= 0; i--)
        {
            stack.Push((sortedRoots[i], sortedRoots[i].Name, 0));
        }

        while (stack.TryPop(out var current))
        {
            if (includeDisabled || current.Row.Enabled)
            {
                items.Add(OrgUnitView.From(current.Row, current.Path, current.Depth));
            }

            if (children.TryGetValue(current.Row.Id, out var below))
            {
                var sorted = Sorted(below);
                for (var i = sorted.Count - 1; i >= 0; i--)
                {
                    stack.Push((sorted[i], current.Path + OrgUnitRules.PathSeparator + sorted[i].Name, current.Depth + 1));
                }
            }
        }

        return items;
    }

    private static List<OrgUnitRow> Sorted(List<OrgUnitRow> rows)
    {
        rows.Sort(static (a, b) =>
        {
            var order = _siblingNameOrder.Compare(a.Name, b.Name);
            if (order == 0)
            {
                order = string.CompareOrdinal(a.Name, b.Name);
            }

            return order != 0 ? order : string.CompareOrdinal(a.Id, b.Id);
        });
        return rows;
    }

    public async Task<OrgUnitView> CreateAsync(string tenant, CreateOrgUnitRequest request, CancellationToken cancellationToken)
    {
        if (OrgUnitRules.CheckName(request.Name, out var name) is { } nameError)
        {
            throw OrgUnitException.Invalid("name", nameError);
        }

        string? externalId = null;
        if (request.ExternalId is not null && OrgUnitRules.CheckExternalId(request.ExternalId, out externalId) is { } externalIdError)
        {
            throw OrgUnitException.Invalid("externalId", externalIdError);
        }

        if (request.ParentId is not null && request.ParentExternalId is not null)
        {
            throw OrgUnitException.Invalid("parentId", "give parentId or parentExternalId, not both");
        }

        try
        {
            var unit = await database.InTransactionAsync(
                async (connection, transaction) =>
                {
                    string? parentId;
                    if (request.ParentId is not null)
                    {
                        parentId = await Sql.ScalarAsync(connection, transaction, "SELECT id FROM org_units WHERE tenant_id = @tenant AND id = @id", cancellationToken, ("tenant", tenant), ("id", request.ParentId)) as string
                            ?? throw OrgUnitException.Invalid("parentId", "no org unit with this id in the tenant");
                    }
                    else if (request.ParentExternalId is not null)
                    {
                        parentId = await FindByExternalIdAsync(connection, transaction, tenant, request.ParentExternalId, cancellationToken)
                            ?? throw OrgUnitException.Invalid("parentExternalId", "no org unit with this external id in the tenant");
                    }
                    else
                    {
                        parentId = null;
                        if (await Sql.ScalarAsync(connection, transaction, "SELECT id FROM org_units WHERE tenant_id = @tenant AND parent_id IS NULL", cancellationToken, ("tenant", tenant)) is string)
                        {
                            throw OrgUnitException.Invalid("parentId", "the tenant already has a root: every other unit needs a parentId or parentExternalId");
                        }
                    }

                    var externalIdNorm = externalId is null ? null : OrgUnitRules.Normalize(externalId);
                    if (externalIdNorm is not null && await FindByExternalIdAsync(connection, transaction, tenant, externalId!, cancellationToken) is not null)
                    {
                        throw OrgUnitException.ExternalIdTaken();
                    }

                    var now = time.Microseconds();
                    var id = Guid.CreateVersion7(time.GetUtcNow()).ToString();
                    await Sql.ExecuteAsync(
                        connection,
                        transaction,
                        """
                        INSERT INTO org_units (tenant_id, id, name, name_norm, external_id, external_id_norm, parent_id, enabled, version, created_at, last_modified)
                        VALUES (@tenant, @id, @name, @nameNorm, @externalId, @externalIdNorm, @parentId, @enabled, 1, @now, @now)
                        """,
                        cancellationToken,
                        ("tenant", tenant),
                        ("id", id),
                        ("name", name),
                        ("nameNorm", OrgUnitRules.Normalize(name)),
                        ("externalId", externalId),
                        ("externalIdNorm", externalIdNorm),
                        ("parentId", parentId),
                        ("enabled", true),
                        ("now", now));
                    var created = (await LoadViewAsync(connection, transaction, tenant, "id", id, cancellationToken))!;
                    await OrgUnitEvents.ChangedAsync(connection, transaction, tenant, created, cancellationToken);
                    return created;
                },
                cancellationToken);

            // Committed with its orgunits event (if any): wake the relay now rather than at its next poll.
            signal.Notify();
            return unit;
        }
        catch (DbException exception) when (FromUniqueViolation(exception) is { } refused)
        {
            throw refused;
        }
    }

    /// <summary>
    /// Applies a PATCH to one unit under its row lock (PostgreSQL <c>FOR UPDATE</c>; SQLite's single writer), so
    /// concurrent PATCHes of different fields each see the other's result and none is lost. A move also takes the
    /// tenant's tree lock (the root row, always first) so two concurrent moves cannot together build a cycle.
    /// </summary>
    public async Task<OrgUnitView> PatchAsync(string tenant, string id, OrgUnitPatch patch, VersionPrecondition? precondition, CancellationToken cancellationToken)
    {
        try
        {
            var unit = await database.InTransactionAsync(
                async (connection, transaction) =>
                {
                    if (patch.ParentId.IsPresent)
                    {
                        await LockTreeAsync(connection, transaction, tenant, cancellationToken);
                    }

                    OrgUnitRow? row = null;
                    await using (var command = Sql.Command(connection, transaction, $"SELECT {OrgUnitRow.Columns} FROM org_units WHERE tenant_id = @tenant AND id = @id{database.ForUpdate}", ("tenant", tenant), ("id", id)))
                    await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                    {
                        if (await reader.ReadAsync(cancellationToken))
                        {
                            row = OrgUnitRow.Read(reader);
                        }
                    }

                    if (row is null)
                    {
                        throw OrgUnitException.NotFound();
                    }

                    if (precondition is not null && !precondition.Matches(row.Version))
                    {
                        throw new OrgUnitException(StatusCodes.Status412PreconditionFailed, "If-Match", "version mismatch", $"the org unit is at version {row.Version}");
                    }

                    var updated = await ApplyPatchAsync(connection, transaction, tenant, row, patch, cancellationToken);
                    if (updated != row)
                    {
                        var changed = await Sql.ExecuteAsync(
                            connection,
                            transaction,
                            """
                            UPDATE org_units SET name = @name, name_norm = @nameNorm, external_id = @externalId, external_id_norm = @externalIdNorm,
                                parent_id = @parentId, enabled = @enabled, version = version + 1, last_modified = @now
                            WHERE tenant_id = @tenant AND id = @id AND version = @version
                            """,
                            cancellationToken,
                            ("name", updated.Name),
                            ("nameNorm", OrgUnitRules.Normalize(updated.Name)),
                            ("externalId", updated.ExternalId),
                            ("externalIdNorm", updated.ExternalId is null ? null : OrgUnitRules.Normalize(updated.ExternalId)),
                            ("parentId", updated.ParentId),
                            ("enabled", updated.Enabled),
                            ("now", time.Microseconds()),
                            ("tenant", tenant),
                            ("id", id),
                            ("version", row.Version));
                        if (changed != 1)
                        {
                            // Unreachable while the row lock holds; kept so a future lock-free path cannot lose an update silently.
                            throw new OrgUnitException(StatusCodes.Status409Conflict, "id", "concurrent change", "the org unit changed while this request ran; retry");
                        }
                    }

                    var view = (await LoadViewAsync(connection, transaction, tenant, "id", id, cancellationToken))!;
                    if (updated != row)
                    {
                        await OrgUnitEvents.ChangedAsync(connection, transaction, tenant, view, cancellationToken);
                    }

                    return view;
                },
                cancellationToken);

            // Committed with its orgunits event (if any): wake the relay now rather than at its next poll.
            signal.Notify();
            return unit;
        }
        catch (DbException exception) when (FromUniqueViolation(exception) is { } refused)
        {
            throw refused;
        }
    }

    private async Task<OrgUnitRow> ApplyPatchAsync(DbConnection connection, DbTransaction transaction, string tenant, OrgUnitRow row, OrgUnitPatch patch, CancellationToken cancellationToken)
    {
        var result = row;
        if (patch.Name.IsPresent)
        {
            if (OrgUnitRules.CheckName(patch.Name.Value, out var name) is { } nameError)
            {
                throw OrgUnitException.Invalid("name", nameError);
            }

            result = result with { Name = name };
        }

        if (patch.ParentId.IsPresent)
        {
            var parentId = patch.ParentId.Value;
            if (row.ParentId is null)
            {
                throw OrgUnitException.Invalid("parentId", "the root cannot be moved");
            }

            if (parentId is null)
            {
                throw OrgUnitException.Invalid("parentId", "only the root has no parent");
            }

            if (parentId == row.Id)
            {
                throw OrgUnitException.Invalid("parentId", "a unit cannot be its own parent");
            }

            if (parentId != row.ParentId)
            {
                // The new parent's ancestors (itself included) must exist and must not include the unit: else a cycle.
                await using var command = Sql.Command(
                    connection,
                    transaction,
                    $"""
                    WITH RECURSIVE up (id, parent_id, depth) AS (
                        SELECT id, parent_id, 0 FROM org_units WHERE tenant_id = @tenant AND id = @parent
                        UNION ALL
                        SELECT p.id, p.parent_id, u.depth + 1 FROM up u CROSS JOIN org_units p
                        WHERE p.tenant_id = @tenant AND p.id = u.parent_id AND u.depth < {MaxDepth}
                    )
                    SELECT COUNT(*), SUM(CASE WHEN id = @unit THEN 1 ELSE 0 END) FROM up
                    """,
                    ("tenant", tenant),
                    ("parent", parentId),
                    ("unit", row.Id));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                if (Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) == 0)
                {
                    throw OrgUnitException.Invalid("parentId", "no org unit with this id in the tenant");
                }

                if (!reader.IsDBNull(1) && Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture) > 0)
                {
                    throw OrgUnitException.Invalid("parentId", "the new parent lies below this unit: the move would create a cycle");
                }
            }

            result = result with { ParentId = parentId };
        }

        if (patch.ExternalId.IsPresent)
        {
            string? externalId = null;
            if (patch.ExternalId.Value is not null)
            {
                if (OrgUnitRules.CheckExternalId(patch.ExternalId.Value, out var checkedId) is { } externalIdError)
                {
                    throw OrgUnitException.Invalid("externalId", externalIdError);
                }

                externalId = checkedId;
                var holder = await FindByExternalIdAsync(connection, transaction, tenant, externalId, cancellationToken);
                if (holder is not null && holder != row.Id)
                {
                    throw OrgUnitException.ExternalIdTaken();
                }
            }

            result = result with { ExternalId = externalId };
        }

        if (patch.Enabled.IsPresent)
        {
            if (!patch.Enabled.Value && row.ParentId is null)
            {
                throw OrgUnitException.Invalid("enabled", "the root cannot be disabled");
            }

            result = result with { Enabled = patch.Enabled.Value };
        }

        return result;
    }

    /// <summary>
    /// Serialises the tenant's structural changes (moves, imports) on its root row. Always taken before any other
    /// row lock of the tenant, so it cannot deadlock with single-unit PATCHes. SQLite's writer lock already covers it.
    /// </summary>
    internal async Task LockTreeAsync(DbConnection connection, DbTransaction transaction, string tenant, CancellationToken cancellationToken)
    {
        if (database.IsPostgres)
        {
            await Sql.ScalarAsync(connection, transaction, $"SELECT id FROM org_units WHERE tenant_id = @tenant AND parent_id IS NULL{database.ForUpdate}", cancellationToken, ("tenant", tenant));
        }
    }

    private static async Task<string?> FindByExternalIdAsync(DbConnection connection, DbTransaction transaction, string tenant, string externalId, CancellationToken cancellationToken) =>
        await Sql.ScalarAsync(
            connection,
            transaction,
            "SELECT id FROM org_units WHERE tenant_id = @tenant AND external_id_norm = @norm",
            cancellationToken,
            ("tenant", tenant),
            ("norm", OrgUnitRules.Normalize(externalId.Trim()))) as string;

    /// <summary>One unit with its path and depth: one statement walking up through the primary key.</summary>
    internal static async Task<OrgUnitView?> LoadViewAsync(DbConnection connection, DbTransaction? transaction, string tenant, string keyColumn, string key, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(
            connection,
            transaction,
            $"""
            WITH RECURSIVE chain (id, name, external_id, parent_id, enabled, version, created_at, last_modified, depth) AS (
                SELECT {OrgUnitRow.Columns}, 0 FROM org_units WHERE tenant_id = @tenant AND {keyColumn} = @key
                UNION ALL
                SELECT p.id, p.name, p.external_id, p.parent_id, p.enabled, p.version, p.created_at, p.last_modified, c.depth + 1
                FROM chain c CROSS JOIN org_units p
                WHERE p.tenant_id = @tenant AND p.id = c.parent_id AND c.depth < {MaxDepth}
            )
            SELECT {OrgUnitRow.Columns}, depth FROM chain ORDER BY depth DESC
            """,
            ("tenant", tenant),
            ("key", key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var names = new List<string>();
        OrgUnitRow? unit = null;
        var depth = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            unit = OrgUnitRow.Read(reader);
            names.Add(unit.Name);
            depth = Math.Max(depth, Convert.ToInt32(reader.GetValue(8), System.Globalization.CultureInfo.InvariantCulture));
        }

        return unit is null ? null : OrgUnitView.From(unit, string.Join(OrgUnitRules.PathSeparator, names), depth);
    }

    /// <summary>Turns a unique-index violation (a race the pre-checks could not see) into the refusal it stands for.</summary>
    internal static OrgUnitException? FromUniqueViolation(Exception exception)
    {
        if (!Database.IsUniqueViolation(exception))
        {
            return null;
        }

        var constraint = exception is PostgresException postgres ? postgres.ConstraintName ?? string.Empty : exception.Message;
        return constraint.Contains("external_id", StringComparison.Ordinal)
            ? OrgUnitException.ExternalIdTaken()
            : OrgUnitException.Invalid("parentId", "the tenant already has a root: every other unit needs a parentId or parentExternalId");
    }
}
