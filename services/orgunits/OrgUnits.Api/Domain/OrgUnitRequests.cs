namespace Microservices.OrgUnits.Api.Domain;

/// <summary>Body of <c>POST /internal/orgunits</c> and one item of a batch.</summary>
public sealed record CreateOrgUnitRequest(string? Name, string? ParentId, string? ParentExternalId, string? ExternalId);

/// <summary>Body of <c>POST /internal/orgunits/batch</c>.</summary>
public sealed record BatchCreateRequest(IReadOnlyList<CreateOrgUnitRequest?>? Units);

/// <summary>
/// A parsed PATCH: each field is either absent or present; <see cref="ExternalId"/> present with null clears it.
/// </summary>
public sealed record OrgUnitPatch(
    Optional<string> Name,
    Optional<string?> ParentId,
    Optional<string?> ExternalId,
    Optional<bool> Enabled)
{
    public bool IsEmpty => !Name.IsPresent && !ParentId.IsPresent && !ExternalId.IsPresent && !Enabled.IsPresent;
}

/// <summary>A value a PATCH may or may not carry; "absent" differs from "present and null".</summary>
public readonly record struct Optional<T>(bool IsPresent, T Value);

public static class Optional
{
    public static Optional<T> Of<T>(T value) => new(true, value);
}

/// <summary>An <c>If-Match</c> precondition: <c>*</c>, or a list of versions sent as entity tags.</summary>
public sealed record VersionPrecondition(bool Any, IReadOnlyList<int> Versions)
{
    public bool Matches(int version) => Any || Versions.Contains(version);
}
