using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim.Json;

namespace Microservices.Scim.Protocol.Tests.Schemas;

public sealed class ScimJsonTests
{
    private sealed record Sample(string? DisplayName, int Count);

    [Fact]
    public void SerializerOptions_WriteCamelCaseAndNoNulls()
    {
        var json = JsonSerializer.Serialize(new Sample(null, 3), ScimJson.SerializerOptions);

        Assert.Equal("""{"count":3}""", json);
    }

    [Fact]
    public void SerializerOptions_AreReadOnly()
    {
        Assert.True(ScimJson.SerializerOptions.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => ScimJson.SerializerOptions.WriteIndented = true);
    }

    [Fact]
    public void TryGetPropertyIgnoreCase_PrefersExactMatchThenAnyCase()
    {
        var obj = ScimJson.ParseObject("""{"UserName":"first","userName":"exact","Other":null}""");

        Assert.True(obj.TryGetPropertyIgnoreCase("userName", out var exactName, out var exact));
        Assert.Equal(("userName", "exact"), (exactName, (string?)exact));
        Assert.True(obj.TryGetPropertyIgnoreCase("USERNAME", out var anyName, out var any));
        Assert.Equal(("UserName", "first"), (anyName, (string?)any));
        Assert.True(obj.TryGetPropertyIgnoreCase("other", out _, out var nullValue));
        Assert.Null(nullValue);
        Assert.False(obj.TryGetPropertyIgnoreCase("missing", out _, out _));
    }

    [Fact]
    public void GetStringIgnoreCase_ReturnsOnlyStrings()
    {
        var obj = ScimJson.ParseObject("""{"Name":"n","Count":3}""");

        Assert.Equal("n", obj.GetStringIgnoreCase("name"));
        Assert.Null(obj.GetStringIgnoreCase("count"));
        Assert.Null(obj.GetStringIgnoreCase("absent"));
    }

    [Fact]
    public void CloneObject_IsIndependentOfTheOriginal()
    {
        var original = ScimJson.ParseObject("""{"name":{"givenName":"A"}}""");

        var clone = original.CloneObject();
        clone["name"]!["givenName"] = "B";

        Assert.Equal("A", (string?)original["name"]!["givenName"]);
    }

    [Fact]
    public async Task ParseObjectAsync_ReadsAStreamAndRejectsDuplicates()
    {
        using var good = new MemoryStream("""{"a":1}"""u8.ToArray());
        using var duplicate = new MemoryStream("""{"a":1,"a":2}"""u8.ToArray());

        Assert.Equal(1, (int)(await ScimJson.ParseObjectAsync(good, CancellationToken.None))["a"]!);
        await Assert.ThrowsAsync<Microservices.Scim.Errors.ScimException>(() => ScimJson.ParseObjectAsync(duplicate, CancellationToken.None));
    }

    [Fact]
    public void Properties_OfALazilyParsedObjectWithDuplicates_IsInvalidSyntax()
    {
        var obj = JsonNode.Parse("""{"a":1,"a":2}""")!.AsObject();

        var exception = Assert.Throws<Microservices.Scim.Errors.ScimException>(() => ScimJson.Properties(obj));

        Assert.Equal("invalidSyntax", exception.ScimType);
    }
}
