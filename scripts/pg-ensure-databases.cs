#:package Npgsql
// Creates (or with --drop, drops) PostgreSQL databases. start.sh uses it when psql is not installed:
//   dotnet run scripts/pg-ensure-databases.cs -- [--drop] "<Npgsql server connection string>" scim_edge scim_users ...
using Npgsql;

var drop = args.Length > 0 && args[0] == "--drop";
var rest = drop ? args[1..] : args;
if (rest.Length < 2)
{
    Console.Error.WriteLine("usage: pg-ensure-databases.cs [--drop] <connection string> <database>...");
    return 2;
}

await using var connection = new NpgsqlConnection(rest[0]);
await connection.OpenAsync();
foreach (var name in rest.Skip(1))
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
