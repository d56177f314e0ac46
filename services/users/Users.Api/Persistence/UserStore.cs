using System.Data.Common;
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
    public Task<UserRecord> CreateAsync(string tenant, UserData user, CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction) =>
            {
                var now = UnixMicros.Now(clock);
                await UpsertUnitAsync(connection, transaction, tenant, user.Unit, now, cancellationToken);
                var jobTitle = await EnsureJobTitleAsync(connection, transaction, tenant, user, now, cancellationToken);
                await EnsureUserNameFreeAsync(connection, transaction, tenant, user, exceptId: null, cancellationToken);
                var person = PersonValues.Of(user, jobTitle);

                string? id = null;
                string? personId = null;
                await using (var find = connection.Command(
                    transaction,
                    $"SELECT id, person_id FROM users WHERE tenant_id = @tenant AND user_name_norm = @norm AND deleted ORDER BY last_modified DESC, id LIMIT 1{database.ForUpdate}")
                    .With("tenant", tenant).With("norm", user.UserNameNorm))
                await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
                {
                    if (await reader.ReadAsync(cancellationToken))
                    {
                        id = reader.GetString(0);
                        personId = reader.GetString(1);
                    }
                }

                if (id is not null && personId is not null)
                {
                    // RFC 7644 leaves a re-POST after DELETE open; Assure never hard-deletes, so the same user and person
                    // come back (same ids, undeleted, fields replaced by this write).
                    await using (var update = connection.Command(
                        transaction,
                        $"UPDATE users SET {UserAssignments}, deleted = @false, version = version + 1, last_modified = @now WHERE tenant_id = @tenant AND id = @id"))
                    {
                        BindUser(update, user).With("false", false).With("now", now).With("tenant", tenant).With("id", id);
                        await update.ExecuteNonQueryAsync(cancellationToken);
                    }

                    await UpdatePersonAsync(connection, transaction, tenant, personId, person, now, cancellationToken);
                    await ReplaceEmailsAsync(connection, transaction, tenant, id, user.Emails, cancellationToken);

                    // Outbox (messaging branch): insert user.restored.v1 (with the person snapshot) here, in this transaction.
                }
                else
                {
                    id = NewId(now);
                    personId = NewId(now);
                    await using (var insert = connection.Command(
                        transaction,
                        $"""
                        INSERT INTO users (tenant_id, id, person_id, {UserColumns}, deleted, version, created, last_modified)
                        VALUES (@tenant, @id, @person_id, {UserValues}, @false, 1, @now, @now)
                        """))
                    {
                        BindUser(insert, user).With("tenant", tenant).With("id", id).With("person_id", personId).With("false", false).With("now", now);
                        await insert.ExecuteNonQueryAsync(cancellationToken);
                    }

                    await using (var insert = connection.Command(
                        transaction,
                        """
                        INSERT INTO persons (tenant_id, id, user_id, forename, surname, email, job_title, default_unit_id, is_current,
                                             reference, phone, mobile, version, created, last_modified)
                        VALUES (@tenant, @id, @user_id, @forename, @surname, @p_email, @job_title, @p_unit, @is_current,
                                @reference, @phone, @mobile, 1, @now, @now)
                        """))
                    {
                        BindPerson(insert, person).With("tenant", tenant).With("id", personId).With("user_id", id).With("now", now);
                        await insert.ExecuteNonQueryAsync(cancellationToken);
                    }

                    await InsertEmailsAsync(connection, transaction, tenant, id, user.Emails, cancellationToken);

                    // Outbox (messaging branch): insert user.created.v1 (with the person snapshot) here, in this transaction.
                }

                await AddToCountAsync(connection, transaction, tenant, 1, cancellationToken);
                return (await UserRows.LoadAsync(database, connection, transaction, tenant, id, cancellationToken))!;
            },
            cancellationToken);

    /// <summary>Replaces a user and the person fields it implies; 404 when the user is unknown or deleted.</summary>
    public Task<UserRecord> ReplaceAsync(string tenant, string id, UserData user, VersionPrecondition? precondition, CancellationToken cancellationToken) =>
        WriteAsync(
            async (connection, transaction) =>
            {
                var now = UnixMicros.Now(clock);
                await UpsertUnitAsync(connection, transaction, tenant, user.Unit, now, cancellationToken);
                var jobTitle = await EnsureJobTitleAsync(connection, transaction, tenant, user, now, cancellationToken);

                // The row lock makes concurrent PUTs of one user take turns: each sees the previous one's version, so an
                // If-Match from a stale read fails instead of overwriting, and no update is lost.
                long version;
                await using (var lockRow = connection.Command(
                    transaction,
                    $"SELECT version FROM users WHERE tenant_id = @tenant AND id = @id AND NOT deleted{database.ForUpdate}")
                    .With("tenant", tenant).With("id", id))
                {
                    // Thrown, not returned: the projection and picklist rows written above must roll back with it.
                    if (await lockRow.ExecuteScalarAsync(cancellationToken) is not { } storedVersion)
                    {
                        throw ProblemException.NotFound("no such user");
                    }

                    version = Convert.ToInt64(storedVersion, System.Globalization.CultureInfo.InvariantCulture);
                }

                if (precondition is not null && !precondition.Matches(version))
                {
                    throw ProblemException.PreconditionFailed($"the user is at version {version}; If-Match names another version");
                }

                var current = (await UserRows.LoadAsync(database, connection, transaction, tenant, id, cancellationToken))!;
                if (user.UserNameNorm != UserData.Normalize(current.UserName))
                {
                    await EnsureUserNameFreeAsync(connection, transaction, tenant, user, exceptId: id, cancellationToken);
                }

                var person = PersonValues.Of(user, jobTitle);
                var stored = UserRows.ToData(current);
                if (!user.SameContentAs(stored))
                {
                    await using (var update = connection.Command(
                        transaction,
                        $"UPDATE users SET {UserAssignments}, version = version + 1, last_modified = @now WHERE tenant_id = @tenant AND id = @id"))
                    {
                        BindUser(update, user).With("now", now).With("tenant", tenant).With("id", id);
                        await update.ExecuteNonQueryAsync(cancellationToken);
                    }

                    if (!user.Emails.SequenceEqual(stored.Emails))
                    {
                        await ReplaceEmailsAsync(connection, transaction, tenant, id, user.Emails, cancellationToken);
                    }

                    // Outbox (messaging branch): insert user.updated.v1 here, in this transaction.
                }

                if (person != PersonValues.Of(current.Person))
                {
                    await UpdatePersonAsync(connection, transaction, tenant, current.Person.Id, person, now, cancellationToken);

                    // Outbox (messaging branch): insert person.updated.v1 here (roles keeps a person snapshot).
                }

                return (await UserRows.LoadAsync(database, connection, transaction, tenant, id, cancellationToken))!;
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

    public async Task<UserRecord?> GetAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var user = await UserRows.LoadAsync(database, connection, null, tenant, id, cancellationToken);
        return user is { Deleted: false } ? user : null;
    }

    /// <summary>The user even when SCIM-deleted (<c>deleted</c> true): admin reads, since health-and-safety history keeps them.</summary>
    public async Task<UserRecord?> GetIncludingDeletedAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await UserRows.LoadAsync(database, connection, null, tenant, id, cancellationToken);
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
            // The only unique key a write can collide on is users_name_live: a concurrent create or rename took the
            // userName between our check and our insert.
            throw ProblemException.Uniqueness("userName", "userName is already taken by another user of this tenant");
        }
    }

    private static async Task EnsureUserNameFreeAsync(DbConnection connection, DbTransaction transaction, string tenant, UserData user, string? exceptId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            transaction,
            "SELECT id FROM users WHERE tenant_id = @tenant AND user_name_norm = @norm AND NOT deleted")
            .With("tenant", tenant).With("norm", user.UserNameNorm);
        if (await command.ExecuteScalarAsync(cancellationToken) is string other && other != exceptId)
        {
            throw ProblemException.Uniqueness("userName", "userName is already taken by another user of this tenant (compared case-insensitively)");
        }
    }

    /// <summary>
    /// The org unit projection rule: a snapshot with a version replaces a row with no version or a lower one; a snapshot
    /// without one replaces only a row that has none (an event-sourced fact is never overwritten by a write).
    /// </summary>
    internal static async Task UpsertUnitAsync(DbConnection connection, DbTransaction transaction, string tenant, UnitData unit, long now, CancellationToken cancellationToken)
    {
        // Reading first keeps the common case (unit unchanged) free of the row lock an upsert takes, so writes of many
        // users in one unit do not queue behind each other.
        await using (var read = connection.Command(transaction, "SELECT external_id, name, enabled, version FROM org_units WHERE tenant_id = @tenant AND id = @id")
            .With("tenant", tenant).With("id", unit.Id))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                var storedVersion = reader.NullableInt64(3);
                var same = reader.GetString(0) == unit.ExternalId && reader.GetString(1) == unit.Name && reader.GetBoolean(2) == unit.Enabled
                    && (unit.Version is null || unit.Version == storedVersion);
                var newer = storedVersion is null || unit.Version > storedVersion;
                if (same || !newer)
                {
                    return;
                }
            }
        }

        await using var upsert = connection.Command(
            transaction,
            """
            INSERT INTO org_units (tenant_id, id, external_id, name, enabled, version, observed_at)
            VALUES (@tenant, @id, @external_id, @name, @enabled, @version, @now)
            ON CONFLICT (tenant_id, id) DO UPDATE SET
                external_id = excluded.external_id, name = excluded.name, enabled = excluded.enabled,
                version = excluded.version, observed_at = excluded.observed_at
            WHERE org_units.version IS NULL OR (excluded.version IS NOT NULL AND excluded.version > org_units.version)
            """)
            .With("tenant", tenant).With("id", unit.Id).With("external_id", unit.ExternalId).With("name", unit.Name)
            .With("enabled", unit.Enabled).With("version", unit.Version).With("now", now);
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Adds an unknown title to the tenant's picklist; returns the picklist's spelling (the first one seen).</summary>
    private static async Task<string?> EnsureJobTitleAsync(DbConnection connection, DbTransaction transaction, string tenant, UserData user, long now, CancellationToken cancellationToken)
    {
        if (user.Title is null)
        {
            return null;
        }

        var existing = await FindJobTitleAsync(connection, transaction, tenant, user.TitleNorm!, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        await using (var insert = connection.Command(
            transaction,
            "INSERT INTO job_titles (tenant_id, title_norm, title, created) VALUES (@tenant, @norm, @title, @now) ON CONFLICT (tenant_id, title_norm) DO NOTHING")
            .With("tenant", tenant).With("norm", user.TitleNorm).With("title", user.Title).With("now", now))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        // A concurrent writer may have added the same title first; its spelling is the one kept.
        return await FindJobTitleAsync(connection, transaction, tenant, user.TitleNorm!, cancellationToken) ?? user.Title;
    }

    private static async Task<string?> FindJobTitleAsync(DbConnection connection, DbTransaction transaction, string tenant, string norm, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(transaction, "SELECT title FROM job_titles WHERE tenant_id = @tenant AND title_norm = @norm")
            .With("tenant", tenant).With("norm", norm);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private static async Task UpdatePersonAsync(DbConnection connection, DbTransaction transaction, string tenant, string personId, PersonValues person, long now, CancellationToken cancellationToken)
    {
        await using var update = connection.Command(
            transaction,
            $"UPDATE persons SET {PersonAssignments}, version = version + 1, last_modified = @now WHERE tenant_id = @tenant AND id = @id");
        BindPerson(update, person).With("now", now).With("tenant", tenant).With("id", personId);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ReplaceEmailsAsync(DbConnection connection, DbTransaction transaction, string tenant, string userId, IReadOnlyList<EmailData> emails, CancellationToken cancellationToken)
    {
        await using (var delete = connection.Command(transaction, "DELETE FROM user_emails WHERE tenant_id = @tenant AND user_id = @user_id")
            .With("tenant", tenant).With("user_id", userId))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertEmailsAsync(connection, transaction, tenant, userId, emails, cancellationToken);
    }

    private static async Task InsertEmailsAsync(DbConnection connection, DbTransaction transaction, string tenant, string userId, IReadOnlyList<EmailData> emails, CancellationToken cancellationToken)
    {
        if (emails.Count == 0)
        {
            return;
        }

        var rows = string.Join(", ", emails.Select((_, i) => $"(@tenant, @user_id, {i}, @v{i}, @n{i}, @t{i}, @p{i})"));
        await using var insert = connection.Command(transaction, $"INSERT INTO user_emails (tenant_id, user_id, ordinal, value, value_norm, type, is_primary) VALUES {rows}")
            .With("tenant", tenant).With("user_id", userId);
        for (var i = 0; i < emails.Count; i++)
        {
            insert.With($"v{i}", emails[i].Value).With($"n{i}", emails[i].ValueNorm).With($"t{i}", emails[i].Type).With($"p{i}", emails[i].Primary);
        }

        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task AddToCountAsync(DbConnection connection, DbTransaction transaction, string tenant, long delta, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            transaction,
            """
            INSERT INTO tenant_user_counts (tenant_id, users) VALUES (@tenant, @delta)
            ON CONFLICT (tenant_id) DO UPDATE SET users = tenant_user_counts.users + excluded.users
            """)
            .With("tenant", tenant).With("delta", delta);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
