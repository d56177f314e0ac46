using FsCheck;
using FsCheck.Xunit;
using Microservices.Scim.Discovery;
using Microservices.Scim.Errors;
using Microservices.Scim.Lists;

namespace Microservices.Scim.Protocol.Tests.Lists;

public sealed class PageRequestTests
{
    private static readonly ScimServiceLimits _limits = ScimServiceLimits.Default;

    [Theory]
    [InlineData(null, null, 1, 100)]
    [InlineData(1L, 100L, 1, 100)]
    [InlineData(0L, 10L, 1, 10)]
    [InlineData(-5L, 10L, 1, 10)]
    [InlineData(long.MinValue, 10L, 1, 10)]
    [InlineData(3L, 0L, 3, 0)]
    [InlineData(3L, -1L, 3, 0)]
    [InlineData(3L, long.MinValue, 3, 0)]
    [InlineData(1L, 1_000L, 1, 1_000)]
    [InlineData(1L, 1_001L, 1, 1_000)]
    [InlineData(1L, long.MaxValue, 1, 1_000)]
    [InlineData(long.MaxValue, 5L, int.MaxValue, 5)]
    public void Normalize_OutOfRangeValues_AreInterpretedPerRfc7644(long? startIndex, long? count, int expectedStart, int expectedCount)
    {
        var page = PageRequest.Normalize(startIndex, count, _limits);

        Assert.Equal(new PageRequest(expectedStart, expectedCount), page);
    }

    [Fact]
    public void Normalize_UsesTheConfiguredDefaultAndMaximum()
    {
        var limits = new ScimServiceLimits(1024, 100, MaxPageSize: 50, 10, 10, DefaultPageSize: 20);

        Assert.Equal(20, PageRequest.Normalize(null, null, limits).Count);
        Assert.Equal(50, PageRequest.Normalize(null, 51, limits).Count);
    }

    [Theory]
    [InlineData("1", "100", 1, 100)]
    [InlineData(" 7 ", "+5", 7, 5)]
    [InlineData("", "", 1, 100)]
    [InlineData("  ", null, 1, 100)]
    [InlineData("0", "-3", 1, 0)]
    [InlineData("99999999999999999999999", "99999999999999999999999", int.MaxValue, 1_000)]
    [InlineData("-99999999999999999999999", "-99999999999999999999999", 1, 0)]
    public void Parse_IntegerText_IsNormalised(string? startIndex, string? count, int expectedStart, int expectedCount)
    {
        Assert.Equal(new PageRequest(expectedStart, expectedCount), PageRequest.Parse(startIndex, count, _limits));
    }

    [Theory]
    [InlineData("1.5", null, "startIndex")]
    [InlineData("abc", null, "startIndex")]
    [InlineData("1e3", null, "startIndex")]
    [InlineData("-", null, "startIndex")]
    [InlineData(null, "ten", "count")]
    [InlineData(null, "10,20", "count")]
    [InlineData(null, "0x10", "count")]
    [InlineData(null, "١٢", "count")]
    public void Parse_NonInteger_IsInvalidValueNamingTheParameter(string? startIndex, string? count, string name)
    {
        var exception = Assert.Throws<ScimException>(() => PageRequest.Parse(startIndex, count, _limits));

        Assert.Equal(400, exception.Status);
        Assert.Equal(ScimErrorType.InvalidValue, exception.ScimType);
        Assert.Contains($"'{name}'", exception.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Offset_IsStartIndexMinusOne()
    {
        Assert.Equal(0, new PageRequest(1, 10).Offset);
        Assert.Equal(int.MaxValue - 1L, new PageRequest(int.MaxValue, 10).Offset);
    }

    [Fact]
    public void Constructor_RejectsAnUnnormalisedPage()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PageRequest(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PageRequest(1, -1));
    }

    [Property(MaxTest = 1_000)]
    public void Normalize_AnyIntegers_GiveAValidPage(long? startIndex, long? count, PositiveInt maxPageSize)
    {
        var limits = new ScimServiceLimits(1024, 100, maxPageSize.Get, 10, 10, Math.Min(100, maxPageSize.Get));

        var page = PageRequest.Normalize(startIndex, count, limits);

        Assert.True(page.StartIndex >= 1);
        Assert.InRange(page.Count, 0, maxPageSize.Get);
        if (startIndex is >= 1 and <= int.MaxValue)
        {
            Assert.Equal(startIndex.Value, page.StartIndex);
        }

        if (count is >= 0 && count <= maxPageSize.Get)
        {
            Assert.Equal(count.Value, page.Count);
        }
    }

    [Property(MaxTest = 1_000)]
    public void Parse_AnyText_GivesAValidPageOrInvalidValue(string? startIndex, string? count)
    {
        try
        {
            var page = PageRequest.Parse(startIndex, count, _limits);
            Assert.True(page.StartIndex >= 1);
            Assert.InRange(page.Count, 0, _limits.MaxPageSize);
        }
        catch (ScimException e)
        {
            Assert.Equal(ScimErrorType.InvalidValue, e.ScimType);
        }
    }

    [Property(MaxTest = 500)]
    public void Parse_AnyIntegerText_AgreesWithNormalize(long startIndex, long count)
    {
        var parsed = PageRequest.Parse(
            startIndex.ToString(System.Globalization.CultureInfo.InvariantCulture),
            count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _limits);

        Assert.Equal(PageRequest.Normalize(startIndex, count, _limits), parsed);
    }
}
