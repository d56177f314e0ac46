using Microservices.Scim.Discovery;
using Microservices.Scim.Errors;
using Microservices.Scim.Json;
using Microservices.Scim.Lists;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Protocol.Tests.Lists;

public sealed class ListQueryTests
{
    private static readonly ScimServiceLimits _limits = ScimServiceLimits.Default;

    [Fact]
    public void FromQueryString_OktaExistenceCheck_ParsesEveryParameter()
    {
        var query = FromQuery(
            ("filter", "userName eq \"test.user@okta.local\""),
            ("startIndex", "1"),
            ("count", "100"));

        Assert.Equal("userName eq \"test.user@okta.local\"", query.Filter);
        Assert.Equal(new PageRequest(1, 100), query.Page);
        Assert.Null(query.Sort.SortBy);
        Assert.False(query.Selection.HasAttributes);
    }

    [Fact]
    public void FromQueryString_EntraGroupRead_DoesNotRequestMembers()
    {
        var query = ListQuery.FromQueryString(
            ScimSchemas.GroupResourceType,
            [new("excludedAttributes", "members"), new("filter", "displayName eq \"Managers\"")],
            _limits);

        Assert.False(query.Selection.IsRequested("members"));
        Assert.True(query.Selection.IsRequested("displayName"));
    }

    [Fact]
    public void FromQueryString_NamesAreCaseInsensitiveAndRepeatsAreJoined()
    {
        var query = FromQuery(
            ("ATTRIBUTES", "userName"),
            ("attributes", "name.givenName"),
            ("SortBy", "userName"),
            ("sortorder", "Descending"),
            ("STARTINDEX", "0"),
            ("Count", "5000"));

        Assert.Equal([$"{ScimConstants.UserSchema}:userName", $"{ScimConstants.UserSchema}:name.givenName"], query.Selection.Attributes);
        Assert.Equal("userName", query.Sort.SortBy!.ShortPath);
        Assert.Equal(SortOrder.Descending, query.Sort.Order);
        Assert.Equal(new PageRequest(1, 1_000), query.Page);
    }

    [Fact]
    public void FromQueryString_RepeatedCount_IsInvalidValue()
    {
        var exception = Assert.Throws<ScimException>(() => FromQuery(("count", "10"), ("count", "20")));

        Assert.Equal(ScimErrorType.InvalidValue, exception.ScimType);
    }

    [Fact]
    public void FromQueryString_NothingGiven_IsTheDefaultPage()
    {
        var query = FromQuery();

        Assert.Null(query.Filter);
        Assert.Equal(new PageRequest(1, _limits.DefaultPageSize), query.Page);
        Assert.Equal(SortRequest.None, query.Sort);
    }

    [Fact]
    public void FromQueryString_FilterLongerThanTheLimit_IsInvalidFilter()
    {
        var filter = "userName eq \"" + new string('a', _limits.MaxFilterLength) + "\"";

        var exception = Assert.Throws<ScimException>(() => FromQuery(("filter", filter)));

        Assert.Equal(ScimErrorType.InvalidFilter, exception.ScimType);
    }

    [Fact]
    public void FromQueryString_FilterAtTheLimit_IsKept()
    {
        var filter = new string('a', _limits.MaxFilterLength);

        Assert.Equal(filter, FromQuery(("filter", filter)).Filter);
    }

    [Fact]
    public void FromSearchRequest_FullBody_GivesTheSameQueryAsTheQueryString()
    {
        var body = ScimJson.ParseObject($$"""
            {
              "schemas": ["{{ScimConstants.SearchRequestSchema}}"],
              "attributes": ["displayName", "userName"],
              "excludedAttributes": ["emails"],
              "filter": "displayName sw \"smith\"",
              "sortBy": "userName",
              "sortOrder": "descending",
              "startIndex": 11,
              "count": 10
            }
            """);

        var fromBody = ListQuery.FromSearchRequest(ScimSchemas.UserResourceType, body, _limits);
        var fromQuery = FromQuery(
            ("attributes", "displayName,userName"),
            ("excludedAttributes", "emails"),
            ("filter", "displayName sw \"smith\""),
            ("sortBy", "userName"),
            ("sortOrder", "descending"),
            ("startIndex", "11"),
            ("count", "10"));

        Assert.Equal(fromQuery.Filter, fromBody.Filter);
        Assert.Equal(fromQuery.Page, fromBody.Page);
        Assert.Equal(fromQuery.Sort, fromBody.Sort);
        Assert.Equal(fromQuery.Selection.Attributes, fromBody.Selection.Attributes);
        Assert.Equal(new PageRequest(11, 10), fromBody.Page);
    }

    [Fact]
    public void FromSearchRequest_EmptyBody_IsTheDefaultPage()
    {
        var query = ListQuery.FromSearchRequest(ScimSchemas.UserResourceType, [], _limits);

        Assert.Equal(new PageRequest(1, _limits.DefaultPageSize), query.Page);
        Assert.Null(query.Filter);
    }

    [Fact]
    public void FromSearchRequest_CommaSeparatedAttributes_AreAccepted()
    {
        var body = ScimJson.ParseObject("""{"Attributes":"userName, name.givenName","COUNT":5}""");

        var query = ListQuery.FromSearchRequest(ScimSchemas.UserResourceType, body, _limits);

        Assert.Equal(2, query.Selection.Attributes!.Count);
        Assert.Equal(5, query.Page.Count);
    }

    [Theory]
    [InlineData("""{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}""", ScimErrorType.InvalidSyntax)]
    [InlineData("""{"startIndex":"1"}""", ScimErrorType.InvalidValue)]
    [InlineData("""{"count":2.5}""", ScimErrorType.InvalidValue)]
    [InlineData("""{"count":true}""", ScimErrorType.InvalidValue)]
    [InlineData("""{"filter":42}""", ScimErrorType.InvalidValue)]
    [InlineData("""{"attributes":[1,2]}""", ScimErrorType.InvalidValue)]
    [InlineData("""{"attributes":{"a":1}}""", ScimErrorType.InvalidValue)]
    [InlineData("""{"sortOrder":"up"}""", ScimErrorType.InvalidValue)]
    [InlineData("""{"count":1,"COUNT":2}""", ScimErrorType.InvalidSyntax)]
    public void FromSearchRequest_BadMembers_AreRejected(string json, string scimType)
    {
        var exception = Assert.Throws<ScimException>(() =>
            ListQuery.FromSearchRequest(ScimSchemas.UserResourceType, ScimJson.ParseObject(json), _limits));

        Assert.Equal(400, exception.Status);
        Assert.Equal(scimType, exception.ScimType);
    }

    [Theory]
    [InlineData("1e30", 1_000)]
    [InlineData("-1e30", 0)]
    [InlineData("100.0", 100)]
    public void FromSearchRequest_WholeNumbersBeyondRange_AreClamped(string count, int expected)
    {
        var body = ScimJson.ParseObject($$"""{"count":{{count}} }""");

        Assert.Equal(expected, ListQuery.FromSearchRequest(ScimSchemas.UserResourceType, body, _limits).Page.Count);
    }

    private static ListQuery FromQuery(params (string Name, string? Value)[] parameters) =>
        ListQuery.FromQueryString(
            ScimSchemas.UserResourceType,
            parameters.Select(p => KeyValuePair.Create(p.Name, p.Value)),
            _limits);
}
