using System.Text.Json;
using Microservices.Scim.Errors;

namespace Microservices.Roles.Api.Endpoints;

/// <summary>
/// A refusal that becomes an RFC 7807 problem document: <c>field</c> names the offending input and <c>scimType</c>
/// (where a SCIM error type applies) lets the edge build the SCIM error body without guessing.
/// </summary>
public sealed class ApiProblemException(int status, string title, string detail, string? field = null, string? scimType = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Field { get; } = field;

    public string? ScimType { get; } = scimType;

    public static ApiProblemException InvalidValue(string field, string detail) =>
        new(StatusCodes.Status400BadRequest, "invalid value", detail, field, ScimErrorType.InvalidValue);

    public static ApiProblemException InvalidFilter(string detail, string field = "filter") =>
        new(StatusCodes.Status400BadRequest, "invalid filter", detail, field, ScimErrorType.InvalidFilter);

    public static ApiProblemException Uniqueness(string field, string detail) =>
        new(StatusCodes.Status409Conflict, "uniqueness", detail, field, ScimErrorType.Uniqueness);

    public static ApiProblemException NotFound(string detail) => new(StatusCodes.Status404NotFound, "not found", detail);

    public static ApiProblemException PreconditionFailed(long version) =>
        new(StatusCodes.Status412PreconditionFailed, "precondition failed", $"If-Match does not match the current version {version}.", "If-Match", ScimErrorType.InvalidVersion);

    public IResult ToResult()
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

/// <summary>Turns refusals and unreadable request bodies into problem documents, never a 500.</summary>
public static class ProblemMiddleware
{
    public static WebApplication UseApiProblems(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            IResult result;
            try
            {
                await next(context);
                return;
            }
            catch (ApiProblemException problem)
            {
                result = problem.ToResult();
            }
            catch (BadHttpRequestException bad) when (!context.Response.HasStarted)
            {
                // Minimal APIs throw this (RouteHandlerOptions.ThrowOnBadRequest) for JSON they cannot bind; the
                // JsonException inside carries the path of the offending member, e.g. $.members[3].
                var path = (bad.InnerException as JsonException)?.Path;
                result = new ApiProblemException(
                    bad.StatusCode,
                    bad.StatusCode == StatusCodes.Status415UnsupportedMediaType ? "unsupported media type" : "invalid request",
                    path is null ? "The request could not be read." : $"The request body is not valid at {path}.",
                    path is null ? null : path.TrimStart('$', '.'),
                    bad.StatusCode == StatusCodes.Status400BadRequest ? ScimErrorType.InvalidSyntax : null).ToResult();
            }

            await result.ExecuteAsync(context);
        });
        return app;
    }
}
