using Microservices.Scim.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Microservices.Users.Api.Domain;

/// <summary>
/// A refusal that becomes an RFC 7807 problem document. <c>field</c> names the offending input (a JSON path such as
/// <c>emails[2].value</c>, a query parameter, or a filter attribute); <c>scimType</c> is set where RFC 7644 §3.12 has
/// a matching error type, so the edge can pass it through as a SCIM error.
/// </summary>
public sealed class ProblemException(int status, string title, string? field, string? scimType, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Field { get; } = field;

    public string? ScimType { get; } = scimType;

    public static ProblemException InvalidValue(string field, string detail) => new(400, "invalid value", field, ScimErrorType.InvalidValue, detail);

    public static ProblemException InvalidSyntax(string? field, string detail) => new(400, "malformed request body", field, ScimErrorType.InvalidSyntax, detail);

    public static ProblemException InvalidFilter(string? field, string detail) => new(400, "invalid filter", field, ScimErrorType.InvalidFilter, detail);

    public static ProblemException Uniqueness(string field, string detail) => new(409, "conflict", field, ScimErrorType.Uniqueness, detail);

    public static ProblemException NotFound(string detail) => new(404, "not found", null, null, detail);

    public static ProblemException PreconditionFailed(string detail) => new(412, "precondition failed", "If-Match", null, detail);

    public ProblemHttpResult ToResult()
    {
        var extensions = new Dictionary<string, object?>();
        if (Field is not null)
        {
            extensions["field"] = Field;
        }

        if (ScimType is not null)
        {
            extensions["scimType"] = ScimType;
        }

        return TypedResults.Problem(statusCode: Status, title: Title, detail: Message, extensions: extensions);
    }
}
