using System.Text.Json.Nodes;
using Microservices.Scim.Errors;
using Microservices.Scim.Json;

namespace Microservices.ScimEdge.Api.Scim;

/// <summary>Reads a SCIM request body within <c>MaxPayloadBytes</c> (413 beyond it) and parses it with <see cref="ScimJson"/>.</summary>
public static class ScimBody
{
    public static async Task<JsonObject> ReadAsync(HttpRequest request, ScimSettings settings, CancellationToken cancellationToken)
    {
        var max = settings.Limits.MaxPayloadBytes;
        if (request.ContentLength > max)
        {
            throw TooLarge(max);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                throw TooLarge(max);
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw ScimException.InvalidSyntax("The request body is empty; a JSON object is required.");
        }

        return ScimJson.ParseObject(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private static ScimException TooLarge(int max) =>
        ScimException.TooLarge(Limit(max));

    /// <summary>The 413 detail, naming the limit as configured and as advertised.</summary>
    public static string Limit(int max) =>
        $"The request body is larger than the {max} bytes this service accepts (MaxPayloadBytes, advertised as ServiceProviderConfig bulk.maxPayloadSize).";
}
