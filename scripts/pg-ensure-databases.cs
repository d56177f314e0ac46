#:package Npgsql
// Creates (or with --drop, drops) PostgreSQL databases. start.sh uses it when psql is not installed:
//   PG_ENSURE_CONNECTION="<Npgsql server connection string>" dotnet run scripts/pg-ensure-databases.cs -- [--drop] scim_edge scim_users ...
// The connection string comes from the environment because it may hold a password, and arguments are visible in `ps`.
using Npgsql;

var drop = args.Length > 0 && args[0] == "--drop";
var names = drop ? args[1..] : args;
var connectionString = Environment.GetEnvironmentVariable("PG_ENSURE_CONNECTION");
if (names.Length < 1 || string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("usage: PG_ENSURE_CONNECTION=<connection string> pg-ensure-databases.cs [--drop] <database>...");
    return 2;
}

await using var connection = new NpgsqlConnection(connectionString);
await connection.OpenAsync();
foreach (var name in names)
{
    // Identifiers cannot be parameters; quoting keeps any name from being read as SQL.
    var quoted = "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    if (drop)
    {
        await using var dropCommand = new NpgsqlCommand($"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)", connection);
        await dropCommand.ExecuteNonQueryAsync();
        continue;
    }

    await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
    exists.Parameters.AddWithValue("name", name);
    if (await exists.ExecuteScalarAsync() is null)
    {
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        await create.ExecuteNonQueryAsync();
        Console.WriteLine($"created database {name}");
    }
}

return 0;
