using System.Data.Common;
using System.Globalization;
using Microservices.OrgUnits.Api.Domain;
using Microservices.OrgUnits.Api.Persistence;
using Microservices.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace Microservices.OrgUnits.Api.Features.Batch;

/// <summary>
/// Creates many units at once, all or nothing, for seeding (tests, benchmarks, a tenant's first tree). Rules are
/// those of a single create; a parent may also be an earlier unit of the same batch, named by its external id.
/// Rows go into a staging table without a round trip each (binary COPY / one prepared INSERT), are checked against
/// the tenant with set-based SQL, and land with one INSERT ... SELECT.
/// </summary>
public sealed class BatchCreate(Database database, TimeProvider time, IOptions<OrgUnitsOptions> options)
{
    private const string Staging = "org_unit_batch";
    private const int AnalyzeAfter = 10_000;

    private static readonly string[] _stagingColumns =
        ["idx", "id", "name", "name_norm", "ext", "ext_norm", "parent_id", "parent_ext", "parent_ext_norm", "check_parent"];

    public async Task<int> CreateAsync(string tenant, BatchCreateRequest request, CancellationToken cancellationToken)
    {
        var errors = new BatchErrors(options.Value.MaxReportedErrors);
        var units = request.Units;
        if (units is null || units.Count == 0)
        {
            throw OrgUnitException.Invalid("units", "units must be a non-empty array");
        }

        if (units.Count > options.Value.BatchMaxUnits)
        {
            throw OrgUnitException.Invalid("units", $"a batch creates at most {options.Value.BatchMaxUnits} units");
        }

        var now = time.GetUtcNow();
        var rows = new object?[]?[units.Count];
        var byExternalId = new Dictionary<string, int>(StringComparer.Ordinal);
        var roots = new List<int>();
        for (var i = 0; i < units.Count; i++)
        {
            var unit = units[i];
            if (unit is null)
            {
                errors.Add($"units[{i}]", "must be an object");
                continue;
            }

            if (OrgUnitRules.CheckName(unit.Name, out var name) is { } nameError)
            {
                errors.Add($"units[{i}].name", nameError);
            }

            string? externalId = null;
            string? externalIdNorm = null;
            if (unit.ExternalId is not null)
            {
                if (OrgUnitRules.CheckExternalId(unit.ExternalId, out var checkedId) is { } externalIdError)
                {
                    errors.Add($"units[{i}].externalId", externalIdError);
                }
                else
                {
                    externalId = checkedId;
                    externalIdNorm = OrgUnitRules.Normalize(checkedId);
                    if (!byExternalId.TryAdd(externalIdNorm, i))
                    {
                        errors.Add($"units[{i}].externalId", $"units[{byExternalId[externalIdNorm]}] already has this external id (compared case-insensitively)", conflict: true);
                    }
                }
            }

            rows[i] = [(long)i, Guid.CreateVersion7(now).ToString(), name, OrgUnitRules.Normalize(name), externalId, externalIdNorm, null, null, null, 0L];
        }

        for (var i = 0; i < units.Count; i++)
        {
            var unit = units[i];
            if (unit is null)
            {
                continue;
            }

            var row = rows[i]!;
            if (unit.ParentId is not null && unit.ParentExternalId is not null)
            {
                errors.Add($"units[{i}].parentId", "give parentId or parentExternalId, not both");
            }
            else if (unit.ParentId is not null)
            {
                row[6] = unit.ParentId;
                row[9] = 1L;
            }
            else if (unit.ParentExternalId is not null)
            {
                var parentNorm = OrgUnitRules.Normalize(unit.ParentExternalId.Trim());
                if (byExternalId.TryGetValue(parentNorm, out var j))
                {
                    if (j < i)
                    {
                        row[6] = rows[j]![1];
                    }
                    else
                    {
                        errors.Add($"units[{i}].parentExternalId", $"names units[{j}], which does not come before this unit: parents come first");
                    }
                }
                else
                {
                    row[7] = unit.ParentExternalId.Trim();
                    row[8] = parentNorm;
                }
            }
            else
            {
                roots.Add(i);
            }
        }

        // Item errors do not stop here: the checks against the tenant still run, so one answer lists every problem.
        int created;
        try
        {
            created = await database.InTransactionAsync((connection, transaction) => InsertAsync(connection, transaction, tenant, rows, roots, errors, cancellationToken), cancellationToken);
        }
        catch (DbException exception) when (OrgUnitStore.FromUniqueViolation(exception) is { } refused)
        {
            throw refused;
        }

        if (database.IsPostgres && created >= AnalyzeAfter)
        {
            // A seed can multiply the table in one go, long before autovacuum's next analyse: refresh the planner's
            // statistics now (outside the transaction, so its lock is brief) so the next import plans for the real size.
            await using var connection = await database.OpenAsync(cancellationToken);
            await Sql.ExecuteAsync(connection, null, "ANALYZE org_units", cancellationToken);
        }

        return created;
    }

    private async Task<int> InsertAsync(DbConnection connection, DbTransaction transaction, string tenant, object?[]?[] rows, List<int> roots, BatchErrors errors, CancellationToken cancellationToken)
    {
        var t = database.TempSchema();
        var hasRoot = await Sql.ScalarAsync(connection, transaction, "SELECT id FROM org_units WHERE tenant_id = @tenant AND parent_id IS NULL", cancellationToken, ("tenant", tenant)) is string;
        if (hasRoot)
        {
            foreach (var i in roots)
            {
                errors.Add($"units[{i}].parentId", "the tenant already has a root: every other unit needs a parentId or parentExternalId");
            }
        }
        else
        {
            if (!roots.Contains(0))
            {
                errors.Add("units[0].parentId", "the tenant has no units yet: the first unit is its root and has no parent");
            }

            foreach (var i in roots.Where(i => i != 0))
            {
                errors.Add($"units[{i}].parentId", "only the first unit of a tenant is its root: this one needs a parentId or parentExternalId");
            }
        }

        await Sql.ExecuteAsync(connection, transaction, $"DROP TABLE IF EXISTS {t}.{Staging}", cancellationToken);
        await Sql.ExecuteAsync(
            connection,
            transaction,
            $"""
            CREATE TEMP TABLE {Staging} (
                idx BIGINT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, name_norm TEXT NOT NULL, ext TEXT, ext_norm TEXT,
                parent_id TEXT, parent_ext TEXT, parent_ext_norm TEXT, check_parent BIGINT NOT NULL)
            """,
            cancellationToken);
        await using (var writer = await StagingWriter.StartAsync(database, connection, transaction, Staging, _stagingColumns, cancellationToken))
        {
            foreach (var row in rows.OfType<object?[]>())
            {
                await writer.WriteAsync(row, cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        if (database.IsPostgres)
        {
            await Sql.ExecuteAsync(connection, transaction, $"ANALYZE pg_temp.{Staging}", cancellationToken);
        }

        var tenantParameter = ("tenant", (object?)tenant);
        await Sql.ExecuteAsync(
            connection,
            transaction,
            $"""
            UPDATE {t}.{Staging} AS b SET parent_id = (SELECT u.id FROM org_units u WHERE u.tenant_id = @tenant AND u.external_id_norm = b.parent_ext_norm)
            WHERE b.parent_ext_norm IS NOT NULL
            """,
            cancellationToken,
            tenantParameter);

        await CollectAsync(
            $"SELECT b.idx, b.parent_ext FROM {t}.{Staging} b WHERE b.parent_ext_norm IS NOT NULL AND b.parent_id IS NULL",
            "parentExternalId",
            value => $"no org unit with external id '{value}' in the tenant or earlier in the batch",
            conflict: false);
        await CollectAsync(
            $"SELECT b.idx, CAST(NULL AS TEXT) FROM {t}.{Staging} b WHERE b.check_parent = 1 AND NOT EXISTS (SELECT 1 FROM org_units u WHERE u.tenant_id = @tenant AND u.id = b.parent_id)",
            "parentId",
            _ => "no org unit with this id in the tenant",
            conflict: false);
        await CollectAsync(
            $"SELECT b.idx, u.id FROM {t}.{Staging} b JOIN org_units u ON u.tenant_id = @tenant AND u.external_id_norm = b.ext_norm",
            "externalId",
            holder => $"org unit {holder} already has this external id (compared case-insensitively)",
            conflict: true);
        errors.ThrowIfAny();

        var created = await Sql.ExecuteAsync(
            connection,
            transaction,
            $"""
            INSERT INTO org_units (tenant_id, id, name, name_norm, external_id, external_id_norm, parent_id, enabled, version, created_at, last_modified)
            SELECT @tenant, b.id, b.name, b.name_norm, b.ext, b.ext_norm, b.parent_id, TRUE, 1, @now, @now
            FROM {t}.{Staging} b ORDER BY b.idx
            """,
            cancellationToken,
            tenantParameter,
            ("now", time.Microseconds()));
        await Sql.ExecuteAsync(connection, transaction, $"DROP TABLE {t}.{Staging}", cancellationToken);
        return created;

        async Task CollectAsync(string sql, string field, Func<string?, string> message, bool conflict)
        {
            await using var command = Sql.Command(connection, transaction, $"{sql} ORDER BY 1 LIMIT @cap", tenantParameter, ("cap", (long)options.Value.MaxReportedErrors));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var index = Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
                errors.Add($"units[{index}].{field}", message(reader.IsDBNull(1) ? null : reader.GetString(1)), conflict);
            }
        }
    }

    /// <summary>Errors keyed by field path; only external-id clashes make it a 409, anything else a 400.</summary>
    private sealed class BatchErrors(int cap)
    {
        private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);
        private bool _onlyConflicts = true;
        private int _count;

        public void Add(string field, string message, bool conflict = false)
        {
            _count++;
            _onlyConflicts &= conflict;
            if (_errors.Count < cap)
            {
                _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
            }
        }

        public void ThrowIfAny()
        {
            if (_count == 0)
            {
                return;
            }

            var more = _count > _errors.Count ? $" ({_count} errors, the first {_errors.Count} fields listed)" : string.Empty;
            throw _onlyConflicts
                ? new OrgUnitException(StatusCodes.Status409Conflict, "externalId", "external id already in use", "nothing was created" + more, "uniqueness") { Errors = _errors }
                : new OrgUnitException(StatusCodes.Status400BadRequest, null, "invalid batch", "nothing was created" + more) { Errors = _errors };
        }
    }
}
