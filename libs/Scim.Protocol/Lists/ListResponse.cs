using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microservices.Scim.Json;

namespace Microservices.Scim.Lists;

/// <summary>
/// A page of results (RFC 7644 §3.4.2). <c>totalResults</c>, <c>startIndex</c> and <c>itemsPerPage</c> are JSON
/// integers (Okta rejects strings) and <c>Resources</c> keeps the RFC's capital R. <c>Resources</c> is written
/// even when empty: Entra's Test Connection expects an empty list, not a missing member.
/// </summary>
public sealed record ListResponse<T>(
    [property: JsonPropertyName("Resources"), JsonPropertyOrder(4)] IReadOnlyList<T> Resources,
    [property: JsonPropertyName("totalResults"), JsonPropertyOrder(1)] int TotalResults,
    [property: JsonPropertyName("startIndex"), JsonPropertyOrder(2)] int StartIndex)
{
    [JsonPropertyName("schemas")]
    [JsonPropertyOrder(0)]
    public IReadOnlyList<string> Schemas { get; } = [ScimConstants.ListResponseSchema];

    [JsonPropertyName("itemsPerPage")]
    [JsonPropertyOrder(3)]
    public int ItemsPerPage => Resources.Count;

    /// <summary>
    /// The list as a JSON object. Resources that are JSON objects already (what the endpoints build) are placed in it
    /// as they are, not serialised and parsed again: a page of 100 users is 100+ KB, and the round trip cost two
    /// large-object-heap buffers per page. A resource that belongs to another tree is copied.
    /// </summary>
    public JsonObject ToJson()
    {
        var resources = new JsonArray();
        foreach (var resource in Resources)
        {
            resources.Add(resource switch
            {
                null => null,
                JsonNode node => node.Parent is null ? node : node.DeepClone(),
                _ => JsonSerializer.SerializeToNode(resource, ScimJson.SerializerOptions),
            });
        }

        return new JsonObject
        {
            ["schemas"] = new JsonArray([.. Schemas.Select(s => JsonValue.Create(s))]),
            ["totalResults"] = TotalResults,
            ["startIndex"] = StartIndex,
            ["itemsPerPage"] = ItemsPerPage,
            [nameof(Resources)] = resources,
        };
    }
}

public static class ListResponse
{
    /// <summary>A page of <paramref name="resources"/> out of <paramref name="totalResults"/>, as <paramref name="page"/> asked for.</summary>
    public static ListResponse<T> Create<T>(IReadOnlyList<T> resources, int totalResults, PageRequest page) =>
        new(resources, totalResults, page.StartIndex);

    /// <summary>Everything in one page (discovery lists).</summary>
    public static ListResponse<T> All<T>(IReadOnlyList<T> resources) => new(resources, resources.Count, 1);
}
