using System.Data.Common;
using System.Globalization;
using Dapper;
using Microservices.Roles.Api.Domain;
using Microservices.Roles.Api.Endpoints;
using Microservices.Roles.Api.Messaging;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Roles.Api.Persistence;

/// <summary>
/// Roles as SCIM Groups: only roles with an external id that SCIM has not detached exist here. A Group's displayName
/// is the role's externalId and its externalId the role's groupExternalId (the IdP's group id). SCIM manages
/// memberships and names, never permissions.
/// </summary>
public sealed class GroupStore(Database db, TimeProvider time, OutboxSignal signal)
{
    public const int MaxPageSize = 1000;
    public const int MaxBatchGroups = 10_000;
    public const int MaxBatchMemberships = 500_000;

    // Seeding statements write up to hundreds of thousands of rows; the driver's default 30 s is for requests.
    private const int BatchCommandTimeoutSeconds = 300;

    /// <summary>
    /// Creates the role, or adopts the one whose externalId equals displayName (case-insensitively) when SCIM has not
    /// already linked it: adoption keeps the role's name and permissions (Assure: "if a role does not already exist with
    /// an external ID that matches the group name").
    /// </summary>
    public async Task<GroupResponse> CreateAsync(string tenant, CreateGroupRequest request, CancellationToken cancellationToken)
    {
        var displayName = Input.Required(request.DisplayName, "displayName");
        var groupExternalId = Input.Optional(request.ExternalId, "externalId");
        var members = Input.UserIds(request.Members, "members");
        var now = time.Micros();

        var created = await RoleRows.UniqueExternalIdAsync(
            () => db.InTransactionAsync(
                async (connection, transaction) =>
                {
                    var existing = await connection.QuerySingleOrDefaultAsync<RoleRow>(new CommandDefinition(
                        $"SELECT {RoleRows.Columns} FROM roles WHERE tenant_id = @tenant AND external_id_norm = @norm{db.ForUpdate}",
                        new { tenant, norm = Input.Normalise(displayName) },
                        transaction,
                        cancellationToken: cancellationToken));
                    bool adopted;
                    RoleRow row;
                    if (existing is not null)
                    {
                        if (existing.ScimLinked)
                        {
                            throw ApiProblemException.Uniqueness("displayName", $"A group with displayName '{displayName}' already exists.");
                        }

                        row = existing;
                        row.ScimLinked = true;
                        row.ScimDetached = false;
                        row.GroupExternalId = groupExternalId;
                        await RoleRows.SaveAsync(connection, transaction, tenant, row, now, cancellationToken);
                        adopted = true;
                    }
                    else
                    {
                        // Assure: a role created through SCIM has every permission set to Deny.
                        row = new RoleRow
                        {
                            Id = Guid.NewGuid().ToString(),
                            Name = displayName,
                            ExternalId = displayName,
                            GroupExternalId = groupExternalId,
                            Origin = Origins.Scim,
                            ScimLinked = true,
                            Version = 1,
                            Created = now,
                            LastModified = now,
                        };
                        await RoleRows.InsertAsync(connection, transaction, tenant, row, cancellationToken);
                        await RoleRows.UpsertPermissionsAsync(db, connection, transaction, tenant, row.Id, Modules.All.ToDictionary(m => m.Key, _ => Access.Deny), cancellationToken);
                        adopted = false;
                    }

                    // One transaction is one change: the adoption above already bumped the version.
                    await SetSql.AddMembersAsync(db, connection, transaction, tenant, row.Id, members, Origins.Scim, now, cancellationToken);
                    var all = await SetSql.MembersAsync(connection, transaction, tenant, row.Id, cancellationToken);
                    // The whole set: an adopted role brings the members an administrator gave it into SCIM's view.
                    await RoleEvents.MembershipsAsync(connection, transaction, tenant, row, all, [], exclusive: true, displayChanged: adopted, cancellationToken);
                    return row.ToGroup(all, adopted);
                },
                cancellationToken),
            "displayName");
        signal.Notify();
        return created;
    }

    public Task<GroupResponse?> GetAsync(string tenant, string id, bool includeMembers, CancellationToken cancellationToken) =>
        RoleRows.ReadAsync(
            db,
            async (connection, transaction) =>
            {
                var row = await RoleRows.LoadAsync(db, connection, transaction, tenant, id, scimOnly: true, forUpdate: false, cancellationToken);
                if (row is null)
                {
                    return null;
                }

                // members=false must not touch memberships at all (Entra and Okta read groups with excludedAttributes=members).
                var members = includeMembers ? await SetSql.MembersAsync(connection, transaction, tenant, id, cancellationToken) : null;
                return row.ToGroup(members);
            },
            cancellationToken);

    /// <summary>
    /// One page of groups. OFFSET paging: a tenant has at most some thousands of roles, so skipping rows of an index
    /// is cheap, and startIndex is what SCIM clients send. Order is stable: the sort column, then id.
    /// </summary>
    public Task<GroupListResponse> ListAsync(string tenant, string? filter, int startIndex, int count, string? sortBy, bool descending, bool includeMembers, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters(new { tenant, limit = count, offset = (long)startIndex - 1 });
        var where = $"tenant_id = @tenant AND {RoleRows.ScimVisible} AND {GroupFilterSql.Translate(db, filter, parameters)}";
        var orderBy = OrderBy(sortBy, descending);

        return RoleRows.ReadAsync(
            db,
            async (connection, transaction) =>
            {
                var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    $"SELECT COUNT(*) FROM roles WHERE {where}", parameters, transaction, cancellationToken: cancellationToken));
                if (count == 0)
                {
                    return new GroupListResponse((int)total, startIndex, []);
                }

                var rows = (await connection.QueryAsync<RoleRow>(new CommandDefinition(
                    $"SELECT {RoleRows.Columns} FROM roles WHERE {where} ORDER BY {orderBy} LIMIT @limit OFFSET @offset",
                    parameters,
                    transaction,
                    cancellationToken: cancellationToken))).ToList();

                Dictionary<string, List<string>>? members = null;
                if (includeMembers && rows.Count > 0)
                {
                    members = rows.ToDictionary(r => r.Id, _ => new List<string>(), StringComparer.Ordinal);
                    var memberParameters = new DynamicParameters(new { tenant });
                    var source = SetSql.Values(db, memberParameters, "roleIds", [.. members.Keys]);
                    var pairs = await connection.QueryAsync<(string RoleId, string UserId)>(new CommandDefinition(
                        $"SELECT role_id, user_id FROM memberships WHERE tenant_id = @tenant AND role_id IN (SELECT value FROM {source}) ORDER BY role_id, user_id",
                        memberParameters,
                        transaction,
                        cancellationToken: cancellationToken));
                    foreach (var (roleId, userId) in pairs)
                    {
                        members[roleId].Add(userId);
                    }
                }

                return new GroupListResponse((int)total, startIndex, [.. rows.Select(r => r.ToGroup(members?[r.Id]))]);
            },
            cancellationToken);
    }

    /// <summary>Replaces displayName, externalId (absent means none) and the member set, diffed in SQL.</summary>
    public async Task<GroupResponse> PutAsync(string tenant, string id, PutGroupRequest request, IfMatch? ifMatch, CancellationToken cancellationToken)
    {
        var displayName = Input.Required(request.DisplayName, "displayName");
        var groupExternalId = Input.Optional(request.ExternalId, "externalId");
        var members = request.Members is null
            ? throw ApiProblemException.InvalidValue("members", "members is required on PUT (the whole member set); send [] for none.")
            : Input.UserIds(request.Members, "members");
        var now = time.Micros();

        var replaced = await RoleRows.UniqueExternalIdAsync(
            () => db.InTransactionAsync(
                async (connection, transaction) =>
                {
                    var row = await RoleRows.LoadRequiredAsync(db, connection, transaction, tenant, id, scimOnly: true, forUpdate: true, cancellationToken);
                    ifMatch?.Check(row.Version);
                    var renamed = await RenameAsync(connection, transaction, tenant, row, displayName, cancellationToken);
                    var rekeyed = groupExternalId != row.GroupExternalId;
                    row.GroupExternalId = groupExternalId;
                    var (added, removed) = await SetSql.ReplaceMembersAsync(db, connection, transaction, tenant, id, members, Origins.Scim, now, cancellationToken);
                    if (renamed || rekeyed)
                    {
                        await RoleRows.SaveAsync(connection, transaction, tenant, row, now, cancellationToken);
                    }
                    else if (added + removed > 0)
                    {
                        await RoleRows.BumpAsync(connection, transaction, tenant, row, now, cancellationToken);
                    }

                    var all = await SetSql.MembersAsync(connection, transaction, tenant, id, cancellationToken);
                    if (added + removed > 0)
                    {
                        await RoleEvents.MembershipsAsync(connection, transaction, tenant, row, all, [], exclusive: true, displayChanged: renamed, cancellationToken);
                    }
                    else if (renamed)
                    {
                        await RoleEvents.RenamedAsync(connection, transaction, tenant, row, cancellationToken);
                    }

                    return row.ToGroup(all);
                },
                cancellationToken),
            "displayName");
        signal.Notify();
        return replaced;
    }

    /// <summary>
    /// Renames and changes members in one transaction: replaceMembers, then removeMembers, then addMembers. Adding a
    /// member already there and removing one already gone are no-ops (Entra sends both). The cost is that of the
    /// change: existing members are never loaded.
    /// </summary>
    public async Task<MembershipChangeResponse> PatchAsync(string tenant, string id, PatchGroupRequest request, IfMatch? ifMatch, CancellationToken cancellationToken)
    {
        var displayName = request.DisplayName.IsSet ? Input.Required(request.DisplayName.Value, "displayName") : null;
        var groupExternalId = request.ExternalId.IsSet ? Input.Optional(request.ExternalId.Value, "externalId") : null;
        var replace = request.ReplaceMembers is null ? null : Input.UserIds(request.ReplaceMembers, "replaceMembers");
        var remove = Input.UserIds(request.RemoveMembers, "removeMembers");
        var add = Input.UserIds(request.AddMembers, "addMembers");
        var now = time.Micros();

        var patched = await RoleRows.UniqueExternalIdAsync(
            () => db.InTransactionAsync(
                async (connection, transaction) =>
                {
                    // The row lock orders concurrent PATCHes of one group; memberships of other groups are not blocked.
                    var row = await RoleRows.LoadRequiredAsync(db, connection, transaction, tenant, id, scimOnly: true, forUpdate: true, cancellationToken);
                    ifMatch?.Check(row.Version);
                    var renamed = displayName is not null && await RenameAsync(connection, transaction, tenant, row, displayName, cancellationToken);
                    var changed = renamed;
                    if (request.ExternalId.IsSet && groupExternalId != row.GroupExternalId)
                    {
                        row.GroupExternalId = groupExternalId;
                        changed = true;
                    }

                    int added = 0, removed = 0;
                    if (replace is not null)
                    {
                        (added, removed) = await SetSql.ReplaceMembersAsync(db, connection, transaction, tenant, id, replace, Origins.Scim, now, cancellationToken);
                    }

                    removed += await SetSql.RemoveMembersAsync(db, connection, transaction, tenant, id, remove, cancellationToken);
                    added += await SetSql.AddMembersAsync(db, connection, transaction, tenant, id, add, Origins.Scim, now, cancellationToken);

                    if (changed)
                    {
                        await RoleRows.SaveAsync(connection, transaction, tenant, row, now, cancellationToken);
                    }
                    else if (added + removed > 0)
                    {
                        await RoleRows.BumpAsync(connection, transaction, tenant, row, now, cancellationToken);
                    }

                    if (added + removed > 0)
                    {
                        // The requested lists, not the effective diff: re-announcing a member already there (or gone)
                        // is harmless to a version-gated consumer, and the existing members are never loaded.
                        var present = replace is null ? add : replace.Except(remove, StringComparer.Ordinal).Concat(add);
                        await RoleEvents.MembershipsAsync(connection, transaction, tenant, row, present, remove, exclusive: replace is not null, displayChanged: renamed, cancellationToken);
                    }
                    else if (renamed)
                    {
                        await RoleEvents.RenamedAsync(connection, transaction, tenant, row, cancellationToken);
                    }

                    return new MembershipChangeResponse(id, row.Version, added, removed);
                },
                cancellationToken),
            "displayName");
        signal.Notify();
        return patched;
    }

    /// <summary>
    /// SCIM-created roles are deleted with their memberships (a hard delete: ids are never reused, and the event carries
    /// what consumers need). An adopted role is detached instead: it stays in Assure with its permissions and the
    /// memberships an administrator gave, loses the ones SCIM gave, and no longer exists for SCIM until a POST with the
    /// same displayName adopts it again.
    /// </summary>
    public async Task DeleteAsync(string tenant, string id, IfMatch? ifMatch, CancellationToken cancellationToken)
    {
        var now = time.Micros();
        await db.InTransactionAsync(
            async (connection, transaction) =>
            {
                var row = await RoleRows.LoadRequiredAsync(db, connection, transaction, tenant, id, scimOnly: true, forUpdate: true, cancellationToken);
                ifMatch?.Check(row.Version);
                if (row.Origin == Origins.Scim)
                {
                    // ON DELETE CASCADE removes its memberships and permissions.
                    await connection.ExecuteAsync(new CommandDefinition(
                        "DELETE FROM roles WHERE tenant_id = @tenant AND id = @id", new { tenant, id }, transaction, cancellationToken: cancellationToken));
                    await RoleEvents.DeletedAsync(connection, transaction, tenant, id, row.Version + 1, cancellationToken);
                    return;
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM memberships WHERE tenant_id = @tenant AND role_id = @id AND source = @source",
                    new { tenant, id, source = Origins.Scim },
                    transaction,
                    cancellationToken: cancellationToken));
                row.ScimLinked = false;
                row.ScimDetached = true;
                row.GroupExternalId = null;
                await RoleRows.SaveAsync(connection, transaction, tenant, row, now, cancellationToken);
                // Gone for SCIM (the role stays in Assure): consumers tombstone every row of the role, which covers
                // the SCIM-given members removed above.
                await RoleEvents.DeletedAsync(connection, transaction, tenant, id, row.Version, cancellationToken);
            },
            cancellationToken);
        signal.Notify();
    }

    /// <summary>Seeds many groups and memberships in one transaction, set-based (benchmarks). Creates only; any clash is a 409.</summary>
    public async Task<BatchGroupsResponse> BatchAsync(string tenant, BatchGroupsRequest request, CancellationToken cancellationToken)
    {
        var groups = request.Groups ?? throw ApiProblemException.InvalidValue("groups", "groups is required.");
        if (groups.Count > MaxBatchGroups)
        {
            throw ApiProblemException.InvalidValue("groups", $"A batch holds at most {MaxBatchGroups} groups.");
        }

        var ids = new string[groups.Count];
        var names = new string[groups.Count];
        var norms = new string[groups.Count];
        var groupExternalIds = new string?[groups.Count];
        var memberRoles = new List<string>();
        var memberUsers = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < groups.Count; i++)
        {
            var field = $"groups[{i}]";
            var group = groups[i] ?? throw ApiProblemException.InvalidValue(field, $"{field} must be an object.");
            ids[i] = Guid.NewGuid().ToString();
            names[i] = Input.Required(group.DisplayName, field + ".displayName");
            norms[i] = Input.Normalise(names[i]);
            if (!seen.Add(norms[i]))
            {
                throw ApiProblemException.Uniqueness(field + ".displayName", $"displayName '{names[i]}' appears twice in the batch.");
            }

            groupExternalIds[i] = Input.Optional(group.ExternalId, field + ".externalId");
            foreach (var userId in Input.UserIds(group.Members, field + ".members"))
            {
                memberRoles.Add(ids[i]);
                memberUsers.Add(userId);
            }

            if (memberUsers.Count > MaxBatchMemberships)
            {
                throw ApiProblemException.InvalidValue("groups", $"A batch holds at most {MaxBatchMemberships} memberships.");
            }
        }

        var now = time.Micros();
        await RoleRows.UniqueExternalIdAsync(
            () => db.InTransactionAsync(
                async (connection, transaction) =>
                {
                    var parameters = new DynamicParameters(new { tenant, now, origin = Origins.Scim });
                    string rows;
                    if (db.IsPostgres)
                    {
                        parameters.Add("ids", ids);
                        parameters.Add("names", names);
                        parameters.Add("norms", norms);
                        parameters.Add("gx", groupExternalIds);
                        rows = "SELECT id, name, norm, gx FROM unnest(@ids, @names, @norms, @gx) AS s(id, name, norm, gx)";
                    }
                    else
                    {
                        parameters.Add("rows", System.Text.Json.JsonSerializer.Serialize(ids.Select((id, i) => new[] { id, names[i], norms[i], groupExternalIds[i] })));
                        rows = "SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS name, json_extract(value, '$[2]') AS norm, "
                            + "json_extract(value, '$[3]') AS gx FROM json_each(@rows)";
                    }

                    await connection.ExecuteAsync(new CommandDefinition(
                        "INSERT INTO roles (tenant_id, id, name, external_id, external_id_norm, group_external_id, origin, scim_linked, scim_detached, version, created, last_modified) "
                        + $"SELECT @tenant, r.id, r.name, r.name, r.norm, r.gx, @origin, TRUE, FALSE, 1, @now, @now FROM ({rows}) AS r",
                        parameters,
                        transaction,
                        BatchCommandTimeoutSeconds,
                        cancellationToken: cancellationToken));

                    var permissionParameters = new DynamicParameters(new { tenant, deny = Access.Deny });
                    var roleSource = SetSql.Values(db, permissionParameters, "roleIds", ids);
                    var moduleSource = SetSql.Values(db, permissionParameters, "modules", [.. Modules.All.Select(m => m.Key)]);
                    await connection.ExecuteAsync(new CommandDefinition(
                        "INSERT INTO role_permissions (tenant_id, role_id, module, access) "
                        + $"SELECT @tenant, r.value, m.value, @deny FROM (SELECT value FROM {roleSource}) AS r CROSS JOIN (SELECT value FROM {moduleSource}) AS m",
                        permissionParameters,
                        transaction,
                        BatchCommandTimeoutSeconds,
                        cancellationToken: cancellationToken));

                    // In primary-key order, so the index grows by appending within each role instead of splitting pages at random.
                    var order = Enumerable.Range(0, memberRoles.Count)
                        .OrderBy(i => memberRoles[i], StringComparer.Ordinal)
                        .ThenBy(i => memberUsers[i], StringComparer.Ordinal)
                        .ToArray();
                    var memberParameters = new DynamicParameters(new { tenant, now, source = Origins.Scim });
                    var pairs = SetSql.Pairs(db, memberParameters, "members", [.. order.Select(i => memberRoles[i])], [.. order.Select(i => memberUsers[i])]);
                    await connection.ExecuteAsync(new CommandDefinition(
                        $"INSERT INTO memberships (tenant_id, role_id, user_id, source, created) SELECT @tenant, a, b, @source, @now FROM {pairs}",
                        memberParameters,
                        transaction,
                        BatchCommandTimeoutSeconds,
                        cancellationToken: cancellationToken));
                    // No membership.changed.v1: seeding is for benchmarks, so the users service's role projection does
                    // not learn these memberships (docs/events.md).
                    return true;
                },
                cancellationToken),
            "displayName");
        return new BatchGroupsResponse(groups.Count);
    }

    private static async Task<bool> RenameAsync(DbConnection connection, DbTransaction transaction, string tenant, RoleRow row, string displayName, CancellationToken cancellationToken)
    {
        if (displayName == row.ExternalId)
        {
            return false;
        }

        if (await RoleRows.ExternalIdTakenAsync(connection, transaction, tenant, displayName, row.Id, cancellationToken))
        {
            throw ApiProblemException.Uniqueness("displayName", $"Another role already has the external id '{displayName}' (compared case-insensitively).");
        }

        // A role SCIM created is named by its group; an adopted role keeps the name its administrator gave it.
        if (row.Origin == Origins.Scim)
        {
            row.Name = displayName;
        }

        row.ExternalId = displayName;
        return true;
    }

    private static string OrderBy(string? sortBy, bool descending)
    {
        if (string.IsNullOrWhiteSpace(sortBy))
        {
            return "created, id";
        }

        var (column, nullable) = GroupFilterSql.SortColumn(sortBy);
        var direction = descending ? "DESC" : "ASC";
        // Absent values sort last ascending and first descending (as the largest), the same on both engines.
        var nulls = nullable ? $"({column} IS NULL) {direction}, " : "";
        return string.Create(CultureInfo.InvariantCulture, $"{nulls}{column} {direction}, id {direction}");
    }
}
