using System.Data;
using System.Data.Common;
using System.Globalization;
using Microservices.OrgUnits.Api.Domain;
using Microservices.OrgUnits.Api.Messaging;
using Microservices.OrgUnits.Api.Persistence;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Microservices.OrgUnits.Api.Features.Import;

/// <summary>One entry of an import report. <see cref="Column"/> is the header name of the offending cell, if any.</summary>
public sealed record ImportError(long Line, string? Column, string Error);

/// <summary>The result of an import: either <see cref="Updated"/> units changed, or the file was refused whole.</summary>
public sealed record ImportOutcome(int Updated, IReadOnlyList<ImportError> Errors, long ErrorCount)
{
    public bool Succeeded => ErrorCount == 0;
}

/// <summary>
/// The org unit CSV import. The body is parsed as a stream into a connection-local staging table (binary COPY on
/// PostgreSQL, one reused prepared INSERT on SQLite); every check then runs as set-based SQL over the staged rows and
/// the tenant's units, and a clean file is applied by a few set-based UPDATEs in one transaction. Nothing is applied
/// unless every row is good. See docs/orgunits.md for the format and its guarantees.
/// </summary>
public sealed class OrgUnitImport(Database database, TimeProvider time, OrgUnitStore store, IOptions<OrgUnitsOptions> options, OutboxSignal signal)
{
    private const string Staging = "org_unit_import";
    private const string Paths = "org_unit_import_paths";
    private const string FinalTree = "org_unit_import_tree";
    private const string Reached = "org_unit_import_reached";

    private static readonly string[] _stagingColumns =
        ["line", "unit_id", "path_norm", "ext", "ext_norm", "name", "name_norm", "parent_ext", "parent_ext_norm"];

    private static readonly string[] _knownColumns = ["id", "path", "externalId", "name", "parentExternalId"];

    public async Task<ImportOutcome> ImportAsync(string tenant, Stream body, CancellationToken cancellationToken)
    {
        var report = new ErrorReport(options.Value.MaxReportedErrors);
        var t = database.TempSchema();
        await using var connection = await database.OpenAsync(cancellationToken);
        try
        {
            await DropTempTablesAsync(connection);
            await Sql.ExecuteAsync(
                connection,
                null,
                $"""
                CREATE TEMP TABLE {Staging} (
                    line BIGINT NOT NULL, unit_id TEXT, path_norm TEXT, ext TEXT, ext_norm TEXT, name TEXT, name_norm TEXT,
                    parent_ext TEXT, parent_ext_norm TEXT, target_id TEXT, path_matches BIGINT, parent_id TEXT,
                    ext_changed BIGINT NOT NULL DEFAULT 0)
                """,
                cancellationToken);

            // Phase 1: stream the body into the staging table. It touches no shared row, so on SQLite this
            // transaction takes no write lock on the database and other writers carry on while a file uploads.
            Header? header;
            long staged = 0;
            var anyPath = false;
            var anyName = false;
            var anyMove = false;
            await using (var fill = await BeginAsync(connection, write: false, cancellationToken))
            {
                await using (var writer = await StagingWriter.StartAsync(database, connection, fill, Staging, _stagingColumns, cancellationToken))
                {
                    var reader = new CsvRecordReader(body);
                    header = await ReadHeaderAsync(reader, report, cancellationToken);
                    if (header is not null)
                    {
                        var values = new object?[_stagingColumns.Length];
                        while (await reader.ReadAsync(cancellationToken) is { } record)
                        {
                            if (ParseRow(record, header, report, values))
                            {
                                await writer.WriteAsync(values, cancellationToken);
                                staged++;
                                anyPath |= values[2] is not null;
                                anyName |= values[5] is not null;
                                anyMove |= values[8] is not null;
                            }
                        }
                    }

                    await writer.CompleteAsync(cancellationToken);
                }

                await fill.CommitAsync(cancellationToken);
            }

            if (header is null || staged == 0)
            {
                return new ImportOutcome(0, report.Entries(), report.Count);
            }

            // Phase 2: validate and apply under the tenant's tree lock, all in one transaction.
            await using var transaction = await BeginAsync(connection, write: true, cancellationToken);
            await store.LockTreeAsync(connection, transaction, tenant, cancellationToken);
            var tenantParameter = ("tenant", (object?)tenant);

            // Autovacuum never analyses temporary tables; without statistics PostgreSQL guesses their size and can
            // pick nested loops over 100,000 staged rows.
            await AnalyzeAsync(Staging);
            if (anyPath)
            {
                // A path is matched whole against every unit's path (built from the stored name keys), never split on
                // its separator: names may contain "/" and siblings may share a name, so a path that fits two units is
                // reported as ambiguous instead of picking one.
                // In every recursive walk the CROSS JOIN fixes the join order (SQLite honours it, PostgreSQL ignores
                // it): the recursive step's new row outside, the index lookup inside. Left to itself SQLite 3.53 put
                // the units outside and scanned the whole tenant once per step.
                await ExecAsync($"CREATE TEMP TABLE {Paths} (id TEXT NOT NULL, path_norm TEXT NOT NULL)");
                await ExecAsync(
                    $"""
                    WITH RECURSIVE tree (id, path_norm, depth) AS (
                        SELECT id, name_norm, 0 FROM org_units WHERE tenant_id = @tenant AND parent_id IS NULL
                        UNION ALL
                        SELECT u.id, tree.path_norm || '{OrgUnitRules.PathSeparator}' || u.name_norm, tree.depth + 1
                        FROM tree CROSS JOIN org_units u
                        WHERE u.tenant_id = @tenant AND u.parent_id = tree.id AND tree.depth < 10000
                    )
                    INSERT INTO {t}.{Paths} (id, path_norm) SELECT id, path_norm FROM tree
                    """);
                await ExecAsync(database.TempIndex("ix_org_unit_import_paths", Paths, "path_norm"));
                await AnalyzeAsync(Paths);
            }

            // Which unit each row changes, in one pass over the staged rows (each pass rewrites every staged row).
            var byPath = anyPath
                ? $", path_matches = CASE WHEN s.path_norm IS NOT NULL THEN (SELECT COUNT(*) FROM {t}.{Paths} p WHERE p.path_norm = s.path_norm) END"
                : string.Empty;
            var targetByPath = anyPath
                ? $"(SELECT MIN(p.id) FROM {t}.{Paths} p WHERE p.path_norm = s.path_norm HAVING COUNT(*) = 1)"
                : "NULL";
            await ExecAsync(
                $"""
                UPDATE {t}.{Staging} AS s SET
                    target_id = CASE WHEN s.unit_id IS NOT NULL
                        THEN (SELECT u.id FROM org_units u WHERE u.tenant_id = @tenant AND u.id = s.unit_id)
                        ELSE {targetByPath} END{byPath}
                """);

            await ExecAsync(database.TempIndex("ix_org_unit_import_target", Staging, "target_id"));
            await ExecAsync(database.TempIndex("ix_org_unit_import_ext", Staging, "ext_norm"));
            await AnalyzeAsync(Staging);

            await CheckAsync(
                $"SELECT s.line, 'id', CAST(NULL AS TEXT) FROM {t}.{Staging} s WHERE s.unit_id IS NOT NULL AND s.target_id IS NULL",
                _ => "no org unit with this id in the tenant");
            await CheckAsync(
                $"SELECT s.line, 'path', CAST(NULL AS TEXT) FROM {t}.{Staging} s WHERE s.path_norm IS NOT NULL AND s.path_matches = 0",
                _ => "no org unit has this path (names from the root joined with \" / \", compared case-insensitively)");
            await CheckAsync(
                $"SELECT s.line, 'path', CAST(s.path_matches AS TEXT) FROM {t}.{Staging} s WHERE s.path_matches > 1",
                n => $"{n} org units have this path: identify the unit by its id instead");
            await CheckAsync(
                $"""
                SELECT s.line, CASE WHEN s.unit_id IS NOT NULL THEN 'id' ELSE 'path' END, CAST(d.first_line AS TEXT)
                FROM {t}.{Staging} s
                JOIN (SELECT target_id, MIN(line) AS first_line FROM {t}.{Staging} WHERE target_id IS NOT NULL GROUP BY target_id HAVING COUNT(*) > 1) d
                  ON d.target_id = s.target_id
                WHERE s.line > d.first_line
                """,
                first => $"the same org unit is already changed on line {first}");
            await CheckAsync(
                $"""
                SELECT s.line, 'externalId', CAST(d.first_line AS TEXT)
                FROM {t}.{Staging} s
                JOIN (SELECT ext_norm, MIN(line) AS first_line FROM {t}.{Staging} WHERE ext_norm IS NOT NULL GROUP BY ext_norm HAVING COUNT(*) > 1) d
                  ON d.ext_norm = s.ext_norm
                WHERE s.line > d.first_line
                """,
                first => $"the same external id (compared case-insensitively) is already given on line {first}");
            await CheckAsync(
                $"""
                SELECT s.line, 'externalId', u.id
                FROM {t}.{Staging} s JOIN org_units u ON u.tenant_id = @tenant AND u.external_id_norm = s.ext_norm
                WHERE (s.target_id IS NULL OR u.id <> s.target_id)
                  AND NOT EXISTS (SELECT 1 FROM {t}.{Staging} o WHERE o.target_id = u.id)
                """,
                holder => $"the external id already belongs to org unit {holder}, which this file does not change");

            if (anyMove)
            {
                // The parent is named by its external id in the final state: a unit whose external id this file
                // changes is found by its new one only.
                await ExecAsync(
                    $"""
                    UPDATE {t}.{Staging} AS s SET parent_id = COALESCE(
                        (SELECT MIN(o.target_id) FROM {t}.{Staging} o WHERE o.ext_norm = s.parent_ext_norm),
                        (SELECT u.id FROM org_units u WHERE u.tenant_id = @tenant AND u.external_id_norm = s.parent_ext_norm
                            AND NOT EXISTS (SELECT 1 FROM {t}.{Staging} o2 WHERE o2.target_id = u.id)))
                    WHERE s.parent_ext_norm IS NOT NULL
                    """);
                await CheckAsync(
                    $"SELECT s.line, 'parentExternalId', s.parent_ext FROM {t}.{Staging} s WHERE s.parent_ext_norm IS NOT NULL AND s.parent_id IS NULL",
                    parent => $"no org unit has the external id '{parent}' once this file is applied");
                await CheckAsync(
                    $"""
                    SELECT s.line, 'parentExternalId', CAST(NULL AS TEXT)
                    FROM {t}.{Staging} s JOIN org_units u ON u.tenant_id = @tenant AND u.id = s.target_id
                    WHERE u.parent_id IS NULL AND s.parent_id IS NOT NULL
                    """,
                    _ => "the root cannot be moved");
                await CheckAsync(
                    $"SELECT s.line, 'parentExternalId', CAST(NULL AS TEXT) FROM {t}.{Staging} s WHERE s.parent_id = s.target_id",
                    _ => "a unit cannot be its own parent");

                // Cycles: build the tree as it would be after the file and walk it from the root. Every unit has one
                // parent, so a unit the walk cannot reach sits on (or under) a cycle; the moves that land there are refused.
                await ExecAsync($"CREATE TEMP TABLE {FinalTree} (id TEXT NOT NULL PRIMARY KEY, parent_id TEXT)");
                await ExecAsync(
                    $"""
                    INSERT INTO {t}.{FinalTree} (id, parent_id)
                    SELECT u.id, CASE WHEN u.parent_id IS NULL THEN NULL ELSE COALESCE(
                        (SELECT MIN(s.parent_id) FROM {t}.{Staging} s WHERE s.target_id = u.id AND s.parent_id <> u.id), u.parent_id) END
                    FROM org_units u WHERE u.tenant_id = @tenant
                    """);
                await ExecAsync(database.TempIndex("ix_org_unit_import_tree_parent", FinalTree, "parent_id"));
                await AnalyzeAsync(FinalTree);
                await ExecAsync($"CREATE TEMP TABLE {Reached} (id TEXT NOT NULL PRIMARY KEY)");
                await ExecAsync(
                    $"""
                    WITH RECURSIVE reach (id) AS (
                        SELECT id FROM {t}.{FinalTree} WHERE parent_id IS NULL
                        UNION ALL
                        SELECT f.id FROM reach r CROSS JOIN {t}.{FinalTree} f WHERE f.parent_id = r.id
                    )
                    INSERT INTO {t}.{Reached} (id) SELECT id FROM reach
                    """);
                await CheckAsync(
                    $"""
                    SELECT s.line, 'parentExternalId', CAST(NULL AS TEXT) FROM {t}.{Staging} s
                    WHERE s.parent_id IS NOT NULL AND s.parent_id <> s.target_id
                      AND NOT EXISTS (SELECT 1 FROM {t}.{Reached} r WHERE r.id = s.target_id)
                    """,
                    _ => "this move would make the unit its own ancestor (a cycle), counting the file's other moves");
            }

            if (report.Count > 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new ImportOutcome(0, report.Entries(), report.Count);
            }

            // Unique indexes are checked row by row on both engines, so a unit taking an external id that another unit
            // of the file gives up would trip over the old holder in one UPDATE. Those holders (few: an exchange or a
            // hand-over) give theirs up first. Each of them changes for certain (its old external id goes to another
            // row and a file names an external id once), which ext_changed remembers once the value is cleared.
            await ExecAsync(
                $"""
                UPDATE {t}.{Staging} AS s SET ext_changed = 1
                WHERE s.target_id IN (
                    SELECT u.id FROM {t}.{Staging} o CROSS JOIN org_units u
                    WHERE u.tenant_id = @tenant AND u.external_id_norm = o.ext_norm AND u.id <> o.target_id)
                """);
            await ExecAsync(
                $"""
                UPDATE org_units SET external_id = NULL, external_id_norm = NULL
                WHERE tenant_id = @tenant AND id IN (SELECT target_id FROM {t}.{Staging} WHERE ext_changed = 1)
                """);

            // One UPDATE writes every unit that changes and returns what its event needs. It sets only the columns the
            // file can change (a column no row fills would rewrite its index entries for nothing), skips units the row
            // leaves as they are (their version stays), and reaches units by primary key: on SQLite, without
            // statistics, `u.tenant_id = @tenant` alone led the planner down ix_org_units_parent, one rowid lookup per
            // unit of the tenant in index order, about twice as slow as the primary key lookups the IN list below gets.
            var setName = anyName ? "name = COALESCE(s.name, u.name), name_norm = COALESCE(s.name_norm, u.name_norm)," : string.Empty;
            var setParent = anyMove ? "parent_id = COALESCE(s.parent_id, u.parent_id)," : string.Empty;
            // SQLite's RETURNING sees only the updated table and refuses its alias; PostgreSQL needs it (s has a name too).
            var returning = database.IsPostgres ? "u.id, u.external_id, u.name, u.enabled, u.version" : "id, external_id, name, enabled, version";
            var changedUnits = new List<OrgUnitSnapshot>();
            await using (var apply = Sql.Command(
                connection,
                transaction,
                $"""
                UPDATE org_units AS u SET
                    external_id = s.ext, external_id_norm = s.ext_norm, {setName} {setParent}
                    version = u.version + 1, last_modified = @now
                FROM {t}.{Staging} s
                WHERE u.tenant_id = @tenant AND u.id = s.target_id
                  AND u.id IN (SELECT target_id FROM {t}.{Staging})
                  AND (s.ext_changed = 1
                       OR s.ext IS DISTINCT FROM u.external_id
                       OR (s.name IS NOT NULL AND s.name <> u.name)
                       OR (s.parent_id IS NOT NULL AND s.parent_id IS DISTINCT FROM u.parent_id))
                RETURNING {returning}
                """,
                tenantParameter,
                ("now", time.Microseconds())))
            await using (var reader = await apply.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    changedUnits.Add(new OrgUnitSnapshot(
                        reader.GetString(0),
                        reader.IsDBNull(1) ? null : reader.GetString(1),
                        reader.GetString(2),
                        Convert.ToBoolean(reader.GetValue(3), CultureInfo.InvariantCulture),
                        Convert.ToInt64(reader.GetValue(4), CultureInfo.InvariantCulture)));
                }
            }

            // One orgunit.changed.v1 per changed unit, in this transaction: consumers keep per-unit versions, and a
            // re-keying file changes few units compared with the users that point at them. Written in bulk: one
            // INSERT per event was most of a 100,000-row import on PostgreSQL.
            await OrgUnitEvents.ChangedManyAsync(connection, transaction, tenant, changedUnits.OrderBy(u => u.Id, StringComparer.Ordinal), cancellationToken);

            await transaction.CommitAsync(cancellationToken);
            if (changedUnits.Count > 0)
            {
                signal.Notify();
            }

            return new ImportOutcome(changedUnits.Count, [], 0);

            async Task AnalyzeAsync(string table)
            {
                if (database.IsPostgres)
                {
                    await Sql.ExecuteAsync(connection, transaction, $"ANALYZE pg_temp.{table}", cancellationToken);
                }
            }

            async Task<int> ExecAsync(string sql, params (string, object?)[] extra) =>
                await Sql.ExecuteAsync(connection, transaction, sql, cancellationToken, [tenantParameter, .. extra]);

            async Task CheckAsync(string sql, Func<string?, string> message)
            {
                await using var command = Sql.Command(
                    connection,
                    transaction,
                    $"SELECT q.*, COUNT(*) OVER () FROM ({sql}) q ORDER BY 1 LIMIT @cap",
                    tenantParameter,
                    ("cap", (long)options.Value.MaxReportedErrors));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                var total = 0L;
                var found = new List<ImportError>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    total = Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture);
                    found.Add(new ImportError(
                        Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture),
                        reader.GetString(1),
                        message(reader.IsDBNull(2) ? null : reader.GetString(2))));
                }

                report.AddSorted(found, total);
            }
        }
        catch (DbException exception) when (OrgUnitStore.FromUniqueViolation(exception) is { } refused)
        {
            // A concurrent single-unit PATCH took an external id between the checks and the UPDATE.
            throw refused;
        }
        finally
        {
            await DropTempTablesAsync(connection);
        }
    }

    private async Task DropTempTablesAsync(DbConnection connection)
    {
        var t = database.TempSchema();
        foreach (var table in new[] { Reached, FinalTree, Paths, Staging })
        {
            try
            {
                await Sql.ExecuteAsync(connection, null, $"DROP TABLE IF EXISTS {t}.{table}", CancellationToken.None);
            }
            catch (DbException)
            {
                // A broken connection is discarded by the pool, and its temporary tables with it.
            }
        }
    }

    private async Task<DbTransaction> BeginAsync(DbConnection connection, bool write, CancellationToken cancellationToken) =>
        connection is SqliteConnection sqlite
            // BEGIN IMMEDIATE for the write phase takes SQLite's writer lock up front (waiting up to busy_timeout),
            // so the checks and the UPDATEs see the same data; a deferred one for the temp-only fill takes no lock.
            ? sqlite.BeginTransaction(IsolationLevel.Serializable, deferred: !write)
            : await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);

    private sealed record Header(int CellCount, int? Id, int? Path, int ExternalId, int? Name, int? ParentExternalId, string[] Names);

    private static async Task<Header?> ReadHeaderAsync(CsvRecordReader reader, ErrorReport report, CancellationToken cancellationToken)
    {
        var record = await reader.ReadAsync(cancellationToken);
        if (record is null)
        {
            report.Add(new ImportError(1, null, "the file is empty: a header row is required"));
            return null;
        }

        if (record.Error is not null)
        {
            report.Add(new ImportError(record.Line, null, record.Error));
            return null;
        }

        var positions = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var names = new string[record.Fields.Count];
        for (var i = 0; i < record.Fields.Count; i++)
        {
            var name = record.Fields[i].Trim();
            var known = _knownColumns.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                report.Add(new ImportError(record.Line, name, $"unknown column; the columns are {string.Join(", ", _knownColumns)}"));
            }
            else if (!positions.TryAdd(known, i))
            {
                report.Add(new ImportError(record.Line, known, "the column appears twice"));
            }

            names[i] = known ?? name;
        }

        if (!positions.ContainsKey("externalId"))
        {
            report.Add(new ImportError(record.Line, "externalId", "the externalId column is required"));
        }

        if (!positions.ContainsKey("id") && !positions.ContainsKey("path"))
        {
            report.Add(new ImportError(record.Line, "id", "an id or a path column is required to identify each unit"));
        }

        if (report.Count > 0)
        {
            return null;
        }

        int? At(string column) => positions.TryGetValue(column, out var index) ? index : null;
        return new Header(record.Fields.Count, At("id"), At("path"), positions["externalId"], At("name"), At("parentExternalId"), names);
    }

    /// <summary>Checks one row on its own and fills <paramref name="values"/> (the staging columns) when it is good.</summary>
    private static bool ParseRow(CsvRecord record, Header header, ErrorReport report, object?[] values)
    {
        if (record.Error is not null)
        {
            var column = record.ErrorField is { } cell && cell < header.Names.Length ? header.Names[cell] : null;
            report.Add(new ImportError(record.Line, column, record.Error));
            return false;
        }

        if (record.Fields.Count != header.CellCount)
        {
            report.Add(new ImportError(record.Line, null, $"the row has {record.Fields.Count} cells but the header has {header.CellCount}"));
            return false;
        }

        var good = true;
        string Cell(int? index) => index is { } i ? record.Fields[i].Trim() : string.Empty;
        void Fail(string column, string error)
        {
            report.Add(new ImportError(record.Line, column, error));
            good = false;
        }

        var id = Cell(header.Id);
        var path = Cell(header.Path);
        if (id.Length > 0 && path.Length > 0)
        {
            Fail("id", "give either id or path, not both");
        }
        else if (id.Length == 0 && path.Length == 0)
        {
            Fail(header.Id is null ? "path" : "id", "the row does not say which unit it changes: id or path is required");
        }
        else if (OrgUnitRules.HasControlCharacters(id) || OrgUnitRules.HasControlCharacters(path))
        {
            Fail(id.Length > 0 ? "id" : "path", "the cell must not contain control characters or line breaks");
        }

        string? externalId = Cell(header.ExternalId);
        if (externalId.Length == 0)
        {
            externalId = null;
        }
        else if (OrgUnitRules.CheckExternalId(externalId, out externalId) is { } externalIdError)
        {
            Fail("externalId", externalIdError);
        }

        string? name = Cell(header.Name);
        if (name.Length == 0)
        {
            name = null;
        }
        else if (OrgUnitRules.CheckName(name, out name) is { } nameError)
        {
            Fail("name", nameError);
        }

        string? parent = Cell(header.ParentExternalId);
        if (parent.Length == 0)
        {
            parent = null;
        }
        else if (OrgUnitRules.CheckExternalId(parent, out parent) is { } parentError)
        {
            Fail("parentExternalId", parentError.Replace("externalId", "parentExternalId", StringComparison.Ordinal));
        }

        if (!good)
        {
            return false;
        }

        values[0] = record.Line;
        values[1] = id.Length > 0 ? id : null;
        values[2] = path.Length > 0 ? OrgUnitRules.Normalize(path) : null;
        values[3] = externalId;
        values[4] = externalId is null ? null : OrgUnitRules.Normalize(externalId);
        values[5] = name;
        values[6] = name is null ? null : OrgUnitRules.Normalize(name);
        values[7] = parent;
        values[8] = parent is null ? null : OrgUnitRules.Normalize(parent);
        return true;
    }

    /// <summary>The report's entries in line order, at most a cap of them, and how many there were in all.</summary>
    private sealed class ErrorReport(int cap)
    {
        private readonly List<ImportError> _entries = [];

        public long Count { get; private set; }

        public void Add(ImportError error)
        {
            Count++;
            if (_entries.Count < cap)
            {
                _entries.Add(error);
            }
        }

        public void AddSorted(List<ImportError> errors, long total)
        {
            Count += total;
            _entries.AddRange(errors);
        }

        public List<ImportError> Entries() => [.. _entries.OrderBy(e => e.Line).Take(cap)];
    }
}
