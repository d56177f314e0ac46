using System.Text.Json;
using System.Text.Json.Serialization;
using Microservices.Users.Api.Domain;

namespace Microservices.Users.Api.Endpoints;

/// <summary>
/// Reads request bodies by hand rather than through parameter binding, so malformed JSON, a wrong JSON type or an
/// oversized body becomes a problem document naming the JSON path, never an empty 400 or a 500.
/// </summary>
internal static class RequestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, "unsupported media type", "Content-Type", null, "the body must be application/json");
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken)
                ?? throw ProblemException.InvalidSyntax("$", "a JSON object body is required");
        }
        catch (JsonException exception)
        {
            throw ProblemException.InvalidSyntax(exception.Path ?? "$", "the body is not valid JSON for this request: " + FirstLine(exception.Message));
        }
        catch (BadHttpRequestException exception)
        {
            // Kestrel's own refusals (body too large, client too slow) keep their status.
            throw new ProblemException(exception.StatusCode, "bad request body", null, null, exception.Message);
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOf(". Path:", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }
}
