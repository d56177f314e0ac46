using System.Data.Common;
using System.Text.Json;
using Microservices.ServiceDefaults.Storage;
using Microservices.Users.Api.Domain;

namespace Microservices.Users.Api.Persistence;

/// <summary>Reads users as <see cref="UserRecord"/>s: the user row, its person, the unit projection, emails and roles.</summary>
internal static class UserRows
{
    /// <summary>The columns <see cref="Read"/> expects, in order; list queries append their sort key after them.</summary>
    public const string Columns = """
        u.id, u.user_name, u.external_id, u.display_name, u.given_name, u.family_name, u.middle_name,
        u.honorific_prefix, u.honorific_suffix, u.formatted_name, u.email, u.active, u.user_type, u.access_type,
        u.is_manager, u.preferred_language, u.locale, u.time_zone, u.date_format, u.title, u.default_unit_id,
        u.employee_number, u.person_reference, u.work_phone, u.mobile_phone, u.attributes, u.deleted, u.version,
        u.created, u.last_modified,
        ou.external_id, ou.name, ou.enabled,
        p.id, p.forename, p.surname, p.email, p.job_title, p.default_unit_id, p.is_current, p.reference, p.phone,
        p.mobile, p.version, p.created, p.last_modified
        """;

    public const int ColumnCount = 46;

    public const string From = """
        users u
        JOIN persons p ON p.tenant_id = u.tenant_id AND p.id = u.person_id
        LEFT JOIN org_units ou ON ou.tenant_id = u.tenant_id AND ou.id = u.default_unit_id
        """;

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
            Attributes: ParseAttributes(r.NullableString(25)),
            Deleted: r.GetBoolean(26),
            Version: r.GetInt64(27),
            Created: UnixMicros.ToDateTime(r.GetInt64(28)),
            LastModified: UnixMicros.ToDateTime(r.GetInt64(29)),
            Roles: _noRoles,
            Person: new PersonRecord(
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
    public static async Task<UserRecord?> LoadAsync(Database database, DbConnection connection, DbTransaction? transaction, string tenant, string id, CancellationToken cancellationToken)
    {
        UserRecord? user = null;
        await using (var command = connection.Command(transaction, $"SELECT {Columns} FROM {From} WHERE u.tenant_id = @tenant AND u.id = @id")
            .With("tenant", tenant).With("id", id))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                user = Read(reader);
            }
        }

        if (user is null)
        {
            return null;
        }

        var attached = await AttachAsync(database, connection, transaction, tenant, [user], cancellationToken);
        return attached[0];
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

                list.Add(new EmailRecord(reader.GetString(1), reader.NullableString(2), reader.GetBoolean(3)));
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

                list.Add(new RoleRef(reader.GetString(1), reader.GetString(2)));
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
        user.Attributes is { } a ? a.GetRawText() : null);

    private static JsonElement? ParseAttributes(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
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
