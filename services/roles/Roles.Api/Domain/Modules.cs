namespace Microservices.Roles.Api.Domain;

/// <summary>
/// The Assure modules a role grants or denies, defined once. The key is the wire name (JSON object key and the
/// <c>module</c> column); adding a module here needs a migration that gives existing roles a row for it.
/// </summary>
public static class Modules
{
    public static IReadOnlyList<Module> All { get; } =
    [
        new("incidents", "Incidents"),
        new("riskAssessments", "Risk Assessments"),
        new("audits", "Audits"),
        new("inspections", "Inspections"),
        new("actions", "Actions"),
        new("training", "Training"),
        new("documents", "Documents"),
        new("personRegister", "Person Register"),
        new("users", "Users"),
        new("orgUnits", "Org Units"),
        new("reports", "Reports"),
    ];

    private static readonly Dictionary<string, Module> _byKey = All.ToDictionary(m => m.Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>Finds a module by key, ignoring case, so <c>Incidents</c> and <c>incidents</c> both name it.</summary>
    public static Module? Find(string key) => _byKey.GetValueOrDefault(key);
}

public sealed record Module(string Key, string DisplayName);

/// <summary>
/// Assure's three permission values. Deny beats Allow; Inherit takes the value from the parent org unit and is Deny
/// when nothing is found at the root (Assure "Role Permissions").
/// </summary>
public static class Access
{
    public const string Allow = "Allow";
    public const string Deny = "Deny";
    public const string Inherit = "Inherit";

    public static string? Parse(string? value) => value?.ToUpperInvariant() switch
    {
        "ALLOW" => Allow,
        "DENY" => Deny,
        "INHERIT" => Inherit,
        _ => null,
    };
}

/// <summary>Who made a role or a membership: an Assure administrator (Edit Role screen, admin API) or SCIM.</summary>
public static class Origins
{
    public const string Admin = "admin";
    public const string Scim = "scim";
}
