using System.Text.Json;

namespace Microservices.Users.Api.Domain;

// The internal API's JSON contract (camelCase). Inputs are all-nullable so validation, not the serializer, decides
// what is missing and names the field; docs/users-service.md is the reference the edge codes against.

/// <summary>The body of <c>POST /internal/users</c>, <c>PUT /internal/users/{id}</c> and each batch entry.</summary>
public sealed record UserWrite(
    string? UserName,
    string? ExternalId,
    string? DisplayName,
    string? GivenName,
    string? FamilyName,
    string? MiddleName,
    string? HonorificPrefix,
    string? HonorificSuffix,
    string? FormattedName,
    string? Email,
    IReadOnlyList<EmailWrite?>? Emails,
    bool? Active,
    string? UserType,
    string? AccessType,
    bool? IsManager,
    string? PreferredLanguage,
    string? Locale,
    string? TimeZone,
    string? DateFormat,
    string? Title,
    UnitSnapshot? DefaultUnit,
    string? EmployeeNumber,
    string? PersonReference,
    string? WorkPhone,
    string? MobilePhone,
    JsonElement? Attributes);

public sealed record EmailWrite(string? Value, string? Type, bool? Primary);

/// <summary>
/// What the edge knows of the user's default org unit. <c>Version</c> (the orgunits aggregate version) is optional;
/// when present it takes part in the projection's newer-wins rule.
/// </summary>
public sealed record UnitSnapshot(string? Id, string? ExternalId, string? Name, bool? Enabled, long? Version);

public sealed record UsersBatch(IReadOnlyList<UserWrite?>? Users);

public sealed record BatchCreated(int Created);

public sealed record ExistsRequest(IReadOnlyList<string?>? Ids);

public sealed record ExistsResponse(IReadOnlyList<string> Missing);

public sealed record JobTitle(string Title);

public sealed record JobTitleList(IReadOnlyList<JobTitle> Items);

public sealed record UserList(long TotalResults, int StartIndex, IReadOnlyList<UserRecord> Items);

/// <summary>
/// A user as the service returns it: the written fields, the projections, and its person record (absent when the
/// caller asked without it: <c>person=false</c>).
/// </summary>
public sealed record UserRecord(
    string Id,
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
    IReadOnlyList<EmailRecord> Emails,
    bool Active,
    string? UserType,
    string AccessType,
    bool IsManager,
    string PreferredLanguage,
    string? Locale,
    string TimeZone,
    string DateFormat,
    string? Title,
    UnitRecord DefaultUnit,
    string? Department,
    string? EmployeeNumber,
    string? PersonReference,
    string? WorkPhone,
    string? MobilePhone,
    RawJson? Attributes,
    bool Deleted,
    long Version,
    DateTime Created,
    DateTime LastModified,
    IReadOnlyList<RoleRef> Roles,
    PersonRecord? Person);

public sealed record EmailRecord(string Value, string? Type, bool Primary);

/// <summary>The default unit as the projection currently knows it (so a re-keyed unit shows its new external id).</summary>
public sealed record UnitRecord(string Id, string? ExternalId, string? Name, bool? Enabled);

public sealed record RoleRef(string Id, string Display);

public sealed record PersonRecord(
    string Id,
    string Forename,
    string Surname,
    string? Email,
    string? JobTitle,
    string DefaultUnitId,
    bool Current,
    string Reference,
    string? WorkPhone,
    string? MobilePhone,
    long Version,
    DateTime Created,
    DateTime LastModified);
