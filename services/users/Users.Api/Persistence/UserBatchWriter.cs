using System.Data.Common;
using System.Globalization;
using Microservices.ServiceDefaults.Storage;
using Microservices.Users.Api.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Microservices.Users.Api.Persistence;

/// <summary>
/// The seeding path: many new users in one transaction, set-based (binary COPY on PostgreSQL, one prepared statement
/// per table on SQLite), with the invariants of the single-user path: unique userName, a person per user, the
/// tenant counter and the job-title picklist.
/// </summary>
public sealed class UserBatchWriter(Database database, TimeProvider clock, ILogger<UserBatchWriter> logger)
{
    public const int MaxUsers = 100_000;

    // Planner statistics matter once a batch has changed a good part of the table; autovacuum would catch up later.
    private const int AnalyzeThreshold = 10_000;

    public async Task<int> CreateAsync(string tenant, IReadOnlyList<UserData> users, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, int>(users.Count, StringComparer.Ordinal);
        for (var i = 0; i < users.Count; i++)
        {
            if (!names.TryAdd(users[i].UserNameNorm, i))
            {
                throw ProblemException.Uniqueness(Field(i, "userName"), $"userName repeats users[{names[users[i].UserNameNorm]}].userName (compared case-insensitively)");
            }
        }

        if (users.Count == 0)
        {
            return 0;
        }

        try
        {
            await database.InTransactionAsync(
                async (connection, transaction) =>
                {
                    var now = UnixMicros.Now(clock);
                    foreach (var unit in users.Select(u => u.Unit).GroupBy(u => u.Id, StringComparer.Ordinal).Select(g => g.MaxBy(u => u.Version ?? -1)!).OrderBy(u => u.Id, StringComparer.Ordinal))
                    {
                        await UserStore.UpsertUnitAsync(connection, transaction, tenant, unit, now, cancellationToken);
                    }

                    var titles = await EnsureJobTitlesAsync(connection, transaction, tenant, users, now, cancellationToken);
                    await EnsureNamesFreeAsync(connection, transaction, tenant, names, cancellationToken);

                    var rows = users.Select(u => (User: u, Id: UserStore.NewId(now), PersonId: UserStore.NewId(now))).ToArray();
                    if (connection is NpgsqlConnection npgsql)
                    {
                        await CopyAsync(npgsql, tenant, rows, titles, now, cancellationToken);
                    }
                    else
                    {
                        await InsertAsync(connection, transaction, tenant, rows, titles, now, cancellationToken);
                    }

                    await UserStore.AddToCountAsync(connection, transaction, tenant, users.Count, cancellationToken);

                    // No event: a batch only creates (it never revives a deleted user), and no service consumes creations.
                },
                cancellationToken);
        }
        catch (Exception exception) when (Database.IsUniqueViolation(exception))
        {
            throw ProblemException.Uniqueness("users", "a userName in the batch was taken by a concurrent write");
        }

        if (database.IsPostgres && users.Count >= AnalyzeThreshold)
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var analyze = connection.Command(null, "ANALYZE users, persons, user_emails");
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        logger.LogInformation("Seeded {Count} users for tenant {Tenant}", users.Count, tenant);
        return users.Count;
    }

    private static string Field(int index, string field) => string.Create(CultureInfo.InvariantCulture, $"users[{index}].{field}");

    private async Task EnsureNamesFreeAsync(DbConnection connection, DbTransaction transaction, string tenant, Dictionary<string, int> names, CancellationToken cancellationToken)
    {
        // Two probes, because userName is indexed by two partial indexes (live and deleted users). A batch creates new
        // users only: reviving a deleted one is the single POST's job, so a deleted name is refused here too.
        foreach (var (deleted, why) in new[] { (false, "is already taken by another user of this tenant"), (true, "belongs to a deleted user; POST it alone to bring that user back") })
        {
            await using var command = connection.Command(
                transaction,
                $"SELECT user_name_norm FROM users WHERE tenant_id = @tenant AND {(deleted ? "deleted" : "NOT deleted")} AND user_name_norm {IdSet.In(database, "names")} LIMIT 1");
            command.With("tenant", tenant);
            IdSet.Bind(database, command, "names", [.. names.Keys]);
            if (await command.ExecuteScalarAsync(cancellationToken) is string taken)
            {
                throw ProblemException.Uniqueness(Field(names[taken], "userName"), "userName " + why);
            }
        }
    }

    private async Task<Dictionary<string, string>> EnsureJobTitlesAsync(
        DbConnection connection, DbTransaction transaction, string tenant, IReadOnlyList<UserData> users, long now, CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            if (user.Title is not null)
            {
                wanted.TryAdd(user.TitleNorm!, user.Title);
            }
        }

        var known = await ReadTitlesAsync(connection, transaction, tenant, [.. wanted.Keys], cancellationToken);
        var missing = wanted.Where(w => !known.ContainsKey(w.Key)).OrderBy(w => w.Key, StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            return known;
        }

        await using (var insert = connection.Command(
            transaction,
            "INSERT INTO job_titles (tenant_id, title_norm, title, created) VALUES (@tenant, @norm, @title, @now) ON CONFLICT (tenant_id, title_norm) DO NOTHING"))
        {
            insert.With("tenant", tenant).With("norm", "").With("title", "").With("now", now);
            foreach (var (norm, title) in missing)
            {
                insert.Parameters["norm"].Value = norm;
                insert.Parameters["title"].Value = title;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        return await ReadTitlesAsync(connection, transaction, tenant, [.. wanted.Keys], cancellationToken);
    }

    private async Task<Dictionary<string, string>> ReadTitlesAsync(DbConnection connection, DbTransaction transaction, string tenant, string[] norms, CancellationToken cancellationToken)
    {
        var titles = new Dictionary<string, string>(StringComparer.Ordinal);
        if (norms.Length == 0)
        {
            return titles;
        }

        await using var command = connection.Command(transaction, $"SELECT title_norm, title FROM job_titles WHERE tenant_id = @tenant AND title_norm {IdSet.In(database, "norms")}");
        command.With("tenant", tenant);
        IdSet.Bind(database, command, "norms", norms);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            titles[reader.GetString(0)] = reader.GetString(1);
        }

        return titles;
    }

    private static async Task CopyAsync(
        NpgsqlConnection connection, string tenant, (UserData User, string Id, string PersonId)[] rows, Dictionary<string, string> titles, long now, CancellationToken cancellationToken)
    {
        await using (var copy = await connection.BeginBinaryImportAsync(
            """
            COPY users (tenant_id, id, person_id, user_name, user_name_norm, external_id, display_name, given_name, family_name,
                        middle_name, honorific_prefix, honorific_suffix, formatted_name, email, active, user_type, access_type,
                        is_manager, preferred_language, locale, time_zone, date_format, title, default_unit_id, employee_number,
                        person_reference, work_phone, mobile_phone, attributes, deleted, version, created, last_modified)
            FROM STDIN (FORMAT BINARY)
            """,
            cancellationToken))
        {
            foreach (var (u, id, personId) in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                await Text(copy, tenant, cancellationToken);
                await Text(copy, id, cancellationToken);
                await Text(copy, personId, cancellationToken);
                await Text(copy, u.UserName, cancellationToken);
                await Text(copy, u.UserNameNorm, cancellationToken);
                await Text(copy, u.ExternalId, cancellationToken);
                await Text(copy, u.DisplayName, cancellationToken);
                await Text(copy, u.GivenName, cancellationToken);
                await Text(copy, u.FamilyName, cancellationToken);
                await Text(copy, u.MiddleName, cancellationToken);
                await Text(copy, u.HonorificPrefix, cancellationToken);
                await Text(copy, u.HonorificSuffix, cancellationToken);
                await Text(copy, u.FormattedName, cancellationToken);
                await Text(copy, u.Email, cancellationToken);
                await copy.WriteAsync(u.Active, NpgsqlDbType.Boolean, cancellationToken);
                await Text(copy, u.UserType, cancellationToken);
                await Text(copy, u.AccessType, cancellationToken);
                await copy.WriteAsync(u.IsManager, NpgsqlDbType.Boolean, cancellationToken);
                await Text(copy, u.PreferredLanguage, cancellationToken);
                await Text(copy, u.Locale, cancellationToken);
                await Text(copy, u.TimeZone, cancellationToken);
                await Text(copy, u.DateFormat, cancellationToken);
                await Text(copy, u.Title, cancellationToken);
                await Text(copy, u.Unit.Id, cancellationToken);
                await Text(copy, u.EmployeeNumber, cancellationToken);
                await Text(copy, u.PersonReference, cancellationToken);
                await Text(copy, u.WorkPhone, cancellationToken);
                await Text(copy, u.MobilePhone, cancellationToken);
                await Text(copy, u.AttributesJson, cancellationToken);
                await copy.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken);
                await copy.WriteAsync(1L, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(now, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(now, NpgsqlDbType.Bigint, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            """
            COPY persons (tenant_id, id, user_id, forename, surname, email, job_title, default_unit_id, is_current, reference,
                          phone, mobile, version, created, last_modified)
            FROM STDIN (FORMAT BINARY)
            """,
            cancellationToken))
        {
            foreach (var (u, id, personId) in rows)
            {
                var person = PersonValues.Of(u, u.TitleNorm is { } norm ? titles[norm] : null);
                await copy.StartRowAsync(cancellationToken);
                await Text(copy, tenant, cancellationToken);
                await Text(copy, personId, cancellationToken);
                await Text(copy, id, cancellationToken);
                await Text(copy, person.Forename, cancellationToken);
                await Text(copy, person.Surname, cancellationToken);
                await Text(copy, person.Email, cancellationToken);
                await Text(copy, person.JobTitle, cancellationToken);
                await Text(copy, person.DefaultUnitId, cancellationToken);
                await copy.WriteAsync(person.Current, NpgsqlDbType.Boolean, cancellationToken);
                await Text(copy, person.Reference, cancellationToken);
                await Text(copy, person.Phone, cancellationToken);
                await Text(copy, person.Mobile, cancellationToken);
                await copy.WriteAsync(1L, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(now, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(now, NpgsqlDbType.Bigint, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY user_emails (tenant_id, user_id, ordinal, value, value_norm, type, is_primary) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var (u, id, _) in rows)
            {
                for (var i = 0; i < u.Emails.Count; i++)
                {
                    var email = u.Emails[i];
                    await copy.StartRowAsync(cancellationToken);
                    await Text(copy, tenant, cancellationToken);
                    await Text(copy, id, cancellationToken);
                    await copy.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken);
                    await Text(copy, email.Value, cancellationToken);
                    await Text(copy, email.ValueNorm, cancellationToken);
                    await Text(copy, email.Type, cancellationToken);
                    await copy.WriteAsync(email.Primary, NpgsqlDbType.Boolean, cancellationToken);
                }
            }

            await copy.CompleteAsync(cancellationToken);
        }
    }

    private static Task Text(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    private static async Task InsertAsync(
        DbConnection connection, DbTransaction transaction, string tenant, (UserData User, string Id, string PersonId)[] rows, Dictionary<string, string> titles, long now, CancellationToken cancellationToken)
    {
        await using var users = connection.Command(
            transaction,
            """
            INSERT INTO users (tenant_id, id, person_id, user_name, user_name_norm, external_id, display_name, given_name, family_name,
                               middle_name, honorific_prefix, honorific_suffix, formatted_name, email, active, user_type, access_type,
                               is_manager, preferred_language, locale, time_zone, date_format, title, default_unit_id, employee_number,
                               person_reference, work_phone, mobile_phone, attributes, deleted, version, created, last_modified)
            VALUES (@tenant, @id, @person_id, @user_name, @user_name_norm, @external_id, @display_name, @given_name, @family_name,
                    @middle_name, @honorific_prefix, @honorific_suffix, @formatted_name, @email, @active, @user_type, @access_type,
                    @is_manager, @preferred_language, @locale, @time_zone, @date_format, @title, @default_unit_id, @employee_number,
                    @person_reference, @work_phone, @mobile_phone, @attributes, 0, 1, @now, @now)
            """);
        await using var persons = connection.Command(
            transaction,
            """
            INSERT INTO persons (tenant_id, id, user_id, forename, surname, email, job_title, default_unit_id, is_current, reference,
                                 phone, mobile, version, created, last_modified)
            VALUES (@tenant, @person_id, @id, @forename, @surname, @p_email, @job_title, @p_unit, @is_current, @reference,
                    @phone, @mobile, 1, @now, @now)
            """);
        await using var emails = connection.Command(
            transaction,
            "INSERT INTO user_emails (tenant_id, user_id, ordinal, value, value_norm, type, is_primary) VALUES (@tenant, @id, @ordinal, @value, @value_norm, @type, @primary)");

        foreach (var (u, id, personId) in rows)
        {
            // Microsoft.Data.Sqlite re-prepares a command whose parameters are replaced only when its text changes, so
            // rebinding the same three commands keeps one compiled statement per table for the whole batch.
            users.Parameters.Clear();
            UserStore.BindUser(users, u).With("tenant", tenant).With("id", id).With("person_id", personId).With("now", now);
            await users.ExecuteNonQueryAsync(cancellationToken);

            var person = PersonValues.Of(u, u.TitleNorm is { } norm ? titles[norm] : null);
            persons.Parameters.Clear();
            persons.With("tenant", tenant).With("person_id", personId).With("id", id).With("now", now)
                .With("forename", person.Forename).With("surname", person.Surname).With("p_email", person.Email)
                .With("job_title", person.JobTitle).With("p_unit", person.DefaultUnitId).With("is_current", person.Current)
                .With("reference", person.Reference).With("phone", person.Phone).With("mobile", person.Mobile);
            await persons.ExecuteNonQueryAsync(cancellationToken);

            for (var i = 0; i < u.Emails.Count; i++)
            {
                var email = u.Emails[i];
                emails.Parameters.Clear();
                emails.With("tenant", tenant).With("id", id).With("ordinal", i).With("value", email.Value)
                    .With("value_norm", email.ValueNorm).With("type", email.Type).With("primary", email.Primary);
                await emails.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }
}
