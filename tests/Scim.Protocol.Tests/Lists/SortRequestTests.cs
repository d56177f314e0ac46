using Microservices.Scim.Errors;
using Microservices.Scim.Lists;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Protocol.Tests.Lists;

public sealed class SortRequestTests
{
    [Theory]
    [InlineData(null, SortOrder.Ascending)]
    [InlineData("", SortOrder.Ascending)]
    [InlineData("ascending", SortOrder.Ascending)]
    [InlineData("DESCENDING", SortOrder.Descending)]
    [InlineData(" Descending ", SortOrder.Descending)]
    public void ParseOrder_KnownValues_AreCaseInsensitive(string? text, SortOrder expected)
    {
        Assert.Equal(expected, SortRequest.ParseOrder(text));
    }

    [Theory]
    [InlineData("asc")]
    [InlineData("desc")]
    [InlineData("up")]
    [InlineData("1")]
    public void ParseOrder_OtherValues_AreInvalidValue(string text)
    {
        var exception = Assert.Throws<ScimException>(() => SortRequest.ParseOrder(text));

        Assert.Equal(ScimErrorType.InvalidValue, exception.ScimType);
        Assert.Contains("sortOrder", exception.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("userName", "userName")]
    [InlineData("USERNAME", "userName")]
    [InlineData("name.familyName", "name.familyName")]
    [InlineData("meta.lastModified", "meta.lastModified")]
    [InlineData("emails", "emails.value")]
    [InlineData("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "department")]
    public void Parse_KnownSortBy_ResolvesToCanonicalAttribute(string sortBy, string expected)
    {
        var sort = SortRequest.Parse(ScimSchemas.UserResourceType, sortBy, "descending");

        Assert.Equal(expected, sort.SortBy!.ShortPath);
        Assert.Equal(SortOrder.Descending, sort.Order);
    }

    [Fact]
    public void Parse_UnknownSortBy_IsIgnored()
    {
        var sort = SortRequest.Parse(ScimSchemas.UserResourceType, "shoeSize", null);

        Assert.Null(sort.SortBy);
        Assert.Equal(SortOrder.Ascending, sort.Order);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("meta")]
    public void Parse_ComplexWithoutValue_IsInvalidValue(string sortBy)
    {
        var exception = Assert.Throws<ScimException>(() => SortRequest.Parse(ScimSchemas.UserResourceType, sortBy, null));

        Assert.Equal(ScimErrorType.InvalidValue, exception.ScimType);
    }

    [Fact]
    public void Parse_BadOrderWithoutSortBy_IsStillInvalidValue()
    {
        Assert.Throws<ScimException>(() => SortRequest.Parse(ScimSchemas.UserResourceType, null, "sideways"));
    }
}
