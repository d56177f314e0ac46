using System.Text.Json;
using Microservices.Scim;
using Microservices.Scim.Errors;
using Microservices.ScimEdge.Api.Audit;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Microservices.ScimEdge.Api.Scim;

/// <summary>Writes SCIM error bodies (RFC 7644 §3.12) as <c>application/scim+json</c>.</summary>
public static class ScimResults
{
    /// <summary>An endpoint result carrying a SCIM error; endpoints may equally throw <see cref="ScimException"/>.</summary>
    public static IResult Error(ScimError error) => new ScimErrorResult(error);

    public static IResult Error(int status, string? scimType, string detail) => Error(new ScimError(status, scimType, detail));

    /// <summary>Writes <paramref name="error"/> as the whole response (status, content type, body).</summary>
    public static Task WriteErrorAsync(HttpContext context, ScimError error)
    {
        // The audit record takes the scimType from here instead of reading the body back.
        context.Features.Set(new ScimErrorFeature(error.StatusCode, error.ScimType));
        var response = context.Response;
        response.StatusCode = error.StatusCode;
        response.ContentType = ScimConstants.MediaType;
        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        return JsonSerializer.SerializeAsync(response.Body, error, options, context.RequestAborted);
    }

    private sealed class ScimErrorResult(ScimError error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteErrorAsync(httpContext, error);
    }
}
