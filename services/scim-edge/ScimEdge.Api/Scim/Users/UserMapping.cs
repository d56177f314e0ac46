using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microservices.Scim;
using Microservices.Scim.Errors;
using Microservices.Scim.Schemas;
using Microservices.ScimEdge.Api.Clients;

namespace Microservices.ScimEdge.Api.Scim.Users;

/// <summary>
/// SCIM User JSON ⇄ the users service's fields (docs/scim-mapping.md). The validated SCIM body (minus
/// <c>password</c>) is also kept in the opaque <c>attributes</c> field, so attributes Assure has no field for
/// (nickName, addresses, enterprise manager, ...) come back as sent; every mapped attribute is then rewritten from
/// the domain fields, so what is returned is always what Assure holds.
/// </summary>
public static partial class UserMapping
{
    private const string Enterprise = ScimConstants.EnterpriseUserSchema;
    private const string Assure = ScimConstants.AssureUserSchema;

    /// <summary>
    /// Checks what creating or replacing needs before anything is resolved, and returns the department: the external
    /// id of the user's default org unit, which the caller resolves through the orgunits service. Null only when
    /// <paramref name="departmentOptional"/> and the write has none: the caller decides whether the user's current unit
    /// stands in (<see cref="DepartmentRequired"/> otherwise).
    /// </summary>
    public static string? RequireAttributes(JsonObject scim, bool departmentOptional = false)
    {
        RequiredString(scim["userName"], "userName");
        var name = scim["name"] as JsonObject;
        RequiredString(name?["givenName"], "name.givenName");
        RequiredString(name?["familyName"], "name.familyName");
        var department = Str(Extension(scim, Enterprise)?["department"]);
        return department is not null || departmentOptional ? department : throw DepartmentRequired();
    }

    public static ScimException DepartmentRequired() =>
        ScimException.InvalidValue($"{Enterprise}:department is required: the external id of the user's default org unit.");

    /// <summary>The users service's write body for a validated SCIM User (<see cref="ScimResourceValidator"/>) and its resolved unit.</summary>
    public static JsonObject ToWrite(JsonObject scim, UnitSnapshot unit, ScimTenant tenant)
    {
        var name = scim["name"] as JsonObject;
        var givenName = RequiredString(name?["givenName"], "name.givenName");
        var familyName = RequiredString(name?["familyName"], "name.familyName");
        var userName = RequiredString(scim["userName"], "userName");
        var enterprise = Extension(scim, Enterprise);
        var assure = Extension(scim, Assure);

        var locale = LanguageTag(scim["locale"], "locale");
        var language = LanguageTag(scim["preferredLanguage"], "preferredLanguage") ?? locale ?? tenant.DefaultLanguage;
        var timeZone = TimeZoneName(scim["timezone"]) ?? tenant.TimeZone;
        var userType = Str(scim["userType"]);

        var emails = scim["emails"] as JsonArray ?? [];
        var emailWrites = new JsonArray();
        foreach (var email in emails.OfType<JsonObject>())
        {
            if (Str(email["value"]) is { } value)
            {
                emailWrites.Add(new JsonObject { ["value"] = value, ["type"] = Str(email["type"]), ["primary"] = email["primary"]?.GetValue<bool>() ?? false });
            }
        }

        var phones = (scim["phoneNumbers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var attributes = Unmapped(scim);

        // The customer contract: displayName / name.formatted is the full name, composed from the parts when absent.
        var formatted = Str(name?["formatted"]);
        var composed = Compose(name, givenName, familyName);

        return new JsonObject
        {
            ["userName"] = userName,
            ["externalId"] = Str(scim["externalId"]),
            ["displayName"] = Str(scim["displayName"]) ?? formatted ?? composed,
            ["givenName"] = givenName,
            ["familyName"] = familyName,
            ["middleName"] = Str(name?["middleName"]),
            ["honorificPrefix"] = Str(name?["honorificPrefix"]),
            ["honorificSuffix"] = Str(name?["honorificSuffix"]),
            ["formattedName"] = formatted ?? composed,
            ["email"] = PrimaryEmail(emails),
            ["emails"] = emailWrites,
            ["active"] = scim["active"]?.GetValue<bool>() ?? true,
            ["userType"] = userType,
            ["accessType"] = string.Equals(userType?.Trim(), "agoonly", StringComparison.OrdinalIgnoreCase) ? "agoOnly" : "full",
            ["isManager"] = (scim["entitlements"] as JsonArray ?? []).OfType<JsonObject>()
                .Any(e => string.Equals(Str(e["value"])?.Trim(), "manager", StringComparison.OrdinalIgnoreCase)),
            ["preferredLanguage"] = language,
            ["locale"] = locale,
            ["timeZone"] = timeZone,
            ["dateFormat"] = Str(assure?["dateFormat"]) ?? tenant.DateFormat,
            ["title"] = Str(scim["title"]),
            ["defaultUnit"] = new JsonObject
            {
                ["id"] = unit.Id,
                ["externalId"] = unit.ExternalId,
                ["name"] = unit.Name,
                ["enabled"] = unit.Enabled,
                ["version"] = unit.Version,
            },
            ["employeeNumber"] = Str(enterprise?["employeeNumber"]),
            ["personReference"] = Str(assure?["personReference"]),
            ["workPhone"] = Phone(phones, "work"),
            ["mobilePhone"] = Phone(phones, "mobile"),
            ["attributes"] = attributes,
        };
    }

    // What WriteScim writes from the domain fields alone, by canonical name (the validator has rewritten every known
    // attribute to its canonical spelling): never kept in the stored remainder, never written from it. name and the
    // enterprise extension are partly mapped (_mappedName, _mappedEnterprise).
    private static readonly string[] _rebuilt =
    [
        "schemas", "id", "externalId", "userName", "displayName", "meta", "groups", "password", "title", "userType",
        "preferredLanguage", "locale", "timezone", "active", "emails", Assure,
    ];

    private static readonly string[] _mappedName = ["formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"];

    private static readonly string[] _mappedEnterprise = ["employeeNumber", "department"];

    /// <summary>
    /// The part of a validated SCIM User that Assure has no field for (nickName, addresses, phoneNumbers, entitlements,
    /// the enterprise manager, ...), kept as sent so it comes back; null when there is none. The password is never
    /// kept. Every other attribute is rebuilt from the domain fields on the way out, so storing it too would only
    /// make every read parse and copy it.
    /// </summary>
    private static JsonObject? Unmapped(JsonObject scim)
    {
        var rest = scim.DeepClone().AsObject();
        foreach (var attribute in _rebuilt)
        {
            rest.Remove(attribute);
        }

        RemoveMembers(rest, "name", _mappedName);
        RemoveMembers(rest, Enterprise, _mappedEnterprise);
        return rest.Count == 0 ? null : rest;
    }

    private static void RemoveMembers(JsonObject resource, string attribute, string[] members)
    {
        if (resource[attribute] is JsonObject value)
        {
            foreach (var member in members)
            {
                value.Remove(member);
            }

            if (value.Count == 0)
            {
                resource.Remove(attribute);
            }
        }
    }

    /// <summary>The SCIM User for a stored user as a DOM (for PATCH and projections): what <see cref="WriteScim"/> writes.</summary>
    public static JsonObject ToScim(UserRecord user, ScimSettings settings)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteScim(writer, user, settings);
        }

        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }

    /// <summary>
    /// Writes the SCIM User for a stored user, with <c>meta</c> and <c>groups</c> built from the public base URL: the
    /// one definition of a user's SCIM form (<see cref="ToScim"/> parses what this writes). The attributes Assure keeps
    /// no field for come from the stored remainder as sent; every mapped one is written from the domain fields.
    /// <paramref name="asReturned"/> leaves out what the default projection would (an enterprise extension with no
    /// members), so a response can be written straight from here without building a DOM per user (see
    /// <see cref="WritesAsReturned"/>).
    /// </summary>
    public static void WriteScim(Utf8JsonWriter w, UserRecord user, ScimSettings settings, bool asReturned = false)
    {
        var stored = user.Attributes;
        w.WriteStartObject();
        w.WriteStartArray("schemas");
        w.WriteStringValue(ScimConstants.UserSchema);
        w.WriteStringValue(Enterprise);
        w.WriteStringValue(Assure);
        w.WriteEndArray();
        w.WriteString("id", user.Id);
        WriteIfSet(w, "externalId", user.ExternalId);
        w.WriteString("userName", user.UserName);

        w.WriteStartObject("name");
        WriteRemainder(w, stored?["name"] as JsonObject, _mappedName);
        WriteIfSet(w, "formatted", user.FormattedName);
        w.WriteString("familyName", user.FamilyName);
        w.WriteString("givenName", user.GivenName);
        WriteIfSet(w, "middleName", user.MiddleName);
        WriteIfSet(w, "honorificPrefix", user.HonorificPrefix);
        WriteIfSet(w, "honorificSuffix", user.HonorificSuffix);
        w.WriteEndObject();
        WriteIfSet(w, "displayName", user.DisplayName);

        if (stored is not null)
        {
            foreach (var (key, value) in stored)
            {
                if (!_rebuilt.Contains(key) && key != "name"
                    && !key.Equals(Enterprise, StringComparison.OrdinalIgnoreCase) && !key.Equals(Assure, StringComparison.OrdinalIgnoreCase))
                {
                    w.WritePropertyName(key);
                    WriteNode(w, value);
                }
            }
        }

        WriteIfSet(w, "title", user.Title);
        WriteIfSet(w, "userType", user.UserType);
        w.WriteString("preferredLanguage", user.PreferredLanguage);
        WriteIfSet(w, "locale", user.Locale);
        w.WriteString("timezone", user.TimeZone);
        w.WriteBoolean("active", user.Active);
        if (user.Emails.Count > 0)
        {
            w.WriteStartArray("emails");
            foreach (var email in user.Emails)
            {
                w.WriteStartObject();
                w.WriteString("value", email.Value);
                WriteIfSet(w, "type", email.Type);
                if (email.Primary)
                {
                    w.WriteBoolean("primary", true);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (user.Roles.Count > 0)
        {
            w.WriteStartArray("groups");
            foreach (var role in user.Roles)
            {
                w.WriteStartObject();
                w.WriteString("value", role.Id);
                w.WriteString("$ref", settings.Location("Groups", role.Id));
                w.WriteString("display", role.Display);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        var enterprise = stored is null ? null : Extension(stored, Enterprise);
        if (!asReturned || user.EmployeeNumber is not null || user.Department is not null || enterprise?.Any(m => !_mappedEnterprise.Contains(m.Key)) == true)
        {
            w.WriteStartObject(Enterprise);
            WriteRemainder(w, enterprise, _mappedEnterprise);
            WriteIfSet(w, "employeeNumber", user.EmployeeNumber);
            WriteIfSet(w, "department", user.Department);
            w.WriteEndObject();
        }

        w.WriteStartObject(Assure);
        w.WriteString("dateFormat", user.DateFormat);
        WriteIfSet(w, "personReference", user.PersonReference);
        w.WriteString("accessType", user.AccessType == "agoOnly" ? ScimSchemas.AccessTypeAssureGoOnly : ScimSchemas.AccessTypeFull);
        w.WriteBoolean("isManager", user.IsManager);
        w.WriteEndObject();

        w.WriteStartObject("meta");
        w.WriteString("resourceType", "User");
        w.WriteString("created", Instant(user.Created));
        w.WriteString("lastModified", Instant(user.LastModified));
        w.WriteString("location", settings.Location("Users", user.Id));
        w.WriteString("version", ETag(user.Version));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// True when <paramref name="selection"/> returns this user exactly as <see cref="WriteScim"/> writes it with
    /// <c>asReturned</c>: the default selection, and a stored remainder it would not trim (what the domain fields
    /// write never holds a null, an empty object or a never-returned attribute). Otherwise the caller projects the DOM.
    /// </summary>
    public static bool WritesAsReturned(UserRecord user, AttributeSelection selection) =>
        selection.ReturnsWhole(user.Attributes ?? []);

    private static void WriteRemainder(Utf8JsonWriter w, JsonObject? stored, string[] rebuilt)
    {
        if (stored is null)
        {
            return;
        }

        foreach (var (key, value) in stored)
        {
            if (!rebuilt.Contains(key))
            {
                w.WritePropertyName(key);
                WriteNode(w, value);
            }
        }
    }

    private static void WriteNode(Utf8JsonWriter w, JsonNode? value)
    {
        if (value is null)
        {
            w.WriteNullValue();
        }
        else
        {
            value.WriteTo(w);
        }
    }

    private static void WriteIfSet(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    public static string ETag(long version) => string.Create(CultureInfo.InvariantCulture, $"W/\"{version}\"");

    private static string Instant(DateTime time) =>
        DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject? Extension(JsonObject resource, string urn)
    {
        foreach (var (key, value) in resource)
        {
            if (key.Equals(urn, StringComparison.OrdinalIgnoreCase))
            {
                return value as JsonObject;
            }
        }

        return null;
    }

    private static string? Str(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text) ? text : null;

    private static string RequiredString(JsonNode? node, string attribute) =>
        Str(node) ?? throw ScimException.InvalidValue($"{attribute} is required.");

    private static string Compose(JsonObject? name, string givenName, string familyName) =>
        Compose(Str(name?["honorificPrefix"]), givenName, Str(name?["middleName"]), familyName, Str(name?["honorificSuffix"]));

    /// <summary>The composed full name: the parts present, in this order, joined by one space (docs/scim-mapping.md).</summary>
    private static string Compose(string? prefix, string givenName, string? middleName, string familyName, string? suffix) =>
        string.Join(' ', new[] { prefix, givenName, middleName, familyName, suffix }.Where(p => p is not null));

    /// <summary>
    /// The SCIM form of <paramref name="user"/> as a PATCH starts from: a <c>name.formatted</c> or <c>displayName</c> that
    /// is only what the full-name rule derived (equal to it) is left out, so it is derived again from the patched
    /// parts instead of being carried over as if the IdP had sent it (a new familyName would keep the old full name).
    /// A value the IdP set to something else stays.
    /// </summary>
    public static JsonObject WithoutDerivedNames(JsonObject scim, UserRecord user)
    {
        var composed = Compose(user.HonorificPrefix, user.GivenName, user.MiddleName, user.FamilyName, user.HonorificSuffix);
        if (user.FormattedName == composed && scim["name"] is JsonObject name)
        {
            name.Remove("formatted");
        }

        if (user.DisplayName == (user.FormattedName ?? composed))
        {
            scim.Remove("displayName");
        }

        return scim;
    }

    /// <summary>The primary address, else the work one, else the first (docs/scim-mapping.md).</summary>
    private static string? PrimaryEmail(JsonArray emails)
    {
        var all = emails.OfType<JsonObject>().Where(e => Str(e["value"]) is not null).ToList();
        var chosen = all.FirstOrDefault(e => e["primary"]?.GetValue<bool>() == true)
            ?? all.FirstOrDefault(e => string.Equals(Str(e["type"]), "work", StringComparison.OrdinalIgnoreCase))
            ?? all.FirstOrDefault();
        return chosen is null ? null : Str(chosen["value"]);
    }

    private static string? Phone(List<JsonObject> phones, string type) =>
        phones.Where(p => string.Equals(Str(p["type"]), type, StringComparison.OrdinalIgnoreCase)).Select(p => Str(p["value"])).FirstOrDefault(v => v is not null);

    /// <summary>An Accept-Language language-range (RFC 7231 §5.3.5, RFC 4647 §2.1) other than the wildcard.</summary>
    private static string? LanguageTag(JsonNode? node, string attribute)
    {
        if (Str(node) is not { } tag)
        {
            return null;
        }

        return tag.Length <= 35 && LanguageRange().IsMatch(tag)
            ? tag
            : throw ScimException.InvalidValue($"{attribute} must be a language tag such as \"en-GB\" (RFC 7231 §5.3.5), not '{Clip(tag)}'.");
    }

    /// <summary>An IANA time zone name (RFC 6557), e.g. Europe/London; Windows names are refused.</summary>
    private static string? TimeZoneName(JsonNode? node)
    {
        if (Str(node) is not { } zone)
        {
            return null;
        }

        var known = zone.Length <= 64
            && (zone == "UTC" || TimeZoneInfo.TryConvertIanaIdToWindowsId(zone, out _))
            && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _);
        return known ? zone : throw ScimException.InvalidValue($"timezone must be an IANA time zone name such as \"Europe/London\" (RFC 6557), not '{Clip(zone)}'.");
    }

    private static string Clip(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex("^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageRange();
}
