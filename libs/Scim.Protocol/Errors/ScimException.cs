namespace Microservices.Scim.Errors;

/// <summary>
/// A protocol error that becomes a SCIM error response (RFC 7644 §3.12). Everything in the protocol core
/// that rejects input throws this, never a bare exception, so the edge can always answer with the right status.
/// </summary>
public sealed class ScimException : Exception
{
    public ScimException(int status, string? scimType, string detail)
        : base(detail)
    {
        Status = status;
        ScimType = scimType;
    }

    public int Status { get; }

    public string? ScimType { get; }

    public string Detail => Message;

    public ScimError ToError() => new(Status, ScimType, Detail);

    public static ScimException BadRequest(string scimType, string detail) => new(400, scimType, detail);

    public static ScimException InvalidFilter(string detail) => new(400, ScimErrorType.InvalidFilter, detail);

    public static ScimException InvalidValue(string detail) => new(400, ScimErrorType.InvalidValue, detail);

    public static ScimException InvalidSyntax(string detail) => new(400, ScimErrorType.InvalidSyntax, detail);

    public static ScimException InvalidPath(string detail) => new(400, ScimErrorType.InvalidPath, detail);

    public static ScimException NoTarget(string detail) => new(400, ScimErrorType.NoTarget, detail);

    public static ScimException Mutability(string detail) => new(400, ScimErrorType.Mutability, detail);

    public static ScimException Uniqueness(string detail) => new(409, ScimErrorType.Uniqueness, detail);

    public static ScimException NotFound(string detail) => new(404, null, detail);

    public static ScimException PreconditionFailed(string detail) => new(412, null, detail);

    public static ScimException TooLarge(string detail) => new(413, null, detail);
}
