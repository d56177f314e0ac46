using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim.Json;
using Microservices.Scim.Lists;

namespace Microservices.Scim.Protocol.Tests.Lists;

public sealed class ListResponseTests
{
    [Fact]
    public void Serialize_WritesIntegersAndCapitalResources()
    {
        var resources = new List<JsonObject> { new() { ["id"] = "a" }, new() { ["id"] = "b" } };
        var response = ListResponse.Create(resources, totalResults: 12, new PageRequest(3, 2));

        using var document = JsonDocument.Parse(JsonSerializer.Serialize(response, ScimJson.SerializerOptions));
        var root = document.RootElement;

        Assert.Equal(
            ["schemas", "totalResults", "startIndex", "itemsPerPage", "Resources"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(ScimConstants.ListResponseSchema, root.GetProperty("schemas")[0].GetString());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("totalResults").ValueKind);
        Assert.Equal(12, root.GetProperty("totalResults").GetInt32());
        Assert.Equal(3, root.GetProperty("startIndex").GetInt32());
        Assert.Equal(2, root.GetProperty("itemsPerPage").GetInt32());
        Assert.Equal("b", root.GetProperty("Resources")[1].GetProperty("id").GetString());
    }

    [Fact]
    public void Serialize_EmptyPage_KeepsEmptyResources()
    {
        // Entra's Test Connection filters on a random id and expects 200 with an empty list.
        var json = ListResponse.Create(Array.Empty<JsonObject>(), 0, new PageRequest(1, 100)).ToJson();

        Assert.Equal(0, (int)json["totalResults"]!);
        Assert.Equal(0, (int)json["itemsPerPage"]!);
        Assert.Empty(json["Resources"]!.AsArray());
    }

    [Fact]
    public void Serialize_WithDefaultOptions_KeepsTheRfcNames()
    {
        var json = JsonSerializer.Serialize(ListResponse.All(new[] { "x" }));

        Assert.Contains("\"Resources\":[\"x\"]", json, StringComparison.Ordinal);
        Assert.Contains("\"itemsPerPage\":1", json, StringComparison.Ordinal);
    }
}
