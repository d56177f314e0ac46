using System.Text.Json.Nodes;
using Microservices.Scim.Discovery;
using Microservices.Scim.Errors;
using Microservices.Scim.Json;
using Microservices.Scim.Schemas;

namespace Microservices.Scim.Lists;

/// <summary>
/// Everything a list or search request asks for, the same whether it came as a GET query string
/// (RFC 7644 §3.4.2) or a POST <c>.search</c> body (§3.4.3). <see cref="Filter"/> is the raw filter text, at most
/// <see cref="ScimServiceLimits.MaxFilterLength"/> characters; parsing it is the filter parser's job.
/// </summary>
public sealed record ListQuery(string? Filter, AttributeSelection Selection, SortRequest Sort, PageRequest Page)
{
    public const string FilterParameter = "filter";
    public const string AttributesParameter = "attributes";
    public const string ExcludedAttributesParameter = "excludedAttributes";
    public const string SortByParameter = "sortBy";
    public const string SortOrderParameter = "sortOrder";
    public const string StartIndexParameter = "startIndex";
    public const string CountParameter = "count";

    /// <summary>
    /// From query-string pairs. Names match case-insensitively; a name given more than once has its values joined
    /// with commas (as ASP.NET's <c>StringValues.ToString()</c> does), which suits the attribute lists and makes a
    /// repeated <c>count</c> an invalid integer. Unknown parameters are ignored.
    /// </summary>
    public static ListQuery FromQueryString(
        ResourceTypeDefinition resourceType,
        IEnumerable<KeyValuePair<string, string?>> parameters,
        ScimServiceLimits limits)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in parameters)
        {
            values[name] = values.TryGetValue(name, out var existing) && existing is not null
                ? value is null ? existing : $"{existing},{value}"
                : value;
        }

        string? Get(string name) => values.GetValueOrDefault(name);

        return new ListQuery(
            CheckFilter(Get(FilterParameter), limits),
            AttributeSelection.Parse(resourceType, Get(AttributesParameter), Get(ExcludedAttributesParameter)),
            SortRequest.Parse(resourceType, Get(SortByParameter), Get(SortOrderParameter)),
            PageRequest.Parse(Get(StartIndexParameter), Get(CountParameter), limits));
    }

    /// <summary>
    /// From a <c>.search</c> body. <c>schemas</c>, when present, must name the SearchRequest schema; a body without
    /// it is accepted. <c>attributes</c> / <c>excludedAttributes</c> are string arrays (a comma-separated string is
    /// accepted too), <c>startIndex</c> / <c>count</c> JSON integers. Member names match case-insensitively.
    /// </summary>
    public static ListQuery FromSearchRequest(ResourceTypeDefinition resourceType, JsonObject body, ScimServiceLimits limits)
    {
        var members = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in ScimJson.Properties(body))
        {
            if (!members.TryAdd(name, value))
            {
                throw ScimException.InvalidSyntax($"The member '{name}' appears more than once.");
            }
        }

        if (members.GetValueOrDefault("schemas") is { } schemas && !ListsSearchRequestSchema(schemas))
        {
            throw ScimException.InvalidSyntax($"'schemas' must contain '{ScimConstants.SearchRequestSchema}'.");
        }

        var attributes = ReadStringList(AttributesParameter, members.GetValueOrDefault(AttributesParameter));
        var excluded = ReadStringList(ExcludedAttributesParameter, members.GetValueOrDefault(ExcludedAttributesParameter));
        return new ListQuery(
            CheckFilter(ReadString(FilterParameter, members.GetValueOrDefault(FilterParameter)), limits),
            AttributeSelection.Create(resourceType, attributes, excluded),
            SortRequest.Parse(
                resourceType,
                ReadString(SortByParameter, members.GetValueOrDefault(SortByParameter)),
                ReadString(SortOrderParameter, members.GetValueOrDefault(SortOrderParameter))),
            PageRequest.Normalize(
                PageRequest.ReadInteger(StartIndexParameter, members.GetValueOrDefault(StartIndexParameter)),
                PageRequest.ReadInteger(CountParameter, members.GetValueOrDefault(CountParameter)),
                limits));
    }

    private static string? CheckFilter(string? filter, ScimServiceLimits limits)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return null;
        }

        return filter.Length <= limits.MaxFilterLength
            ? filter
            : throw ScimException.InvalidFilter($"The filter is longer than the {limits.MaxFilterLength} characters this service accepts (MaxFilterLength).");
    }

    private static bool ListsSearchRequestSchema(JsonNode schemas) => schemas switch
    {
        JsonValue single => IsSearchRequestUrn(single),
        JsonArray array => array.Any(item => item is JsonValue value && IsSearchRequestUrn(value)),
        _ => false,
    };

    private static bool IsSearchRequestUrn(JsonValue value) =>
        value.TryGetValue<string>(out var urn)
        && string.Equals(urn, ScimConstants.SearchRequestSchema, StringComparison.OrdinalIgnoreCase);

    private static string? ReadString(string name, JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => throw ScimException.InvalidValue($"'{name}' must be a string."),
    };

    private static List<string>? ReadStringList(string name, JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonValue value when value.TryGetValue<string>(out var text):
                return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            case JsonArray array:
                var result = new List<string>(array.Count);
                foreach (var item in array)
                {
                    result.Add(item is JsonValue entry && entry.TryGetValue<string>(out var path)
                        ? path
                        : throw ScimException.InvalidValue($"'{name}' must be an array of strings."));
                }

                return result;
            default:
                throw ScimException.InvalidValue($"'{name}' must be an array of strings.");
        }
    }
}
