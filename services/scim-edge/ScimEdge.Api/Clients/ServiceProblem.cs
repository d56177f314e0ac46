using System.Net;
using System.Text.Json;
using Microservices.Scim.Errors;

namespace Microservices.ScimEdge.Api.Clients;

/// <summary>
/// Turns a domain service's RFC 7807 answer into the SCIM error the edge returns: the status and <c>scimType</c>
/// come from the service (architecture: "a SCIM-relevant failure carries scimType as an extension member"), the
/// detail too, so the IdP sees which value was at fault.
/// </summary>
public static class ServiceProblem
{
    private const int MaxDetailLength = 1024;

    public static async Task<ScimException> ToScimExceptionAsync(HttpResponseMessage response, string service, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string? scimType = null;
        string? detail = null;
        try
        {
            await response.Content.LoadIntoBufferAsync(64 * 1024, cancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                scimType = Text(document.RootElement, "scimType");
                detail = Text(document.RootElement, "detail") ?? Text(document.RootElement, "title");
            }
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or InvalidOperationException)
        {
            // A body that is not a problem document still has a status worth passing on.
        }

        if (status is < 400 or > 499)
        {
            // A 5xx from a service is its failure, not the caller's; the edge reports it as unavailable (never a 500).
            throw new ServiceUnavailableException(service, $"it answered {status}");
        }

        if (detail is { Length: > MaxDetailLength })
        {
            detail = detail[..MaxDetailLength];
        }

        return new ScimException(status, scimType, detail ?? $"{service} refused the request ({status}).");
    }

    public static bool IsNotFound(HttpResponseMessage response) => response.StatusCode == HttpStatusCode.NotFound;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
