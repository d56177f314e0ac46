using System.Text.Json;
using Microservices.Scim.Errors;

namespace Microservices.Scim.Protocol.Tests.Errors;

public sealed class ScimErrorTests
{
    [Fact]
    public void Serialize_StatusIsAStringAndScimTypeIsPresent()
    {
        var json = JsonSerializer.Serialize(ScimException.Uniqueness("userName is taken").ToError());

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(JsonValueKind.String, root.GetProperty("status").ValueKind);
        Assert.Equal("409", root.GetProperty("status").GetString());
        Assert.Equal("uniqueness", root.GetProperty("scimType").GetString());
        Assert.Equal("userName is taken", root.GetProperty("detail").GetString());
        Assert.Equal(ScimConstants.ErrorSchema, root.GetProperty("schemas")[0].GetString());
    }

    [Fact]
    public void Serialize_WithoutScimType_OmitsIt()
    {
        var json = JsonSerializer.Serialize(ScimException.NotFound("no such user").ToError());

        using var document = JsonDocument.Parse(json);
        Assert.False(document.RootElement.TryGetProperty("scimType", out _));
        Assert.Equal("404", document.RootElement.GetProperty("status").GetString());
    }
}
