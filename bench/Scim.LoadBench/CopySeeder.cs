using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Microservices.Scim.LoadBench;

/// <summary>
/// The fast seeding path of the scale curves: binary COPY straight into the users service's tables, writing exactly
/// the rows its batch route writes (services/users/Users.Api/Persistence/UserBatchWriter.cs, Migrations/postgres):
/// a user and its 1:1 person in the same transaction (the deferred foreign key checks both), one email row, the
/// tenant counter moved by the same amount, userName_norm lower-invariant, ids UUID v7, times in microseconds. The org
/// unit projection row must already exist (the bench creates it with one SCIM POST first). No title, so the job-title
/// picklist is untouched; no outbox rows, as the batch route writes none.
/// </summary>
public sealed class CopySeeder(string connectionString)
{
    private const int Chunk = 100_000;

    public async Task SeedAsync(string tenant, OrgUnit unit, int from, int to, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        for (var start = from; start < to; start += Chunk)
        {
            var end = Math.Min(to, start + Chunk);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var now = DateTimeOffset.UtcNow;
            var micros = (now - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
            var rows = Enumerable.Range(start, end - start).Select(n => (N: n, Id: Guid.CreateVersion7(now).ToString(), PersonId: Guid.CreateVersion7(now).ToString())).ToArray();

            await using (var copy = await connection.BeginBinaryImportAsync(
                """
                COPY users (tenant_id, id, person_id, user_name, user_name_norm, external_id, display_name, given_name, family_name,
                            email, active, access_type, is_manager, preferred_language, time_zone, date_format, default_unit_id,
                            employee_number, deleted, version, created, last_modified)
                FROM STDIN (FORMAT BINARY)
                """,
                cancellationToken))
            {
                foreach (var (n, id, personId) in rows)
                {
                    var name = ScaleUserName(n);
                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(tenant, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(id, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(personId, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(name, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(name.ToLowerInvariant(), NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"scale-ext-{n}"), NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"Scale User {n}"), NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync("Scale", NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"User {n}"), NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(name, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(true, NpgsqlDbType.Boolean, cancellationToken);
                    await copy.WriteAsync("full", NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken);
                    await copy.WriteAsync("en-GB", NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync("Europe/London", NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync("DD/MM/YYYY", NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(unit.Id, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(Reference(n), NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken);
                    await copy.WriteAsync(1L, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(micros + n, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(micros + n, NpgsqlDbType.Bigint, cancellationToken);
                }

                await copy.CompleteAsync(cancellationToken);
            }

            await using (var copy = await connection.BeginBinaryImportAsync(
                """
                COPY persons (tenant_id, id, user_id, forename, surname, email, default_unit_id, is_current, reference, version, created, last_modified)
                FROM STDIN (FORMAT BINARY)
                """,
                cancellationToken))
            {
                foreach (var (n, id, personId) in rows)
                {
                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(tenant, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(personId, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(id, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync("Scale", NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"User {n}"), NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(ScaleUserName(n), NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(unit.Id, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(true, NpgsqlDbType.Boolean, cancellationToken);
                    await copy.WriteAsync(Reference(n), NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(1L, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(micros + n, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(micros + n, NpgsqlDbType.Bigint, cancellationToken);
                }

                await copy.CompleteAsync(cancellationToken);
            }

            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY user_emails (tenant_id, user_id, ordinal, value, value_norm, type, is_primary) FROM STDIN (FORMAT BINARY)",
                cancellationToken))
            {
                foreach (var (n, id, _) in rows)
                {
                    var name = ScaleUserName(n);
                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(tenant, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(id, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(0, NpgsqlDbType.Integer, cancellationToken);
                    await copy.WriteAsync(name, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(name.ToLowerInvariant(), NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync("work", NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(true, NpgsqlDbType.Boolean, cancellationToken);
                }

                await copy.CompleteAsync(cancellationToken);
            }

            await using (var count = new NpgsqlCommand(
                """
                INSERT INTO tenant_user_counts (tenant_id, shard, users) VALUES (@tenant, 0, @delta)
                ON CONFLICT (tenant_id, shard) DO UPDATE SET users = tenant_user_counts.users + excluded.users
                """,
                connection,
                transaction))
            {
                count.Parameters.AddWithValue("tenant", tenant);
                count.Parameters.AddWithValue("delta", (long)rows.Length);
                await count.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        // What the batch route does after a large seed: fresh planner statistics.
        await using var analyze = new NpgsqlCommand("ANALYZE users, persons, user_emails", connection);
        await analyze.ExecuteNonQueryAsync(cancellationToken);
    }

    public static string ScaleUserName(int n) => string.Create(CultureInfo.InvariantCulture, $"scale-{n:D7}@Bench.Example");

    private static string Reference(int n) => string.Create(CultureInfo.InvariantCulture, $"S{n}");
}
