using System.Data.Common;
using System.Globalization;
using System.Text;
using Microservices.ServiceDefaults.Messaging;
using Microservices.ServiceDefaults.Storage;
using Microservices.Users.Api.Domain;
using Microservices.Users.Api.Messaging;

namespace Microservices.Users.Api.Persistence;

/// <summary>The person register values a user implies; compared to tell whether the person row changes.</summary>
internal sealed record PersonValues(
    string Forename, string Surname, string? Email, string? JobTitle, string DefaultUnitId, bool Current, string Reference, string? Phone, string? Mobile)
{
    public static PersonValues Of(UserData user, string? jobTitle) => new(
        user.GivenName, user.FamilyName, user.Email, jobTitle, user.Unit.Id, user.Active, user.Reference, user.WorkPhone, user.MobilePhone);

    /// <summary>The person record these values make, as written with this id, version and times.</summary>
    public PersonRecord ToRecord(string id, long version, DateTime created, DateTime lastModified) =>
        new(id, Forename, Surname, Email, JobTitle, DefaultUnitId, Current, Reference, Phone, Mobile, version, created, lastModified);

    public static PersonValues Of(PersonRecord person) => new(
        person.Forename, person.Surname, person.Email, person.JobTitle, person.DefaultUnitId, person.Current, person.Reference, person.WorkPhone, person.MobilePhone);
}

/// <summary>A parsed <c>If-Match</c>: <c>*</c>, or the versions it names (W/"n" or "n").</summary>
public sealed record VersionPrecondition(bool Any, IReadOnlyList<long> Versions)
{
    public bool Matches(long version) => Any || Versions.Contains(version);
}

/// <summary>
/// Every write of a user and its person, each in one transaction. Lock order is the same everywhere (org unit
/// projection, job title, user row, person, emails, tenant counter) so concurrent writers cannot deadlock.
/// </summary>
public sealed class UserStore(Database database, TimeProvider clock, OutboxSignal signal)
{
    public const int MaxExistsIds = 10_000;

    private const string UserColumns = """
        user_name, user_name_norm, external_id, display_name, given_name, family_name, middle_name, honorific_prefix,
        honorific_suffix, formatted_name, email, active, user_type, access_type, is_manager, preferred_language, locale,
        time_zone, date_format, title, default_unit_id, employee_number, person_reference, work_phone, mobile_phone, attributes
        """;

    private const string UserValues = """
        @user_name, @user_name_norm, @external_id, @display_name, @given_name, @family_name, @middle_name, @honorific_prefix,
        @honorific_suffix, @formatted_name, @email, @active, @user_type, @access_type, @is_manager, @preferred_language, @locale,
        @time_zone, @date_format, @title, @default_unit_id, @employee_number, @person_reference, @work_phone, @mobile_phone, @attributes
        """;

    private const string UserAssignments = """
        user_name = @user_name, user_name_norm = @user_name_norm, external_id = @external_id, display_name = @display_name,
        given_name = @given_name, family_name = @family_name, middle_name = @middle_name, honorific_prefix = @honorific_prefix,
        honorific_suffix = @honorific_suffix, formatted_name = @formatted_name, email = @email, active = @active,
        user_type = @user_type, access_type = @access_type, is_manager = @is_manager, preferred_language = @preferred_language,
        locale = @locale, time_zone = @time_zone, date_format = @date_format, title = @title, default_unit_id = @default_unit_id,
        employee_number = @employee_number, person_reference = @person_reference, work_phone = @work_phone,
        mobile_phone = @mobile_phone, attributes = @attributes
        """;

    private const string PersonAssignments = """
        forename = @forename, surname = @surname, email = @p_email, job_title = @job_title, default_unit_id = @p_unit,
        is_current = @is_current, reference = @reference, phone = @phone, mobile = @mobile
        """;

    /// <summary>Creates a user and its person, or brings back the SCIM-deleted user of the same userName (same ids).</summary>
    public async Task<UserRecord> CreateAsync(string tenant, UserData user, CancellationToken cancellationToken)
    {
        var (created, restored) = await CreateRowsAsync(tenant, user, cancellationToken);
        if (restored)
        {
            // Committed with its users event: wake the relay now rather than at its next poll.
            signal.Notify();
        }

        return created;
    }

    private Task<(UserRecord User, bool Restored)> CreateRowsAsync(string tenant, UserData user, CancellationToken cancellationToken) =>
        WriteAsync<(UserRecord, bool)>(
            async (connection, transaction) =>
            {
                var now = UnixMicros.Now(clock);
                var context = await ReadWriteContextAsync(connection, transaction, tenant, user, findDeleted: true, cancellationToken);
                var unit = await ApplyUnitAsync(connection, transaction, tenant, user.Unit, context.Unit, now, cancellationToken);
                var person = PersonValues.Of(user, context.JobTitle ?? await AddJobTitleAsync(connection, transaction, tenant, user, now, cancellationToken));

                if (context.Deleted is { } deleted)
                {
                    // RFC 7644 leaves a re-POST after DELETE open; Assure never hard-deletes, so the same user and person
                    // come back (same ids, undeleted, fields replaced by this write).
                    return (await ReviveAsync(connection, transaction, tenant, deleted, user, person, now, cancellationToken), true);
                }

                // A live user of the same name makes the insert fail on users_name_live (WriteAsync answers 409): no
                // read beforehand, so a create is one round trip of writes. Everything the answer holds is known here
                // (a new user has no roles yet), so it is built, not read back.
                var id = NewId(now);
                var personId = NewId(now);
                var sql = new StringBuilder($"""
                    INSERT INTO users (tenant_id, id, person_id, {UserColumns}, deleted, version, created, last_modified)
                    VALUES (@tenant, @id, @person_id, {UserValues}, @false, 1, @now, @now);
                    INSERT INTO persons (tenant_id, id, user_id, forename, surname, email, job_title, default_unit_id, is_current,
                                         reference, phone, mobile, version, created, last_modified)
                    VALUES (@tenant, @person_id, @id, @forename, @surname, @p_email, @job_title, @p_unit, @is_current,
                            @reference, @phone, @mobile, 1, @now, @now);
                    """);
                await using var command = connection.Command(transaction, "");
                BindUser(command, user).With("tenant", tenant).With("id", id).With("person_id", personId).With("false", false).With("now", now);
                BindPerson(command, person);
                AppendEmails(sql, command, user.Emails);
                AppendCount(sql, command, 1);
                command.CommandText = sql.ToString();
                await command.ExecuteNonQueryAsync(cancellationToken);
                var created = UnixMicros.ToDateTime(now);
                return (UserRows.Written(id, user, unit, version: 1, created, created, roles: [], person.ToRecord(personId, 1, created, created)), false);
            },
            cancellationToken);

    /// <summary>Replaces a user and the person fields it implies; 404 when the user is unknown or deleted.</summary>
    public Task<UserRecord> ReplaceAsync(string tenant, string id, UserData user, VersionPrecondition? precondition, CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction) =>
            {
                var now = UnixMicros.Now(clock);
                var context = await ReadWriteContextAsync(connection, transaction, tenant, user, findDeleted: false, cancellationToken);
                var unit = await ApplyUnitAsync(connection, transaction, tenant, user.Unit, context.Unit, now, cancellationToken);
                var person = PersonValues.Of(user, context.JobTitle ?? await AddJobTitleAsync(connection, transaction, tenant, user, now, cancellationToken));

                // The row lock makes concurrent PUTs of one user take turns: each sees the previous one's version, so an
                // If-Match from a stale read fails instead of overwriting, and no update is lost. The user is read under
                // it, with whoever holds the new userName, in one round trip.
                UserRecord current;
                string? nameHolder;
                await using (var read = connection.Command(
                    transaction,
                    UserRows.LoadSql(person: true, "AND NOT u.deleted", database.ForUpdateOf("u")) + ";\n" +
                    "SELECT id FROM users WHERE tenant_id = @tenant AND user_name_norm = @norm AND NOT deleted")
                    .With("tenant", tenant).With("id", id).With("norm", user.UserNameNorm))
                await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
                {
                    // Thrown, not returned: the projection and picklist rows written above must roll back with it.
                    current = await UserRows.ReadLoadedAsync(reader, cancellationToken) ?? throw ProblemException.NotFound("no such user");
                    nameHolder = await reader.NextResultAsync(cancellationToken) && await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
                }

                if (precondition is not null && !precondition.Matches(current.Version))
                {
                    throw ProblemException.PreconditionFailed($"the user is at version {current.Version}; If-Match names another version");
                }

                if (nameHolder is not null && nameHolder != id)
                {
                    throw NameTaken();
                }

                var stored = UserRows.ToData(current);
                var userChanged = !user.SameContentAs(stored);
                var personChanged = person != PersonValues.Of(current.Person!);
                if (!userChanged && !personChanged)
                {
                    return current;
                }

                // The answer is built from what is written (under the row lock nothing else changes this user), not
                // read back: a write is then one round trip of statements.
                var modified = UnixMicros.ToDateTime(now);
                var written = UserRows.Written(
                    id,
                    userChanged ? user : stored,
                    unit,
                    userChanged ? current.Version + 1 : current.Version,
                    current.Created,
                    userChanged ? modified : current.LastModified,
                    current.Roles,
                    personChanged
                        ? person.ToRecord(current.Person!.Id, current.Person.Version + 1, current.Person.Created, modified)
                        : current.Person!);

                var sql = new StringBuilder();
                await using var write = connection.Command(transaction, "").With("tenant", tenant).With("id", id).With("now", now);
                if (userChanged)
                {
                    sql.AppendLine($"UPDATE users SET {UserAssignments}, version = version + 1, last_modified = @now WHERE tenant_id = @tenant AND id = @id;");
                    BindUser(write, user);
                    if (!user.Emails.SequenceEqual(stored.Emails))
                    {
                        sql.AppendLine("DELETE FROM user_emails WHERE tenant_id = @tenant AND user_id = @id;");
                        AppendEmails(sql, write, user.Emails);
                    }
                }

                if (personChanged)
                {
                    sql.AppendLine($"UPDATE persons SET {PersonAssignments}, version = version + 1, last_modified = @now WHERE tenant_id = @tenant AND id = @person_id;");
                    BindPerson(write, person).With("person_id", current.Person!.Id);
                }

                write.CommandText = sql.ToString();
                await write.ExecuteNonQueryAsync(cancellationToken);
                return written;
            },
            cancellationToken);

    /// <summary>
    /// SCIM DELETE: the user and person stay, Not Current and hidden. False when unknown or already deleted; a
    /// <paramref name="precondition"/> the locked version does not match is 412 and deletes nothing.
    /// </summary>
    public async Task<bool> DeleteAsync(string tenant, string id, VersionPrecondition? precondition, CancellationToken cancellationToken)
    {
        var deleted = await DeleteRowsAsync(tenant, id, precondition, cancellationToken);
        if (deleted)
        {
            // Committed with its users event: wake the relay now rather than at its next poll.
            signal.Notify();
        }

        return deleted;
    }

    private Task<bool> DeleteRowsAsync(string tenant, string id, VersionPrecondition? precondition, CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction) =>
            {
                string personId;
                await using (var lockRow = connection.Command(
                    transaction,
                    $"SELECT person_id, version FROM users WHERE tenant_id = @tenant AND id = @id AND NOT deleted{database.ForUpdate}")
                    .With("tenant", tenant).With("id", id))
                await using (var reader = await lockRow.ExecuteReaderAsync(cancellationToken))
                {
                    if (!await reader.ReadAsync(cancellationToken))
                    {
                        return false;
                    }

                    personId = reader.GetString(0);

                    // Checked under the row lock, as ReplaceAsync does: a write committed since the caller read the
                    // version makes this 412 instead of being deleted over.
                    var current = reader.GetInt64(1);
                    if (precondition is not null && !precondition.Matches(current))
                    {
                        throw ProblemException.PreconditionFailed($"the user is at version {current}; If-Match names another version");
                    }
                }

                var now = UnixMicros.Now(clock);
                long version;
                await using (var update = connection.Command(
                    transaction,
                    "UPDATE users SET deleted = @true, active = @false, version = version + 1, last_modified = @now WHERE tenant_id = @tenant AND id = @id RETURNING version")
                    .With("true", true).With("false", false).With("now", now).With("tenant", tenant).With("id", id))
                {
                    version = Convert.ToInt64(await update.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
                }

                await using (var update = connection.Command(
                    transaction,
                    "UPDATE persons SET is_current = @false, version = version + 1, last_modified = @now WHERE tenant_id = @tenant AND id = @id AND is_current")
                    .With("false", false).With("now", now).With("tenant", tenant).With("id", personId))
                {
                    await update.ExecuteNonQueryAsync(cancellationToken);
                }

                await AddToCountAsync(connection, transaction, tenant, -1, cancellationToken);

                await Outbox.EnqueueAsync(
                    connection,
                    transaction,
                    new OutgoingEvent(Topics.Users, UserEvents.DeletedType, id, version, new UserDeleted(tenant, id)),
                    cancellationToken);
                return true;
            },
            cancellationToken);

    public async Task<UserRecord?> GetAsync(string tenant, string id, bool person, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var user = await UserRows.LoadAsync(connection, null, tenant, id, person, cancellationToken);
        return user is { Deleted: false } ? user : null;
    }

    /// <summary>The user even when SCIM-deleted (<c>deleted</c> true): admin reads, since health-and-safety history keeps them.</summary>
    public async Task<UserRecord?> GetIncludingDeletedAsync(string tenant, string id, bool person, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await UserRows.LoadAsync(connection, null, tenant, id, person, cancellationToken);
    }

    /// <summary>The ids that are not live users of this tenant, in the order given, each once.</summary>
    public async Task<IReadOnlyList<string>> MissingAsync(string tenant, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var distinct = ids.Distinct(StringComparer.Ordinal).ToArray();
        if (distinct.Length == 0)
        {
            return [];
        }

        var found = new HashSet<string>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(null, $"SELECT id FROM users WHERE tenant_id = @tenant AND NOT deleted AND id {IdSet.In(database, "ids")}");
        command.With("tenant", tenant);
        IdSet.Bind(database, command, "ids", distinct);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(reader.GetString(0));
        }

        return [.. distinct.Where(id => !found.Contains(id))];
    }

    public async Task<IReadOnlyList<JobTitle>> JobTitlesAsync(string tenant, CancellationToken cancellationToken)
    {
        var titles = new List<JobTitle>();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(null, "SELECT title FROM job_titles WHERE tenant_id = @tenant ORDER BY title_norm, title").With("tenant", tenant);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            titles.Add(new JobTitle(reader.GetString(0)));
        }

        return titles;
    }

    /// <summary>Ids are UUIDv7 text: time-ordered, so new rows land at the right edge of the primary-key index.</summary>
    internal static string NewId(long nowMicros) =>
        Guid.CreateVersion7(DateTimeOffset.UnixEpoch.AddTicks(nowMicros * TimeSpan.TicksPerMicrosecond)).ToString();

    internal static DbCommand BindUser(DbCommand command, UserData user) => command
        .With("user_name", user.UserName)
        .With("user_name_norm", user.UserNameNorm)
        .With("external_id", user.ExternalId)
        .With("display_name", user.DisplayName)
        .With("given_name", user.GivenName)
        .With("family_name", user.FamilyName)
        .With("middle_name", user.MiddleName)
        .With("honorific_prefix", user.HonorificPrefix)
        .With("honorific_suffix", user.HonorificSuffix)
        .With("formatted_name", user.FormattedName)
        .With("email", user.Email)
        .With("active", user.Active)
        .With("user_type", user.UserType)
        .With("access_type", user.AccessType)
        .With("is_manager", user.IsManager)
        .With("preferred_language", user.PreferredLanguage)
        .With("locale", user.Locale)
        .With("time_zone", user.TimeZone)
        .With("date_format", user.DateFormat)
        .With("title", user.Title)
        .With("default_unit_id", user.Unit.Id)
        .With("employee_number", user.EmployeeNumber)
        .With("person_reference", user.PersonReference)
        .With("work_phone", user.WorkPhone)
        .With("mobile_phone", user.MobilePhone)
        .With("attributes", user.AttributesJson);

    private static DbCommand BindPerson(DbCommand command, PersonValues person) => command
        .With("forename", person.Forename)
        .With("surname", person.Surname)
        .With("p_email", person.Email)
        .With("job_title", person.JobTitle)
        .With("p_unit", person.DefaultUnitId)
        .With("is_current", person.Current)
        .With("reference", person.Reference)
        .With("phone", person.Phone)
        .With("mobile", person.Mobile);

    private async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await database.InTransactionAsync(work, cancellationToken);
        }
        catch (Exception exception) when (Database.IsUniqueViolation(exception))
        {
            // The only unique key a write can collide on is users_name_live: a live user has the userName (a create
            // does not check first), or a concurrent create or rename took it between our check and our write.
            throw NameTaken();
        }
    }

    private static ProblemException NameTaken() =>
        ProblemException.Uniqueness("userName", "userName is already taken by another user of this tenant (compared case-insensitively)");

    /// <summary>What a write depends on, read without locks in one round trip.</summary>
    private sealed record WriteContext(StoredUnit? Unit, string? JobTitle, DeletedUser? Deleted);

    /// <summary>An org unit projection row; <paramref name="ExternalId"/> is null when the unit has none.</summary>
    internal sealed record StoredUnit(string? ExternalId, string Name, bool Enabled, long? Version)
    {
        /// <summary>The projection columns <see cref="Read"/> expects, in order.</summary>
        public const string Columns = "external_id, name, enabled, version";

        public static StoredUnit Read(DbDataReader r) => new(r.NullableString(0), r.GetString(1), r.GetBoolean(2), r.NullableInt64(3));
    }

    private sealed record DeletedUser(string Id, string PersonId);

    /// <summary>
    /// The org unit projection row of the user's unit, the picklist spelling of its title, and (for a create) the
    /// newest SCIM-deleted user of the same name. Nothing is locked: a write they call for (a newer unit snapshot, a
    /// new title) takes its lock afterwards, still before the user row's, in the order every writer uses.
    /// </summary>
    private static async Task<WriteContext> ReadWriteContextAsync(
        DbConnection connection, DbTransaction transaction, string tenant, UserData user, bool findDeleted, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {StoredUnit.Columns} FROM org_units WHERE tenant_id = @tenant AND id = @unit_id;\n");
        await using var command = connection.Command(transaction, "").With("tenant", tenant).With("unit_id", user.Unit.Id);
        if (user.TitleNorm is { } titleNorm)
        {
            sql.AppendLine("SELECT title FROM job_titles WHERE tenant_id = @tenant AND title_norm = @title_norm;");
            command.With("title_norm", titleNorm);
        }

        if (findDeleted)
        {
            sql.AppendLine("SELECT id, person_id FROM users WHERE tenant_id = @tenant AND user_name_norm = @norm AND deleted ORDER BY last_modified DESC, id LIMIT 1;");
            command.With("norm", user.UserNameNorm);
        }

        command.CommandText = sql.ToString();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        StoredUnit? unit = null;
        if (await reader.ReadAsync(cancellationToken))
        {
            unit = StoredUnit.Read(reader);
        }

        string? jobTitle = null;
        if (user.TitleNorm is not null && await reader.NextResultAsync(cancellationToken) && await reader.ReadAsync(cancellationToken))
        {
            jobTitle = reader.GetString(0);
        }

        DeletedUser? deleted = null;
        if (findDeleted && await reader.NextResultAsync(cancellationToken) && await reader.ReadAsync(cancellationToken))
        {
            deleted = new DeletedUser(reader.GetString(0), reader.GetString(1));
        }

        return new WriteContext(unit, jobTitle, deleted);
    }

    /// <summary>
    /// Brings back a SCIM-deleted user and its person with this write's fields, and tells roles with user.restored.v1 in
    /// the same transaction (a rare path: a few round trips).
    /// </summary>
    private async Task<UserRecord> ReviveAsync(
        DbConnection connection, DbTransaction transaction, string tenant, DeletedUser deleted, UserData user, PersonValues person, long now, CancellationToken cancellationToken)
    {
        long version;
        await using (var update = connection.Command(
            transaction,
            $"UPDATE users SET {UserAssignments}, deleted = @false, version = version + 1, last_modified = @now WHERE tenant_id = @tenant AND id = @id AND deleted RETURNING version"))
        {
            BindUser(update, user).With("false", false).With("now", now).With("tenant", tenant).With("id", deleted.Id);

            // Read unlocked above; a concurrent POST of the same name may have brought it back first.
            version = await update.ExecuteScalarAsync(cancellationToken) is { } stored and not DBNull
                ? Convert.ToInt64(stored, CultureInfo.InvariantCulture)
                : throw NameTaken();
        }

        // The id's user.deleted.v1 may still be on its way to roles; this newer version tells roles to ignore it.
        await Outbox.EnqueueAsync(
            connection,
            transaction,
            new OutgoingEvent(Topics.Users, UserEvents.RestoredType, deleted.Id, version, new UserRestored(tenant, deleted.Id)),
            cancellationToken);

        var sql = new StringBuilder($"""
            UPDATE persons SET {PersonAssignments}, version = version + 1, last_modified = @now WHERE tenant_id = @tenant AND id = @person_id;
            DELETE FROM user_emails WHERE tenant_id = @tenant AND user_id = @id;
            """);
        await using var command = connection.Command(transaction, "").With("tenant", tenant).With("id", deleted.Id).With("person_id", deleted.PersonId).With("now", now);
        BindPerson(command, person);
        AppendEmails(sql, command, user.Emails);
        AppendCount(sql, command, 1);
        command.CommandText = sql.Append(UserRows.LoadSql(person: true)).ToString();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return (await UserRows.ReadLoadedAsync(reader, cancellationToken))!;
    }

    /// <summary>
    /// The org unit projection rule: a snapshot with a version replaces a row with no version or a lower one; a snapshot
    /// without one replaces only a row that has none (an event-sourced fact is never overwritten by a write).
    /// </summary>
    internal static async Task UpsertUnitAsync(DbConnection connection, DbTransaction transaction, string tenant, UnitData unit, long now, CancellationToken cancellationToken)
    {
        StoredUnit? stored = null;
        await using (var read = connection.Command(transaction, $"SELECT {StoredUnit.Columns} FROM org_units WHERE tenant_id = @tenant AND id = @id")
            .With("tenant", tenant).With("id", unit.Id))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                stored = StoredUnit.Read(reader);
            }
        }

        await ApplyUnitAsync(connection, transaction, tenant, unit, stored, now, cancellationToken);
    }

    /// <summary>
    /// Writes the snapshot when the projection rule says so, and returns the projection row as it stands after. Deciding
    /// on the row read beforehand keeps the common case (unit unchanged) free of the row lock an upsert takes, so writes
    /// of many users in one unit do not queue behind each other.
    /// </summary>
    private static async Task<StoredUnit> ApplyUnitAsync(DbConnection connection, DbTransaction transaction, string tenant, UnitData unit, StoredUnit? stored, long now, CancellationToken cancellationToken)
    {
        if (stored is not null)
        {
            var same = stored.ExternalId == unit.ExternalId && stored.Name == unit.Name && stored.Enabled == unit.Enabled
                && (unit.Version is null || unit.Version == stored.Version);
            var newer = stored.Version is null || unit.Version > stored.Version;
            if (same || !newer)
            {
                return stored;
            }
        }

        await using var upsert = connection.Command(
            transaction,
            $"""
            INSERT INTO org_units (tenant_id, id, external_id, name, enabled, version, observed_at)
            VALUES (@tenant, @id, @external_id, @name, @enabled, @version, @now)
            ON CONFLICT (tenant_id, id) DO UPDATE SET
                external_id = excluded.external_id, name = excluded.name, enabled = excluded.enabled,
                version = excluded.version, observed_at = excluded.observed_at
            WHERE org_units.version IS NULL OR (excluded.version IS NOT NULL AND excluded.version > org_units.version);
            SELECT {StoredUnit.Columns} FROM org_units WHERE tenant_id = @tenant AND id = @id
            """)
            .With("tenant", tenant).With("id", unit.Id).With("external_id", unit.ExternalId).With("name", unit.Name)
            .With("enabled", unit.Enabled).With("version", unit.Version).With("now", now);

        // Read after the upsert, not assumed from the snapshot: a concurrent writer's newer version may have won.
        await using var reader = await upsert.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return StoredUnit.Read(reader);
    }

    /// <summary>
    /// Adds a title the picklist does not have yet (the caller read it first); returns the picklist's spelling: this
    /// one, or a concurrent writer's that got there first. Null when the user has no title.
    /// </summary>
    private static async Task<string?> AddJobTitleAsync(DbConnection connection, DbTransaction transaction, string tenant, UserData user, long now, CancellationToken cancellationToken)
    {
        if (user.Title is null)
        {
            return null;
        }

        await using var command = connection.Command(
            transaction,
            """
            INSERT INTO job_titles (tenant_id, title_norm, title, created) VALUES (@tenant, @norm, @title, @now) ON CONFLICT (tenant_id, title_norm) DO NOTHING;
            SELECT title FROM job_titles WHERE tenant_id = @tenant AND title_norm = @norm
            """)
            .With("tenant", tenant).With("norm", user.TitleNorm).With("title", user.Title).With("now", now);
        return await command.ExecuteScalarAsync(cancellationToken) as string ?? user.Title;
    }

    /// <summary>Appends the insert of the user's addresses (parameters <c>@tenant</c>, <c>@id</c> and its own) to a batch.</summary>
    private static void AppendEmails(StringBuilder sql, DbCommand command, IReadOnlyList<EmailData> emails)
    {
        if (emails.Count == 0)
        {
            return;
        }

        sql.Append("INSERT INTO user_emails (tenant_id, user_id, ordinal, value, value_norm, type, is_primary) VALUES ");
        for (var i = 0; i < emails.Count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(@tenant, @id, {n}, @ev{n}, @en{n}, @et{n}, @ep{n})");
            command.With("ev" + n, emails[i].Value).With("en" + n, emails[i].ValueNorm).With("et" + n, emails[i].Type).With("ep" + n, emails[i].Primary);
        }

        sql.AppendLine(";");
    }

    /// <summary>Appends the tenant counter update (one random shard, see migration 003) to a batch.</summary>
    private static void AppendCount(StringBuilder sql, DbCommand command, long delta)
    {
        sql.AppendLine(CountSql);
        command.With("shard", CountShard()).With("delta", delta);
    }

    /// <summary>The number of shards tenant_user_counts spreads each tenant's count over.</summary>
    private const int CountShards = 16;

    private const string CountSql = """
        INSERT INTO tenant_user_counts (tenant_id, shard, users) VALUES (@tenant, @shard, @delta)
        ON CONFLICT (tenant_id, shard) DO UPDATE SET users = tenant_user_counts.users + excluded.users;
        """;

    private static int CountShard() => Random.Shared.Next(CountShards);

    internal static async Task AddToCountAsync(DbConnection connection, DbTransaction transaction, string tenant, long delta, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(transaction, CountSql).With("tenant", tenant).With("shard", CountShard()).With("delta", delta);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
