using System.Globalization;
using System.Text.Json.Serialization;

namespace Microservices.Scim.Errors;

/// <summary>The SCIM error body. RFC 7644 §3.12 makes <c>status</c> a JSON string, not a number.</summary>
public sealed record ScimError(
    [property: JsonIgnore] int StatusCode,
    [property: JsonPropertyName("scimType"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ScimType,
    [property: JsonPropertyName("detail")] string Detail)
{
    [JsonPropertyName("schemas")]
    public IReadOnlyList<string> Schemas { get; } = [ScimConstants.ErrorSchema];

    [JsonPropertyName("status")]
    public string Status => StatusCode.ToString(CultureInfo.InvariantCulture);
}
