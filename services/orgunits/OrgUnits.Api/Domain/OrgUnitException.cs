namespace Microservices.OrgUnits.Api.Domain;

/// <summary>
/// A request the service refuses. Thrown inside a transaction so nothing half-written survives, and turned into one
/// RFC 7807 problem document by <see cref="Endpoints.OrgUnitEndpoints"/>.
/// </summary>
public sealed class OrgUnitException(int status, string? field, string title, string? detail = null, string? scimType = null)
    : Exception(detail ?? title)
{
    public int Status { get; } = status;

    public string? Field { get; } = field;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    public string? ScimType { get; } = scimType;

    /// <summary>Several fields at once (batch validation); keys are field paths such as <c>units[3].name</c>.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    public static OrgUnitException Invalid(string field, string detail) =>
        new(StatusCodes.Status400BadRequest, field, "invalid request", detail);

    public static OrgUnitException NotFound(string field = "id") =>
        new(StatusCodes.Status404NotFound, field, "org unit not found", "no org unit with this id in the tenant");

    public static OrgUnitException ExternalIdTaken(string detail = "another org unit of the tenant already has this external id (compared case-insensitively)") =>
        new(StatusCodes.Status409Conflict, "externalId", "external id already in use", detail, "uniqueness");
}
