using System.Text;
using System.Text.RegularExpressions;

namespace Microservices.ScimEdge.Api.Tenants;

/// <summary>What a tenant's fields may hold. Patterns use explicit ASCII classes and <c>\z</c>, never IgnoreCase or <c>$</c>.</summary>
public static partial class TenantRules
{
    public const int MaxDisplayNameLength = 200;
    public const string DefaultDateFormat = "DD/MM/YYYY";

    /// <summary>The date formats Assure offers.</summary>
    public static readonly IReadOnlyList<string> DateFormats = ["DD/MM/YYYY", "MM/DD/YYYY", "YYYY-MM-DD"];

    /// <summary>Admin-chosen slug: 2–64 of a-z, 0-9, '-', starting with a letter.</summary>
    public static bool IsValidId(string? id) => id is not null && TenantIdPattern().IsMatch(id);

    public static bool IsValidDisplayName(string? name) =>
        !string.IsNullOrWhiteSpace(name) && name.Length <= MaxDisplayNameLength && !name.Any(char.IsControl);

    /// <summary>
    /// A well-formed BCP 47 language tag (RFC 5646 §2.1 "langtag" or private use), the values Accept-Language carries
    /// (RFC 7231 §5.3.5) minus the "*" wildcard, which names no language. Returns it in the canonical case of
    /// RFC 5646 §2.1.1 (language lower, script title, region upper), so "en-gb" and "en-GB" are stored alike.
    /// </summary>
    public static bool TryNormaliseLanguageTag(string? tag, out string normalised)
    {
        normalised = string.Empty;
        if (tag is null || tag.Length > 64 || !LanguageTagPattern().IsMatch(tag))
        {
            return false;
        }

        var subtags = tag.Split('-');
        var builder = new StringBuilder(tag.Length);
        var afterSingleton = false;
        for (var i = 0; i < subtags.Length; i++)
        {
            var subtag = subtags[i];
            if (i > 0)
            {
                builder.Append('-');
            }

            afterSingleton |= subtag.Length == 1;
            if (i == 0 || afterSingleton || subtag.Length is not (2 or 4) || !subtag.All(char.IsAsciiLetter))
            {
                builder.Append(subtag.ToLowerInvariant());
            }
            else if (subtag.Length == 2)
            {
                builder.Append(subtag.ToUpperInvariant());
            }
            else
            {
                builder.Append(char.ToUpperInvariant(subtag[0])).Append(subtag[1..].ToLowerInvariant());
            }
        }

        normalised = builder.ToString();
        return true;
    }

    /// <summary>
    /// An IANA time zone name (RFC 6557) known to this machine's tz database, spelt exactly as the database spells
    /// it. Windows ids, which .NET on Linux also resolves, are refused: the customer contract names IANA names. The
    /// syntax check first keeps path-like input away from the tz database lookup.
    /// </summary>
    public static bool IsIanaTimeZone(string? id) =>
        id is { Length: > 0 and <= 64 }
        && TimeZoneNamePattern().IsMatch(id)
        && !NotZoneNames.Contains(id.Split('/')[0])
        && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
        && zone.HasIanaId
        // .NET caches zones case-insensitively, so "EUROPE/LONDON" can resolve once "Europe/London" has been loaded.
        && string.Equals(zone.Id, id, StringComparison.Ordinal);

    // Files of the zoneinfo folder that are not zones a person lives in: leap-second and POSIX copies, tzdata defaults.
    private static readonly HashSet<string> NotZoneNames = new(StringComparer.Ordinal) { "right", "posix", "posixrules", "Factory", "localtime" };

    public static bool IsValidDateFormat(string? format) => format is not null && DateFormats.Contains(format, StringComparer.Ordinal);

    [GeneratedRegex(@"\A[a-z][a-z0-9-]{1,63}\z")]
    private static partial Regex TenantIdPattern();

    // RFC 5646 §2.1: language ["-" script] ["-" region] *("-" variant) *("-" extension) ["-" privateuse], or privateuse alone.
    [GeneratedRegex(
        @"\A(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(?:-[0-9A-WYZa-wyz](?:-[A-Za-z0-9]{2,8})+)*(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?|[Xx](?:-[A-Za-z0-9]{1,8})+)\z")]
    private static partial Regex LanguageTagPattern();

    [GeneratedRegex(@"\A[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*\z")]
    private static partial Regex TimeZoneNamePattern();
}
