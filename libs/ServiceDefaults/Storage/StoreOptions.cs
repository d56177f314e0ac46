namespace Microservices.ServiceDefaults.Storage;

public enum StoreEngine
{
    Sqlite,
    Postgres,
}

/// <summary>Bound from the <c>Store</c> configuration section: <c>Store__Engine</c>, <c>Store__ConnectionString</c>.</summary>
public sealed class StoreOptions
{
    public const string SectionName = "Store";

    /// <summary><c>sqlite</c> (the embedded default) or <c>postgres</c>.</summary>
    public string Engine { get; set; } = "sqlite";

    /// <summary>An Npgsql connection string, or a SQLite one (<c>Data Source=path</c>). Empty means the default SQLite file.</summary>
    public string? ConnectionString { get; set; }

    public StoreEngine ParsedEngine => Engine.Trim().ToLowerInvariant() switch
    {
        "sqlite" => StoreEngine.Sqlite,
        "postgres" or "postgresql" or "npgsql" => StoreEngine.Postgres,
        _ => throw new InvalidOperationException($"Store:Engine must be 'sqlite' or 'postgres', not '{Engine}'."),
    };
}
