using System.Globalization;
using System.Text.Json;

namespace Microservices.Users.Api.Domain;

public sealed record EmailData(string Value, string ValueNorm, string? Type, bool Primary);

/// <summary>A user's default unit as the projection keeps it; <paramref name="ExternalId"/> is null when the unit has none.</summary>
public sealed record UnitData(string Id, string? ExternalId, string Name, bool Enabled, long? Version);

/// <summary>
/// A validated <see cref="UserWrite"/>: required fields present, lengths bounded, strings storable on both engines,
/// optional empty strings folded to null (RFC 7643 §2.5 treats unassigned and empty alike), norms computed.
/// </summary>
public sealed record UserData(
    string UserName,
    string? ExternalId,
    string? DisplayName,
    string GivenName,
    string FamilyName,
    string? MiddleName,
    string? HonorificPrefix,
    string? HonorificSuffix,
    string? FormattedName,
    string? Email,
    IReadOnlyList<EmailData> Emails,
    bool Active,
    string? UserType,
    string AccessType,
    bool IsManager,
    string PreferredLanguage,
    string? Locale,
    string TimeZone,
    string DateFormat,
    string? Title,
    UnitData Unit,
    string? EmployeeNumber,
    string? PersonReference,
    string? WorkPhone,
    string? MobilePhone,
    string? AttributesJson)
{
    public const int MaxEmails = 20;
    public const int MaxAttributesLength = 65_536;

    private static readonly EmailData[] _noEmails = [];

    public const string AccessFull = "full";
    public const string AccessAgoOnly = "agoOnly";

    public string UserNameNorm => Normalize(UserName);

    public string? TitleNorm => Title is null ? null : Normalize(Title);

    /// <summary>The person register reference: personReference, else employeeNumber, else userName.</summary>
    public string Reference => PersonReference ?? EmployeeNumber ?? UserName;

    /// <summary>userName and email addresses compare case-insensitively; this is the stored, indexed form.</summary>
    public static string Normalize(string value) => value.ToLowerInvariant();

    /// <summary>True when both describe the same stored user (the unit's details belong to the projection, not the user).</summary>
    public bool SameContentAs(UserData other) =>
        WithoutCollections() == other.WithoutCollections() && Emails.SequenceEqual(other.Emails);

    private UserData WithoutCollections() => this with { Emails = _noEmails, Unit = new UnitData(Unit.Id, "", "", true, null) };

    public static UserData From(UserWrite? write, string prefix = "")
    {
        if (write is null)
        {
            throw ProblemException.InvalidValue(prefix.Length == 0 ? "$" : prefix.TrimEnd('.'), "a user object is required");
        }

        var v = new Validator(prefix);
        var emails = ValidateEmails(write.Emails, v);
        var unit = ValidateUnit(write.DefaultUnit, v);
        var accessType = v.Required(write.AccessType, "accessType", 16) switch
        {
            var a when string.Equals(a, AccessFull, StringComparison.OrdinalIgnoreCase) => AccessFull,
            var a when string.Equals(a, AccessAgoOnly, StringComparison.OrdinalIgnoreCase) => AccessAgoOnly,
            _ => throw ProblemException.InvalidValue(v.Name("accessType"), "accessType must be \"full\" (Assure and AssureGO+) or \"agoOnly\" (AssureGO+ only)"),
        };

        return new UserData(
            UserName: v.UserName(write.UserName),
            ExternalId: v.Optional(write.ExternalId, "externalId", 256),
            DisplayName: v.Optional(write.DisplayName, "displayName", 512),
            GivenName: v.Required(write.GivenName, "givenName", 128),
            FamilyName: v.Required(write.FamilyName, "familyName", 128),
            MiddleName: v.Optional(write.MiddleName, "middleName", 128),
            HonorificPrefix: v.Optional(write.HonorificPrefix, "honorificPrefix", 64),
            HonorificSuffix: v.Optional(write.HonorificSuffix, "honorificSuffix", 64),
            FormattedName: v.Optional(write.FormattedName, "formattedName", 512),
            Email: v.Optional(write.Email, "email", 320),
            Emails: emails,
            Active: write.Active ?? throw ProblemException.InvalidValue(v.Name("active"), "active is required (true = Current, false = Not Current)"),
            UserType: v.Optional(write.UserType, "userType", 64),
            AccessType: accessType,
            IsManager: write.IsManager ?? throw ProblemException.InvalidValue(v.Name("isManager"), "isManager is required"),
            PreferredLanguage: v.Required(write.PreferredLanguage, "preferredLanguage", 35),
            Locale: v.Optional(write.Locale, "locale", 35),
            TimeZone: v.Required(write.TimeZone, "timeZone", 64),
            DateFormat: v.Required(write.DateFormat, "dateFormat", 32),
            Title: v.Optional(write.Title, "title", 256),
            Unit: unit,
            EmployeeNumber: v.Optional(write.EmployeeNumber, "employeeNumber", 64),
            PersonReference: v.Optional(write.PersonReference, "personReference", 64),
            WorkPhone: v.Optional(write.WorkPhone, "workPhone", 64),
            MobilePhone: v.Optional(write.MobilePhone, "mobilePhone", 64),
            AttributesJson: ValidateAttributes(write.Attributes, v));
    }

    private static List<EmailData> ValidateEmails(IReadOnlyList<EmailWrite?>? emails, Validator v)
    {
        if (emails is null)
        {
            return [];
        }

        if (emails.Count > MaxEmails)
        {
            throw ProblemException.InvalidValue(v.Name("emails"), string.Create(CultureInfo.InvariantCulture, $"at most {MaxEmails} email addresses are allowed, got {emails.Count}"));
        }

        var result = new List<EmailData>(emails.Count);
        for (var i = 0; i < emails.Count; i++)
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"emails[{i}]");
            var email = emails[i] ?? throw ProblemException.InvalidValue(v.Name(at), "an email entry must be an object");
            var value = v.Required(email.Value, at + ".value", 320);
            result.Add(new EmailData(value, Normalize(value), v.Optional(email.Type, at + ".type", 32), email.Primary ?? false));
        }

        // RFC 7643 §2.4: the primary attribute may be true for at most one value.
        if (result.Count(e => e.Primary) > 1)
        {
            throw ProblemException.InvalidValue(v.Name("emails"), "at most one email may be primary");
        }

        return result;
    }

    private static UnitData ValidateUnit(UnitSnapshot? unit, Validator v)
    {
        if (unit is null)
        {
            throw ProblemException.InvalidValue(v.Name("defaultUnit"), "defaultUnit is required: {id, externalId, name, enabled} of the user's default org unit");
        }

        if (unit.Version is < 0)
        {
            throw ProblemException.InvalidValue(v.Name("defaultUnit.version"), "defaultUnit.version must not be negative");
        }

        return new UnitData(
            v.Required(unit.Id, "defaultUnit.id", 64),
            // Optional: a unit whose external id was cleared in orgunits has none, and a user of it stays writable (the
            // edge keeps the unit when a PATCH or PUT leaves department absent).
            v.Optional(unit.ExternalId, "defaultUnit.externalId", 256),
            v.Required(unit.Name, "defaultUnit.name", 256),
            unit.Enabled ?? throw ProblemException.InvalidValue(v.Name("defaultUnit.enabled"), "defaultUnit.enabled is required"),
            unit.Version);
    }

    private static string? ValidateAttributes(JsonElement? attributes, Validator v)
    {
        if (attributes is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw ProblemException.InvalidValue(v.Name("attributes"), "attributes must be a JSON object");
        }

        var raw = element.GetRawText();
        if (raw.Length > MaxAttributesLength)
        {
            throw ProblemException.InvalidValue(v.Name("attributes"), string.Create(CultureInfo.InvariantCulture, $"attributes may be at most {MaxAttributesLength} characters of JSON"));
        }

        return raw;
    }

    private sealed class Validator(string prefix)
    {
        public string Name(string field) => prefix + field;

        public string UserName(string? value)
        {
            var userName = Required(value, "userName", 256);
            if (userName.Any(char.IsControl) || userName.Trim().Length != userName.Length)
            {
                throw ProblemException.InvalidValue(Name("userName"), "userName must not contain control characters or leading/trailing spaces");
            }

            return userName;
        }

        public string Required(string? value, string field, int maxLength) =>
            Optional(value, field, maxLength) ?? throw ProblemException.InvalidValue(Name(field), $"{field} is required");

        public string? Optional(string? value, string field, int maxLength)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            if (value.Length > maxLength)
            {
                throw ProblemException.InvalidValue(Name(field), string.Create(CultureInfo.InvariantCulture, $"{field} may be at most {maxLength} characters, got {value.Length}"));
            }

            // PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded as UTF-8: either would fail in the
            // driver, so both are refused here as the caller's error.
            if (!IsStorable(value))
            {
                throw ProblemException.InvalidValue(Name(field), $"{field} contains a NUL character or an unpaired surrogate");
            }

            return value;
        }

    }

    /// <summary>False for a NUL or an unpaired surrogate: PostgreSQL text cannot hold the first, UTF-8 cannot encode the second.</summary>
    public static bool IsStorable(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0' || char.IsLowSurrogate(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
        }

        return true;
    }
}
