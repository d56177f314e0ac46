using Dapper;
using Microservices.Roles.Api.Domain;
using Microservices.Roles.Api.Endpoints;
using Microservices.Roles.Api.Messaging;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;

namespace Microservices.Roles.Api.Persistence;

/// <summary>
/// The admin side (Edit Role screen, admin API): names, external ids and permissions. Only these operations change
/// permissions; SCIM never does.
/// </summary>
public sealed class RoleStore(Database db, TimeProvider time, OutboxSignal signal)
{
    public async Task<RoleResponse> CreateAsync(string tenant, CreateRoleRequest request, CancellationToken cancellationToken)
    {
        var name = Input.Required(request.Name, "name");
        var externalId = Input.Optional(request.ExternalId, "externalId");
        // Modules the request leaves out are Inherit: "no opinion" (it resolves to Deny when nothing up the org unit
        // tree allows), whereas Deny would override Allows the user's other roles give (Deny beats Allow).
        var permissions = MergePermissions(RoleRows.Complete(Modules.All.ToDictionary(m => m.Key, _ => Access.Inherit)), request.Permissions);
        var now = time.Micros();
        var row = new RoleRow
        {
            Id = Guid.NewGuid().ToString(),
            Name = name,
            ExternalId = externalId,
            Origin = Origins.Admin,
            Version = 1,
            Created = now,
            LastModified = now,
        };

        await RoleRows.UniqueExternalIdAsync(
            () => db.InTransactionAsync(
                async (connection, transaction) =>
                {
                    await RoleRows.InsertAsync(connection, transaction, tenant, row, cancellationToken);
                    await RoleRows.UpsertPermissionsAsync(db, connection, transaction, tenant, row.Id, permissions, cancellationToken);
                    return true;
                },
                cancellationToken),
            "externalId");
        return ToResponse(row, permissions);
    }

    public async Task<RoleResponse?> GetAsync(string tenant, string id, CancellationToken cancellationToken) =>
        await RoleRows.ReadAsync(
            db,
            async (connection, transaction) =>
            {
                var row = await RoleRows.LoadAsync(db, connection, transaction, tenant, id, scimOnly: false, forUpdate: false, cancellationToken);
                if (row is null)
                {
                    return null;
                }

                var permissions = await RoleRows.LoadPermissionsAsync(connection, transaction, tenant, id, cancellationToken);
                return ToResponse(row, RoleRows.Complete(permissions.GetValueOrDefault(id)));
            },
            cancellationToken);

    /// <summary>Every role of the tenant, with an external id or not, oldest first.</summary>
    public Task<RoleListResponse> ListAsync(string tenant, CancellationToken cancellationToken) =>
        RoleRows.ReadAsync(
            db,
            async (connection, transaction) =>
            {
                var rows = await connection.QueryAsync<RoleRow>(new CommandDefinition(
                    $"SELECT {RoleRows.Columns} FROM roles WHERE tenant_id = @tenant ORDER BY created, id",
                    new { tenant },
                    transaction,
                    cancellationToken: cancellationToken));
                var permissions = await RoleRows.LoadPermissionsAsync(connection, transaction, tenant, null, cancellationToken);
                var items = rows.Select(r => ToResponse(r, RoleRows.Complete(permissions.GetValueOrDefault(r.Id)))).ToList();
                return new RoleListResponse(items.Count, items);
            },
            cancellationToken);

    public async Task<RoleResponse> PatchAsync(string tenant, string id, PatchRoleRequest request, IfMatch? ifMatch, CancellationToken cancellationToken)
    {
        var name = request.Name.IsSet ? Input.Required(request.Name.Value, "name") : null;
        var externalId = request.ExternalId.IsSet ? Input.Optional(request.ExternalId.Value, "externalId") : null;
        var now = time.Micros();

        var patched = await RoleRows.UniqueExternalIdAsync(
            () => db.InTransactionAsync(
                async (connection, transaction) =>
                {
                    var row = await RoleRows.LoadRequiredAsync(db, connection, transaction, tenant, id, scimOnly: false, forUpdate: true, cancellationToken);
                    ifMatch?.Check(row.Version);
                    var displayBefore = RoleEvents.Display(row);
                    var stored = await RoleRows.LoadPermissionsAsync(connection, transaction, tenant, id, cancellationToken);
                    var before = RoleRows.Complete(stored.GetValueOrDefault(id));
                    var after = MergePermissions(before, request.Permissions);
                    var changed = false;

                    if (name is not null && name != row.Name)
                    {
                        row.Name = name;
                        changed = true;
                    }

                    if (request.ExternalId.IsSet)
                    {
                        changed |= await SetExternalIdAsync(connection, transaction, tenant, row, externalId, cancellationToken);
                    }

                    var changedModules = after.Where(p => before[p.Key] != p.Value).ToDictionary(p => p.Key, p => p.Value);
                    if (changedModules.Count > 0)
                    {
                        await RoleRows.UpsertPermissionsAsync(db, connection, transaction, tenant, id, changedModules, cancellationToken);
                        changed = true;
                    }

                    if (changed)
                    {
                        await RoleRows.SaveAsync(connection, transaction, tenant, row, now, cancellationToken);
                        await AnnounceDisplayAsync(connection, transaction, tenant, row, displayBefore, cancellationToken);
                    }

                    return ToResponse(row, after);
                },
                cancellationToken),
            "externalId");
        signal.Notify();
        return patched;
    }

    /// <summary>
    /// A role that gains an external id appears to SCIM with all its members (a snapshot); one that loses it is gone;
    /// otherwise only its display changed.
    /// </summary>
    private static async Task AnnounceDisplayAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string tenant, RoleRow row, string? displayBefore, CancellationToken cancellationToken)
    {
        var displayAfter = RoleEvents.Display(row);
        if (displayAfter == displayBefore)
        {
            return;
        }

        if (displayAfter is null)
        {
            await RoleEvents.DeletedAsync(connection, transaction, tenant, row.Id, row.Version, cancellationToken);
        }
        else if (displayBefore is null)
        {
            var all = await SetSql.MembersAsync(connection, transaction, tenant, row.Id, cancellationToken);
            await RoleEvents.MembershipsAsync(connection, transaction, tenant, row, all, [], exclusive: true, displayChanged: true, cancellationToken);
        }
        else
        {
            await RoleEvents.RenamedAsync(connection, transaction, tenant, row, cancellationToken);
        }
    }

    public Task<RoleMembersResponse> MembersAsync(string tenant, string id, CancellationToken cancellationToken) =>
        RoleRows.ReadAsync(
            db,
            async (connection, transaction) =>
            {
                await RoleRows.LoadRequiredAsync(db, connection, transaction, tenant, id, scimOnly: false, forUpdate: false, cancellationToken);
                var rows = await connection.QueryAsync<(string UserId, string Source, long Created)>(new CommandDefinition(
                    "SELECT user_id, source, created FROM memberships WHERE tenant_id = @tenant AND role_id = @id ORDER BY user_id",
                    new { tenant, id },
                    transaction,
                    cancellationToken: cancellationToken));
                return new RoleMembersResponse([.. rows.Select(r => new RoleMemberResponse(r.UserId, r.Source, Clock.FromMicros(r.Created)))]);
            },
            cancellationToken);

    /// <summary>Members given by an administrator (source admin); SCIM deleting an adopted role leaves them in place.</summary>
    public async Task<MembershipChangeResponse> AddMembersAsync(string tenant, string id, AddRoleMembersRequest request, CancellationToken cancellationToken)
    {
        var userIds = Input.UserIds(request.UserIds, "userIds");
        var now = time.Micros();
        var response = await db.InTransactionAsync(
            async (connection, transaction) =>
            {
                var row = await RoleRows.LoadRequiredAsync(db, connection, transaction, tenant, id, scimOnly: false, forUpdate: true, cancellationToken);
                var added = await SetSql.AddMembersAsync(db, connection, transaction, tenant, id, userIds, Origins.Admin, now, cancellationToken);
                if (added > 0)
                {
                    await RoleRows.BumpAsync(connection, transaction, tenant, row, now, cancellationToken);
                    await RoleEvents.MembershipsAsync(connection, transaction, tenant, row, userIds, [], exclusive: false, displayChanged: false, cancellationToken);
                }

                return new MembershipChangeResponse(id, row.Version, added, 0);
            },
            cancellationToken);
        signal.Notify();
        return response;
    }

    public async Task<MembershipChangeResponse> RemoveMemberAsync(string tenant, string id, string userId, CancellationToken cancellationToken)
    {
        var userIds = Input.UserIds([userId], "userId");
        var now = time.Micros();
        var response = await db.InTransactionAsync(
            async (connection, transaction) =>
            {
                var row = await RoleRows.LoadRequiredAsync(db, connection, transaction, tenant, id, scimOnly: false, forUpdate: true, cancellationToken);
                var removed = await SetSql.RemoveMembersAsync(db, connection, transaction, tenant, id, userIds, cancellationToken);
                if (removed > 0)
                {
                    await RoleRows.BumpAsync(connection, transaction, tenant, row, now, cancellationToken);
                    await RoleEvents.MembershipsAsync(connection, transaction, tenant, row, [], userIds, exclusive: false, displayChanged: false, cancellationToken);
                }

                return new MembershipChangeResponse(id, row.Version, 0, removed);
            },
            cancellationToken);
        signal.Notify();
        return response;
    }

    private static async Task<bool> SetExternalIdAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string tenant, RoleRow row, string? externalId, CancellationToken cancellationToken)
    {
        if (externalId is null)
        {
            if (row.ExternalId is null)
            {
                return false;
            }

            // Without an external id the role no longer exists for SCIM, so it is no longer linked to an IdP group;
            // its memberships (whoever gave them) stay, as the administrator left them.
            row.ExternalId = null;
            row.GroupExternalId = null;
            row.ScimLinked = false;
            row.ScimDetached = false;
            return true;
        }

        if (await RoleRows.ExternalIdTakenAsync(connection, transaction, tenant, externalId, row.Id, cancellationToken))
        {
            throw ApiProblemException.Uniqueness("externalId", $"Another role already has the external id '{externalId}' (compared case-insensitively).");
        }

        // An administrator who sets an external id says the role is for SCIM: a role SCIM had detached shows again.
        var changed = externalId != row.ExternalId || row.ScimDetached;
        row.ExternalId = externalId;
        row.ScimDetached = false;
        return changed;
    }

    private static Dictionary<string, string> MergePermissions(IReadOnlyDictionary<string, string> current, Dictionary<string, string?>? changes)
    {
        var result = new Dictionary<string, string>(current, StringComparer.Ordinal);
        if (changes is null)
        {
            return result;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in changes)
        {
            var field = $"permissions.{key}";
            var module = Modules.Find(key) ?? throw ApiProblemException.InvalidValue(field, $"Unknown module '{key}'; known modules: {string.Join(", ", Modules.All.Select(m => m.Key))}.");
            if (!seen.Add(module.Key))
            {
                throw ApiProblemException.InvalidValue(field, $"Module '{module.Key}' is given more than once.");
            }

            result[module.Key] = Access.Parse(value) ?? throw ApiProblemException.InvalidValue(field, $"Permission of '{module.Key}' must be Allow, Deny or Inherit.");
        }

        return result;
    }

    private static RoleResponse ToResponse(RoleRow row, IReadOnlyDictionary<string, string> permissions) =>
        new(row.Id, row.Name, row.ExternalId, row.GroupExternalId, permissions, row.Origin, row.ScimLinked, row.ScimDetached, row.Version, Clock.FromMicros(row.Created), Clock.FromMicros(row.LastModified));
}
