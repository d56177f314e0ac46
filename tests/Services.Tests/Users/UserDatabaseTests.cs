using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microservices.ServiceDefaults.Storage;
using Microservices.Services.Tests.Infrastructure;
using Microservices.Users.Api.Persistence;
using Npgsql;
using Xunit.Abstractions;

namespace Microservices.Services.Tests.Users;

/// <summary>
/// Tests that look inside the users database, so PostgreSQL only (EXPLAIN is engine-specific): query plans of the SQL
/// the list route builds, the schema's own 1:1 guarantee, and the role projection as its event handler fills it.
/// SCIM_USERS_PLAN_USERS sets the plan test's size (default 20,000; docs/users-service.md records a 100,000 run).
/// </summary>
public sealed class UserDatabaseTestsOnPostgres(ITestOutputHelper output) : IAsyncLifetime
{
    private const int BatchSize = 50_000;

    private readonly string _database = $"t_plan_{Guid.NewGuid():N}"[..30];
    private RunningSystem? _system;
    private string _connectionString = "";
    private int _size;

    public async Task InitializeAsync()
    {
        var admin = Environment.GetEnvironmentVariable(TestStores.PostgresVariable)
            ?? throw new InvalidOperationException($"{TestStores.PostgresVariable} is not set");
        _size = int.TryParse(Environment.GetEnvironmentVariable("SCIM_USERS_PLAN_USERS"), CultureInfo.InvariantCulture, out var n) ? n : 20_000;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        _connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = _database }.ConnectionString;
        _system = await RunningSystem.StartAsync(StoreEngine.Postgres, (service, settings) =>
        {
            if (service == "users")
            {
                settings["Store:ConnectionString"] = _connectionString;
            }
        });
    }

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable(TestStores.PostgresVariable));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Lookups_UserNameExternalIdAndEmail_AreIndexScans()
    {
        using var users = new UsersClient(_system!, "plan-tenant");
        using var neighbour = new UsersClient(_system!, "plan-neighbour");
        await neighbour.SeedAsync(UserBatchTests.Generate("n", 2_000));
        for (var from = 0; from < _size; from += BatchSize)
        {
            var batch = UserBatchTests.Generate("plan", Math.Min(BatchSize, _size - from), from).ToList();
            var clock = Stopwatch.StartNew();
            await users.SeedAsync(batch);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {batch.Count} users in {clock.Elapsed.TotalSeconds:F1} s = {batch.Count / clock.Elapsed.TotalSeconds:F0} users/s"));
        }

        var target = _size / 2;
        var dialect = new SqlDialect(IsPostgres: true);
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();

        var byName = await ExplainFilterAsync(connection, dialect, $"userName eq \"PLAN-{target:D7}\"");
        var byExternalId = await ExplainFilterAsync(connection, dialect, $"externalId eq \"plan-ext-{target}\"");
        var byEmail = await ExplainFilterAsync(connection, dialect, $"emails.value eq \"Plan-{target}@Home.example\"");
        var byEmailPath = await ExplainFilterAsync(connection, dialect, $"emails[type eq \"work\" and value eq \"plan-{target}@corp.example\"]");

        Assert.Contains("users_name_live", byName, StringComparison.Ordinal);
        Assert.Contains("users_external_id", byExternalId, StringComparison.Ordinal);
        Assert.Contains("user_emails_value", byEmail, StringComparison.Ordinal);
        Assert.Contains("user_emails_value", byEmailPath, StringComparison.Ordinal);
        foreach (var plan in new[] { byName, byExternalId, byEmail, byEmailPath })
        {
            Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
        }

        // Unfiltered pages: the first by index order, a later one continued by keyset from the previous page's end.
        string[] keys = [.. UserAttributes.SortKeys(null, dialect), "u.id"];
        var first = await ExplainAsync(connection, UserListQuery.PageSql(null, keys, descending: false, keyset: false), c => c.Parameters.AddWithValue("offset", 0L));
        var (created, id) = await MiddleRowAsync(connection, target);
        var keyset = await ExplainAsync(connection, UserListQuery.PageSql(null, keys, descending: false, keyset: true), c =>
        {
            c.Parameters.AddWithValue("k0", created);
            c.Parameters.AddWithValue("k1", id);
        });
        await ExplainAsync(connection, UserListQuery.PageSql(null, keys, descending: false, keyset: false), c => c.Parameters.AddWithValue("offset", (long)target), label: $"the same page by OFFSET {target}, for comparison");
        await MeasureLookupsAsync(users, target);
        Assert.Contains("users_created", first, StringComparison.Ordinal);
        Assert.Contains("users_created", keyset, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan on users", keyset, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_UserWithoutPersonOrPersonWithoutUser_CannotCommit()
    {
        using var users = new UsersClient(_system!, "schema-tenant");
        var user = await users.CreateAsync(UsersClient.Sample("schema.user"));
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();

        var orphanUser = await Assert.ThrowsAsync<PostgresException>(() => ExecuteInTransactionAsync(
            connection,
            """
            INSERT INTO users (tenant_id, id, person_id, user_name, user_name_norm, given_name, family_name, active, access_type,
                               is_manager, preferred_language, time_zone, date_format, default_unit_id, deleted, version, created, last_modified)
            VALUES ('schema-tenant', 'orphan', 'no-such-person', 'orphan', 'orphan', 'O', 'P', true, 'full', false, 'en', 'UTC', 'DD/MM/YYYY', 'unit-1', false, 1, 0, 0)
            """));
        var orphanPerson = await Assert.ThrowsAsync<PostgresException>(() => ExecuteInTransactionAsync(
            connection,
            """
            INSERT INTO persons (tenant_id, id, user_id, forename, surname, default_unit_id, is_current, reference, version, created, last_modified)
            VALUES ('schema-tenant', 'lonely', 'no-such-user', 'L', 'P', 'unit-1', true, 'r', 1, 0, 0)
            """));
        var secondPerson = await Assert.ThrowsAsync<PostgresException>(() => ExecuteInTransactionAsync(
            connection,
            $"""
            INSERT INTO persons (tenant_id, id, user_id, forename, surname, default_unit_id, is_current, reference, version, created, last_modified)
            VALUES ('schema-tenant', 'twin', '{user.Id}', 'T', 'P', 'unit-1', true, 'r', 1, 0, 0)
            """));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, orphanUser.SqlState);
        Assert.Equal("users_person_fk", orphanUser.ConstraintName);
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, orphanPerson.SqlState);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, secondPerson.SqlState);
    }

    [Fact]
    public async Task Roles_FromTheProjection_AppearOnRecordsExceptRemovedOnes()
    {
        using var users = new UsersClient(_system!, "roles-tenant");
        var user = await users.CreateAsync(UsersClient.Sample("role.holder"));
        var other = await users.CreateAsync(UsersClient.Sample("role.less"));
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            // Rows as the role-membership event handler writes them; removed rows are tombstones.
            await connection.OpenAsync();
            await ExecuteInTransactionAsync(
                connection,
                $"""
                INSERT INTO user_roles (tenant_id, user_id, role_id, role_display, removed, source_version, updated_at) VALUES
                    ('roles-tenant', '{user.Id}', 'role-b', 'Safety Reps', false, 3, 0),
                    ('roles-tenant', '{user.Id}', 'role-a', 'Admins', false, 1, 0),
                    ('roles-tenant', '{user.Id}', 'role-c', 'Former', true, 4, 0),
                    ('other-tenant', '{other.Id}', 'role-x', 'Elsewhere', false, 1, 0)
                """);
        }

        var fetched = await users.GetAsync(user.Id);
        var listed = (await users.ListAsync("?sortBy=userName")).List.Items;

        Assert.Equal([new("role-a", "Admins"), new("role-b", "Safety Reps")], fetched!.Roles);
        Assert.Equal(fetched.Roles, listed.Single(u => u.Id == user.Id).Roles);
        Assert.Empty(listed.Single(u => u.Id == other.Id).Roles);
    }

    /// <summary>Round trips of the edge's commonest call, over HTTP (output only: timing is not asserted).</summary>
    private async Task MeasureLookupsAsync(UsersClient users, int target)
    {
        var samples = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var clock = Stopwatch.StartNew();
            var found = await users.MatchAsync($"userName eq \"plan-{(target + i) % _size:D7}\"");
            samples.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Single(found);
        }

        samples.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GET /internal/users?filter=userName eq …, {samples.Count} sequential calls: p50 {samples[samples.Count / 2]:F2} ms, p95 {samples[(int)(samples.Count * 0.95)]:F2} ms"));
    }

    private static async Task ExecuteInTransactionAsync(NpgsqlConnection connection, string sql)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    private async Task<string> ExplainFilterAsync(NpgsqlConnection connection, SqlDialect dialect, string filter)
    {
        var sql = UserFilterSql.Translate(filter, dialect);
        string[] keys = [.. UserAttributes.SortKeys(null, dialect), "u.id"];
        var count = await ExplainAsync(connection, UserListQuery.CountSql(sql), c => Bind(c, sql), label: $"COUNT for {filter}");
        var page = await ExplainAsync(connection, UserListQuery.PageSql(sql, keys, descending: false, keyset: false), c =>
        {
            Bind(c, sql);
            c.Parameters.AddWithValue("offset", 0L);
        }, label: $"page for {filter}");
        return count + page;
    }

    private static void Bind(NpgsqlCommand command, FilterSql filter)
    {
        foreach (var (name, value) in filter.Parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
    }

    private async Task<string> ExplainAsync(NpgsqlConnection connection, string sql, Action<NpgsqlCommand> bind, string? label = null)
    {
        await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql, connection);
        command.Parameters.AddWithValue("tenant", "plan-tenant");
        command.Parameters.AddWithValue("limit", 100);
        bind(command);
        var plan = new StringBuilder();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.AppendLine(reader.GetString(0));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"--- {label ?? "unfiltered page"} ({_size} users in the tenant)"));
        output.WriteLine(plan.ToString());
        return plan.ToString();
    }

    private static async Task<(long Created, string Id)> MiddleRowAsync(NpgsqlConnection connection, int offset)
    {
        await using var command = new NpgsqlCommand(
            "SELECT created, id FROM users WHERE tenant_id = 'plan-tenant' AND NOT deleted ORDER BY created, id OFFSET @offset LIMIT 1", connection);
        command.Parameters.AddWithValue("offset", offset);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetString(1));
    }
}
