using Microservices.Users.Api.Domain;

namespace Microservices.Users.Api.Persistence;

public enum UserAttributeKind
{
    String,
    Boolean,
    DateTime,
}

/// <summary>
/// A domain field the list API filters and sorts on, and where it lives. <paramref name="Normalized"/> columns already
/// hold the lower-invariant form (userName, email values); other case-insensitive strings are folded in SQL.
/// </summary>
public sealed record UserAttribute(string Name, UserAttributeKind Kind, string Column, bool CaseExact = false, bool Normalized = false, bool Nullable = true)
{
    /// <summary>The expression comparisons use: the column itself, or its case-folded form.</summary>
    public string Compared(SqlDialect dialect) => CaseExact || Normalized || Kind != UserAttributeKind.String ? Column : dialect.Lower(Column);
}

/// <summary>The engine-specific spellings the generated SQL needs.</summary>
public sealed record SqlDialect(bool IsPostgres)
{
    public string False => IsPostgres ? "FALSE" : "0";

    /// <summary>Unicode-aware case folding: PostgreSQL's lower(), or the invariant folding registered on SQLite connections.</summary>
    public string Lower(string expression) => IsPostgres ? $"lower({expression})" : $"scim_lower({expression})";
}

/// <summary>The domain field names the edge rewrites SCIM paths to (docs/users-service.md, "Filtering and sorting").</summary>
public static class UserAttributes
{
    /// <summary>The multi-valued emails attribute: EXISTS over user_emails e, matched by any of the user's addresses.</summary>
    public const string Emails = "emails";

    private static readonly UserAttribute[] _all =
    [
        new("id", UserAttributeKind.String, "u.id", CaseExact: true, Nullable: false),
        new("userName", UserAttributeKind.String, "u.user_name_norm", Normalized: true, Nullable: false),
        new("externalId", UserAttributeKind.String, "u.external_id", CaseExact: true),
        new("displayName", UserAttributeKind.String, "u.display_name"),
        new("givenName", UserAttributeKind.String, "u.given_name", Nullable: false),
        new("familyName", UserAttributeKind.String, "u.family_name", Nullable: false),
        new("middleName", UserAttributeKind.String, "u.middle_name"),
        new("honorificPrefix", UserAttributeKind.String, "u.honorific_prefix"),
        new("honorificSuffix", UserAttributeKind.String, "u.honorific_suffix"),
        new("formattedName", UserAttributeKind.String, "u.formatted_name"),
        new("email", UserAttributeKind.String, "u.email"),
        new("active", UserAttributeKind.Boolean, "u.active", Nullable: false),
        new("userType", UserAttributeKind.String, "u.user_type"),
        new("accessType", UserAttributeKind.String, "u.access_type", Nullable: false),
        new("isManager", UserAttributeKind.Boolean, "u.is_manager", Nullable: false),
        new("preferredLanguage", UserAttributeKind.String, "u.preferred_language", Nullable: false),
        new("locale", UserAttributeKind.String, "u.locale"),
        new("timeZone", UserAttributeKind.String, "u.time_zone", Nullable: false),
        new("dateFormat", UserAttributeKind.String, "u.date_format", Nullable: false),
        new("title", UserAttributeKind.String, "u.title"),
        new("department", UserAttributeKind.String, "ou.external_id"),
        new("defaultUnitId", UserAttributeKind.String, "u.default_unit_id", CaseExact: true, Nullable: false),
        new("employeeNumber", UserAttributeKind.String, "u.employee_number"),
        new("personReference", UserAttributeKind.String, "u.person_reference"),
        new("workPhone", UserAttributeKind.String, "u.work_phone"),
        new("mobilePhone", UserAttributeKind.String, "u.mobile_phone"),
        new("created", UserAttributeKind.DateTime, "u.created", Nullable: false),
        new("lastModified", UserAttributeKind.DateTime, "u.last_modified", Nullable: false),
    ];

    private static readonly UserAttribute[] _emailAttributes =
    [
        new("value", UserAttributeKind.String, "e.value_norm", Normalized: true, Nullable: false),
        new("type", UserAttributeKind.String, "e.type"),
        new("primary", UserAttributeKind.Boolean, "e.is_primary", Nullable: false),
    ];

    private static readonly Dictionary<string, UserAttribute> _byName = _all.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>A top-level field, matched case-insensitively as SCIM matches attribute names (RFC 7643 §2.1).</summary>
    public static UserAttribute? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>A sub-attribute of <c>emails</c>; a bare <c>emails</c> means its <c>value</c> (RFC 7644 §3.4.2.2).</summary>
    public static UserAttribute? FindEmail(string? subAttribute) =>
        _emailAttributes.FirstOrDefault(a => string.Equals(a.Name, subAttribute ?? "value", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The ORDER BY keys for <paramref name="sortBy"/> (u.id is appended by the caller as the tie-breaker). Nullable
    /// fields sort with a null-rank key first so absent values come last ascending (RFC 7644 §3.4.2.3) and every key
    /// is non-null, which keyset predicates need. Sorting by emails uses the user's email (primary else work).
    /// </summary>
    public static IReadOnlyList<string> SortKeys(string? sortBy, SqlDialect dialect)
    {
        if (string.IsNullOrWhiteSpace(sortBy))
        {
            return ["u.created"];
        }

        var name = sortBy.Trim();
        if (name.Equals(Emails, StringComparison.OrdinalIgnoreCase) || name.Equals("emails.value", StringComparison.OrdinalIgnoreCase))
        {
            name = "email";
        }

        var attribute = Find(name) ?? throw ProblemException.InvalidValue("sortBy", $"cannot sort by '{sortBy}': not a user field");
        var value = attribute.Compared(dialect);
        return attribute.Nullable
            ? [$"CASE WHEN {attribute.Column} IS NULL THEN 1 ELSE 0 END", $"COALESCE({value}, '')"]
            : attribute.Name == "id" ? [] : [value];
    }
}
