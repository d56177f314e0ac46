using System.Data.Common;
using System.Text.Json;
using Microservices.ServiceDefaults.Storage;
using Microservices.Users.Api.Domain;

namespace Microservices.Users.Api.Persistence;

/// <summary>Reads users as <see cref="UserRecord"/>s: the user row, its person, the unit projection, emails and roles.</summary>
internal static class UserRows
{
    private const string UserAndUnitColumns = """
        u.id, u.user_name, u.external_id, u.display_name, u.given_name, u.family_name, u.middle_name,
        u.honorific_prefix, u.honorific_suffix, u.formatted_name, u.email, u.active, u.user_type, u.access_type,
        u.is_manager, u.preferred_language, u.locale, u.time_zone, u.date_format, u.title, u.default_unit_id,
        u.employee_number, u.person_reference, u.work_phone, u.mobile_phone, u.attributes, u.deleted, u.version,
        u.created, u.last_modified,
        ou.external_id, ou.name, ou.enabled
        """;

    private const string PersonColumns = """
        p.id, p.forename, p.surname, p.email, p.job_title, p.default_unit_id, p.is_current, p.reference, p.phone,
        p.mobile, p.version, p.created, p.last_modified
        """;

    // The same 13 positions as PersonColumns, so Read and the list's sort-key ordinals do not depend on the choice.
    private const string NoPersonColumns = "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL";

    private const string UserAndUnit = """
        users u
        LEFT JOIN org_units ou ON ou.tenant_id = u.tenant_id AND ou.id = u.default_unit_id
        """;

    private const string PersonJoin = "JOIN persons p ON p.tenant_id = u.tenant_id AND p.id = u.person_id";

    /// <summary>The columns <see cref="Read"/> expects, in order; list queries append their sort keys after them.</summary>
    public static string Columns(bool person) => UserAndUnitColumns + ",\n" + (person ? PersonColumns : NoPersonColumns);

    public const int ColumnCount = 46;

    /// <summary>
    /// The tables <see cref="Columns"/> reads. SCIM never shows the person register record (the edge asks without it),
    /// so its join is left out there: a 100-user page then reads 100 index entries fewer.
    /// </summary>
    public static string From(bool person) => person ? UserAndUnit + "\n" + PersonJoin : UserAndUnit;

    /// <summary>
    /// The statements that read one user by <c>@tenant</c> and <c>@id</c>: its row (and person when asked), its emails,
    /// its roles. Sent as one command, or appended to a write's last command, so the user comes back in one round trip
    /// (<see cref="ReadLoadedAsync"/> reads the three results). <paramref name="rowCondition"/> and
    /// <paramref name="rowLock"/> extend the row statement (e.g. <c>AND NOT u.deleted</c>, a row lock).
    /// </summary>
    public static string LoadSql(bool person, string rowCondition = "", string rowLock = "") => $"""
        SELECT {Columns(person)} FROM {From(person)} WHERE u.tenant_id = @tenant AND u.id = @id {rowCondition}{rowLock};
        SELECT user_id, value, type, is_primary FROM user_emails WHERE tenant_id = @tenant AND user_id = @id ORDER BY ordinal;
        SELECT user_id, role_id, role_display FROM user_roles WHERE tenant_id = @tenant AND NOT removed AND user_id = @id ORDER BY role_display, role_id
        """;

    /// <summary>Reads the three results of <see cref="LoadSql"/> from where <paramref name="reader"/> stands; null when no row matched.</summary>
    public static async Task<UserRecord?> ReadLoadedAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        UserRecord? user = null;
        if (await reader.ReadAsync(cancellationToken))
        {
            user = Read(reader);
        }

        if (!await reader.NextResultAsync(cancellationToken))
        {
            throw new InvalidOperationException("the emails result set is missing");
        }

        var emails = new List<EmailRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            emails.Add(ReadEmail(reader));
        }

        if (!await reader.NextResultAsync(cancellationToken))
        {
            throw new InvalidOperationException("the roles result set is missing");
        }

        var roles = new List<RoleRef>();
        while (await reader.ReadAsync(cancellationToken))
        {
            roles.Add(ReadRole(reader));
        }

        return user is null ? null : user with { Emails = emails.Count == 0 ? _noEmails : emails, Roles = roles.Count == 0 ? _noRoles : roles };
    }

    private static readonly EmailRecord[] _noEmails = [];
    private static readonly RoleRef[] _noRoles = [];

    public static UserRecord Read(DbDataReader r)
    {
        var unitId = r.GetString(20);
        return new UserRecord(
            Id: r.GetString(0),
            UserName: r.GetString(1),
            ExternalId: r.NullableString(2),
            DisplayName: r.NullableString(3),
            GivenName: r.GetString(4),
            FamilyName: r.GetString(5),
            MiddleName: r.NullableString(6),
            HonorificPrefix: r.NullableString(7),
            HonorificSuffix: r.NullableString(8),
            FormattedName: r.NullableString(9),
            Email: r.NullableString(10),
            Emails: _noEmails,
            Active: r.GetBoolean(11),
            UserType: r.NullableString(12),
            AccessType: r.GetString(13),
            IsManager: r.GetBoolean(14),
            PreferredLanguage: r.GetString(15),
            Locale: r.NullableString(16),
            TimeZone: r.GetString(17),
            DateFormat: r.GetString(18),
            Title: r.NullableString(19),
            DefaultUnit: new UnitRecord(unitId, r.NullableString(30), r.NullableString(31), r.NullableBoolean(32)),
            Department: r.NullableString(30),
            EmployeeNumber: r.NullableString(21),
            PersonReference: r.NullableString(22),
            WorkPhone: r.NullableString(23),
            MobilePhone: r.NullableString(24),
            Attributes: r.NullableString(25) is { } attributes ? new RawJson(attributes) : null,
            Deleted: r.GetBoolean(26),
            Version: r.GetInt64(27),
            Created: UnixMicros.ToDateTime(r.GetInt64(28)),
            LastModified: UnixMicros.ToDateTime(r.GetInt64(29)),
            Roles: _noRoles,
            Person: r.IsDBNull(33) ? null : new PersonRecord(
                Id: r.GetString(33),
                Forename: r.GetString(34),
                Surname: r.GetString(35),
                Email: r.NullableString(36),
                JobTitle: r.NullableString(37),
                DefaultUnitId: r.GetString(38),
                Current: r.GetBoolean(39),
                Reference: r.GetString(40),
                WorkPhone: r.NullableString(41),
                MobilePhone: r.NullableString(42),
                Version: r.GetInt64(43),
                Created: UnixMicros.ToDateTime(r.GetInt64(44)),
                LastModified: UnixMicros.ToDateTime(r.GetInt64(45))));
    }

    /// <summary>The user of this tenant with this id (deleted or not), inside <paramref name="transaction"/> if given.</summary>
    public static async Task<UserRecord?> LoadAsync(DbConnection connection, DbTransaction? transaction, string tenant, string id, bool person, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(transaction, LoadSql(person)).With("tenant", tenant).With("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await ReadLoadedAsync(reader, cancellationToken);
    }

    /// <summary>
    /// Fills in emails and roles for a page of users with two set-based queries (never one per user), sent as one
    /// command: one round trip to the database instead of two (loopback round trips were a large share of a GET).
    /// </summary>
    public static async Task<IReadOnlyList<UserRecord>> AttachAsync(
        Database database, DbConnection connection, DbTransaction? transaction, string tenant, IReadOnlyList<UserRecord> users, CancellationToken cancellationToken)
    {
        if (users.Count == 0)
        {
            return users;
        }

        var ids = users.Select(u => u.Id).ToArray();
        var emails = new Dictionary<string, List<EmailRecord>>(StringComparer.Ordinal);
        var roles = new Dictionary<string, List<RoleRef>>(StringComparer.Ordinal);
        await using (var command = connection.Command(
            transaction,
            $"""
            SELECT user_id, value, type, is_primary FROM user_emails WHERE tenant_id = @tenant AND user_id {IdSet.In(database, "ids")} ORDER BY user_id, ordinal;
            SELECT user_id, role_id, role_display FROM user_roles WHERE tenant_id = @tenant AND NOT removed AND user_id {IdSet.In(database, "ids")} ORDER BY user_id, role_display, role_id
            """))
        {
            command.With("tenant", tenant);
            IdSet.Bind(database, command, "ids", ids);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var userId = reader.GetString(0);
                if (!emails.TryGetValue(userId, out var list))
                {
                    emails[userId] = list = [];
                }

                list.Add(ReadEmail(reader));
            }

            if (!await reader.NextResultAsync(cancellationToken))
            {
                throw new InvalidOperationException("the roles result set is missing");
            }

            while (await reader.ReadAsync(cancellationToken))
            {
                var userId = reader.GetString(0);
                if (!roles.TryGetValue(userId, out var list))
                {
                    roles[userId] = list = [];
                }

                list.Add(ReadRole(reader));
            }
        }

        return
        [
            .. users.Select(u => u with
            {
                Emails = emails.TryGetValue(u.Id, out var e) ? e : _noEmails,
                Roles = roles.TryGetValue(u.Id, out var g) ? g : _noRoles,
            }),
        ];
    }

    /// <summary>
    /// The record of a user as a write leaves it, built from the values written (<paramref name="unit"/> is the org unit
    /// projection row as it stands after the write): what <see cref="LoadSql"/> would read back, without the reads.
    /// </summary>
    public static UserRecord Written(
        string id, UserData user, UserStore.StoredUnit unit, long version, DateTime created, DateTime lastModified, IReadOnlyList<RoleRef> roles, PersonRecord person) => new(
            Id: id,
            UserName: user.UserName,
            ExternalId: user.ExternalId,
            DisplayName: user.DisplayName,
            GivenName: user.GivenName,
            FamilyName: user.FamilyName,
            MiddleName: user.MiddleName,
            HonorificPrefix: user.HonorificPrefix,
            HonorificSuffix: user.HonorificSuffix,
            FormattedName: user.FormattedName,
            Email: user.Email,
            Emails: user.Emails.Count == 0 ? _noEmails : [.. user.Emails.Select(e => new EmailRecord(e.Value, e.Type, e.Primary))],
            Active: user.Active,
            UserType: user.UserType,
            AccessType: user.AccessType,
            IsManager: user.IsManager,
            PreferredLanguage: user.PreferredLanguage,
            Locale: user.Locale,
            TimeZone: user.TimeZone,
            DateFormat: user.DateFormat,
            Title: user.Title,
            DefaultUnit: new UnitRecord(user.Unit.Id, unit.ExternalId, unit.Name, unit.Enabled),
            Department: unit.ExternalId,
            EmployeeNumber: user.EmployeeNumber,
            PersonReference: user.PersonReference,
            WorkPhone: user.WorkPhone,
            MobilePhone: user.MobilePhone,
            Attributes: user.AttributesJson is { } attributes ? new RawJson(attributes) : null,
            Deleted: false,
            Version: version,
            Created: created,
            LastModified: lastModified,
            Roles: roles.Count == 0 ? _noRoles : roles,
            Person: person);

    // Both read (user_id, …) rows: the page query and LoadSql select the same columns.
    private static EmailRecord ReadEmail(DbDataReader r) => new(r.GetString(1), r.NullableString(2), r.GetBoolean(3));

    private static RoleRef ReadRole(DbDataReader r) => new(r.GetString(1), r.GetString(2));

    /// <summary>The stored user as the write it would take to produce it, to tell a no-op PUT from a change.</summary>
    public static UserData ToData(UserRecord user) => new(
        user.UserName,
        user.ExternalId,
        user.DisplayName,
        user.GivenName,
        user.FamilyName,
        user.MiddleName,
        user.HonorificPrefix,
        user.HonorificSuffix,
        user.FormattedName,
        user.Email,
        [.. user.Emails.Select(e => new EmailData(e.Value, UserData.Normalize(e.Value), e.Type, e.Primary))],
        user.Active,
        user.UserType,
        user.AccessType,
        user.IsManager,
        user.PreferredLanguage,
        user.Locale,
        user.TimeZone,
        user.DateFormat,
        user.Title,
        new UnitData(user.DefaultUnit.Id, "", "", true, null),
        user.EmployeeNumber,
        user.PersonReference,
        user.WorkPhone,
        user.MobilePhone,
        user.Attributes?.Json);
}

/// <summary>A set of ids as one parameter: a text[] on PostgreSQL, a JSON array read by json_each on SQLite.</summary>
internal static class IdSet
{
    public static string In(Database database, string name) =>
        database.IsPostgres ? $"= ANY(@{name})" : $"IN (SELECT value FROM json_each(@{name}))";

    public static void Bind(Database database, DbCommand command, string name, string[] ids)
    {
        if (database.IsPostgres)
        {
            command.WithValue(name, ids);
        }
        else
        {
            command.With(name, JsonSerializer.Serialize(ids));
        }
    }
}
