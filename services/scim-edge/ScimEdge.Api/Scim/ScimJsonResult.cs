using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim;

namespace Microservices.ScimEdge.Api.Scim;

/// <summary>A SCIM resource or list as <c>application/scim+json</c>, with an optional <c>Location</c>.</summary>
public sealed class ScimJsonResult(JsonNode body, int status = StatusCodes.Status200OK, string? location = null) : IResult
{
    private static readonly JsonSerializerOptions _options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = ScimConstants.MediaType;
        if (location is not null)
        {
            response.Headers.Location = location;
        }

        await JsonSerializer.SerializeAsync(response.Body, body, _options, httpContext.RequestAborted);
    }
}
