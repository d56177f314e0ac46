using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microservices.Scim.Errors;

namespace Microservices.Scim.Json;

/// <summary>JSON settings and parsing shared by everything that reads or writes SCIM bodies.</summary>
public static class ScimJson
{
    /// <summary>
    /// Deepest nesting a SCIM body may have. The deepest legitimate shape is a PATCH value holding an
    /// extension object holding a complex attribute (about 6 levels); anything far deeper is hostile.
    /// </summary>
    public const int MaxDepth = 32;

    /// <summary>Options for SCIM output: web defaults (camelCase) and no <c>null</c> members (RFC 7643 §2.5).</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = CreateSerializerOptions();

    public static JsonDocumentOptions DocumentOptions { get; } = new()
    {
        MaxDepth = MaxDepth,
        AllowDuplicateProperties = false,
    };

    /// <summary>
    /// Parses a request body that must be a JSON object. Malformed JSON, duplicate member names, nesting deeper
    /// than <see cref="MaxDepth"/> and non-object bodies all give <c>400 invalidSyntax</c>.
    /// </summary>
    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return AsObject(JsonNode.Parse(utf8Json, nodeOptions: null, DocumentOptions));
        }
        catch (JsonException e)
        {
            throw NotJson(e);
        }
    }

    public static JsonObject ParseObject(string json)
    {
        try
        {
            return AsObject(JsonNode.Parse(json, nodeOptions: null, DocumentOptions));
        }
        catch (JsonException e)
        {
            throw NotJson(e);
        }
    }

    public static async Task<JsonObject> ParseObjectAsync(Stream utf8Json, CancellationToken cancellationToken)
    {
        try
        {
            return AsObject(await JsonNode.ParseAsync(utf8Json, nodeOptions: null, DocumentOptions, cancellationToken));
        }
        catch (JsonException e)
        {
            throw NotJson(e);
        }
    }

    /// <summary>
    /// The members of <paramref name="obj"/>. A <see cref="JsonObject"/> built by <see cref="JsonNode.Parse(string, JsonNodeOptions?, JsonDocumentOptions)"/>
    /// fills its dictionary lazily and throws <see cref="ArgumentException"/> on a duplicate name at that point;
    /// this turns that into <c>400 invalidSyntax</c> so callers never see a bare exception.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, JsonNode?>> Properties(JsonObject obj)
    {
        try
        {
            return [.. obj];
        }
        catch (ArgumentException)
        {
            throw ScimException.InvalidSyntax("A JSON object in the request has the same member name twice.");
        }
    }

    private static JsonObject AsObject(JsonNode? node) =>
        node as JsonObject ?? throw ScimException.InvalidSyntax("The request body must be a JSON object.");

    // The reader's message names the line and position, never the content, so it is safe to return.
    private static ScimException NotJson(JsonException e) =>
        ScimException.InvalidSyntax($"The request body is not valid JSON: {e.Message}");

    private static JsonSerializerOptions CreateSerializerOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
