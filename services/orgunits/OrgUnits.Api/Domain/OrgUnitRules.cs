using System.Text;

namespace Microservices.OrgUnits.Api.Domain;

/// <summary>The value rules of an org unit, shared by the JSON API, the batch seed and the CSV import.</summary>
public static class OrgUnitRules
{
    public const int MaxNameLength = 200;
    public const int MaxExternalIdLength = 100;

    /// <summary>The separator of a unit's path (names from the root). It is never escaped: see docs/orgunits.md.</summary>
    public const string PathSeparator = " / ";

    /// <summary>Trims a name and returns the reason it is unusable, or null when it is fine.</summary>
    public static string? CheckName(string? raw, out string name)
    {
        name = raw?.Trim() ?? string.Empty;
        if (name.Length == 0)
        {
            return "name must not be empty";
        }

        if (name.Length > MaxNameLength)
        {
            return $"name must be at most {MaxNameLength} characters";
        }

        return HasControlCharacters(name) ? "name must not contain control characters or line breaks" : null;
    }

    /// <summary>Trims an external id and returns the reason it is unusable, or null when it is fine.</summary>
    public static string? CheckExternalId(string? raw, out string externalId)
    {
        externalId = raw?.Trim() ?? string.Empty;
        if (externalId.Length == 0)
        {
            return "externalId must not be empty (send null to clear it)";
        }

        if (externalId.Length > MaxExternalIdLength)
        {
            return $"externalId must be at most {MaxExternalIdLength} characters";
        }

        return HasControlCharacters(externalId) ? "externalId must not contain control characters or line breaks" : null;
    }

    /// <summary>
    /// The comparison key of external ids, names and paths: Unicode NFC, then lower-case (invariant). Computed here
    /// rather than with SQL lower(), which is ASCII-only in SQLite, so both engines compare alike. The separator
    /// " / " is ASCII, so Normalize(a + " / " + b) == Normalize(a) + " / " + Normalize(b) and a path's key can be
    /// built in SQL by joining the stored keys of its names.
    /// </summary>
    public static string Normalize(string value) =>
        (value.IsNormalized(NormalizationForm.FormC) ? value : value.Normalize(NormalizationForm.FormC)).ToLowerInvariant();

    /// <summary>
    /// True for control characters (NUL included, which PostgreSQL text cannot hold) and for an unpaired surrogate, which
    /// neither UTF-8 nor Unicode normalisation can take: such a value is refused as the caller's error, never sent on.
    /// </summary>
    public static bool HasControlCharacters(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) || char.IsLowSurrogate(c))
            {
                return true;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return true;
                }

                i++;
            }
        }

        return false;
    }
}
