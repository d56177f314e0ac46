using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim.Errors;
using Microservices.Scim.Filters;

namespace Microservices.Scim.Patch;

public enum PatchOperationType
{
    Add,
    Remove,
    Replace,
}

/// <summary>
/// One PATCH operation. <see cref="Value"/> is the request's JSON value (null for JSON null or, on remove, absent);
/// it is never modified, and copied when applied.
/// </summary>
public sealed record PatchOperation(PatchOperationType Type, PatchPath? Path, JsonNode? Value);

/// <summary>Limits on a PATCH request.</summary>
/// <param name="MaxOperations">Most operations one request may carry; more is a 400 <c>tooMany</c>.</param>
public sealed record PatchOptions(int MaxOperations = 1000)
{
    public static PatchOptions Default { get; } = new();

    /// <summary>Limits for each <c>path</c> (and path-like key of a path-less value).</summary>
    public FilterParserOptions PathOptions { get; init; } = FilterParserOptions.Default;
}

/// <summary>A parsed SCIM PATCH request body (RFC 7644 §3.5.2).</summary>
public sealed record PatchRequest(IReadOnlyList<PatchOperation> Operations)
{
    /// <summary>Parses a PATCH body. Member names (<c>Operations</c>, <c>op</c>, ...) and <c>op</c> values match case-insensitively.</summary>
    /// <exception cref="ScimException">
    /// <c>invalidSyntax</c> for a malformed body, <c>invalidPath</c> for a bad path, <c>noTarget</c> for remove
    /// without a path, <c>invalidValue</c> for add/replace without a value, <c>tooMany</c> over <see cref="PatchOptions.MaxOperations"/>.
    /// </exception>
    public static PatchRequest Parse(JsonNode? body, PatchOptions? options = null)
    {
        options ??= PatchOptions.Default;
        if (body is not JsonObject root)
        {
            throw ScimException.InvalidSyntax("a PATCH body must be a JSON object");
        }

        EnsureReadable(root);
        if (!ScimJson.TryGetProperty(root, "schemas", out _, out var schemas) || !ContainsPatchSchema(schemas))
        {
            throw ScimException.InvalidSyntax($"a PATCH body's 'schemas' must contain \"{ScimConstants.PatchOpSchema}\"");
        }

        if (!ScimJson.TryGetProperty(root, "Operations", out _, out var operationsNode) || operationsNode is not JsonArray operations)
        {
            throw ScimException.InvalidSyntax("a PATCH body needs an 'Operations' array");
        }

        if (operations.Count == 0)
        {
            throw ScimException.InvalidSyntax("'Operations' must not be empty");
        }

        // RFC 7644 has no scimType for "too many operations": tooMany (§3.12, "more than the server is willing to
        // process") is the closest, and what this service has always answered, so IdP-side handling stays stable.
        // The bulk analogue (§3.7.4, 413) is not used: that status is the body-size limit's, which fires first.
        // Too many members in one operation is invalidValue instead: that one operation's value is refused.
        if (operations.Count > options.MaxOperations)
        {
            throw ScimException.BadRequest(
                ScimErrorType.TooMany,
                string.Create(CultureInfo.InvariantCulture, $"the PATCH carries {operations.Count} operations, over the limit of {options.MaxOperations} (MaxOperations)"));
        }

        var parsed = new PatchOperation[operations.Count];
        for (var i = 0; i < operations.Count; i++)
        {
            parsed[i] = ParseOperation(operations[i], i, options);
        }

        return new PatchRequest(parsed);
    }

    /// <inheritdoc cref="Parse(JsonNode?, PatchOptions?)"/>
    public static PatchRequest Parse(JsonElement body, PatchOptions? options = null)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ScimException.InvalidSyntax("a PATCH body must be a JSON object");
        }

        return Parse(JsonObject.Create(body), options);
    }

    /// <summary>Parses a PATCH body from JSON text; malformed JSON is <c>invalidSyntax</c>.</summary>
    public static PatchRequest Parse(string json, PatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw ScimException.InvalidSyntax("the PATCH body is not valid JSON: " + e.Message);
        }

        return Parse(node, options);
    }

    private static PatchOperation ParseOperation(JsonNode? node, int index, PatchOptions options)
    {
        var at = string.Create(CultureInfo.InvariantCulture, $"Operations[{index}]");
        if (node is not JsonObject operation)
        {
            throw ScimException.InvalidSyntax($"{at} must be an object");
        }

        if (!ScimJson.TryGetProperty(operation, "op", out _, out var opNode) || opNode is null)
        {
            throw ScimException.InvalidSyntax($"{at} needs an 'op'");
        }

        if (!ScimJson.TryGetString(opNode, out var opText))
        {
            throw ScimException.InvalidSyntax($"{at}.op must be a string: add, remove or replace");
        }

        // Entra's default dialect capitalises ops ("Add", "Replace", "Remove"), so they match case-insensitively.
        var type = opText.ToUpperInvariant() switch
        {
            "ADD" => PatchOperationType.Add,
            "REMOVE" => PatchOperationType.Remove,
            "REPLACE" => PatchOperationType.Replace,
            _ => throw ScimException.InvalidSyntax($"{at}.op \"{Shorten(opText)}\" is not add, remove or replace"),
        };

        PatchPath? path = null;
        if (ScimJson.TryGetProperty(operation, "path", out _, out var pathNode) && pathNode is not null)
        {
            if (!ScimJson.TryGetString(pathNode, out var pathText))
            {
                throw ScimException.InvalidPath($"{at}.path must be a string");
            }

            if (!string.IsNullOrWhiteSpace(pathText))
            {
                try
                {
                    path = PatchPath.Parse(pathText, options.PathOptions);
                }
                catch (ScimException e)
                {
                    throw new ScimException(e.Status, e.ScimType, $"{at}.path: {e.Detail}");
                }
            }
        }

        var hasValue = ScimJson.TryGetProperty(operation, "value", out _, out var value);
        switch (type)
        {
            case PatchOperationType.Remove when path is null:
                // RFC 7644 §3.5.2.2: remove without a path fails with noTarget.
                throw ScimException.NoTarget($"{at}: remove needs a 'path'");
            case PatchOperationType.Add or PatchOperationType.Replace when !hasValue:
                throw ScimException.InvalidValue($"{at}: {opText.ToLowerInvariant()} needs a 'value'");
            case PatchOperationType.Add or PatchOperationType.Replace when path is null && value is not JsonObject:
                throw ScimException.InvalidValue($"{at}: {opText.ToLowerInvariant()} without a 'path' needs an object of attributes as its 'value'");
        }

        return new PatchOperation(type, path, value);
    }

    private static bool ContainsPatchSchema(JsonNode? schemas)
    {
        if (schemas is not JsonArray array)
        {
            return false;
        }

        foreach (var item in array)
        {
            if (ScimJson.TryGetString(item, out var uri) && string.Equals(uri, ScimConstants.PatchOpSchema, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Walks the body once, iteratively: a node tree built from JSON with duplicate member names or undecodable
    /// strings throws when first read, and that must surface as invalidSyntax here rather than as a bare exception later.
    /// </summary>
    private static void EnsureReadable(JsonObject root)
    {
        var pending = new Stack<JsonNode>();
        pending.Push(root);
        try
        {
            while (pending.Count > 0)
            {
                switch (pending.Pop())
                {
                    case JsonObject obj:
                        foreach (var property in obj)
                        {
                            if (property.Value is not null)
                            {
                                pending.Push(property.Value);
                            }
                        }

                        break;
                    case JsonArray array:
                        foreach (var item in array)
                        {
                            if (item is not null)
                            {
                                pending.Push(item);
                            }
                        }

                        break;
                    case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                        // Decoding fails on escaped lone surrogates ("\ud800"); make that happen here, once.
                        _ = value.GetValue<string>();
                        break;
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or JsonException or FormatException)
        {
            throw ScimException.InvalidSyntax("the PATCH body is not a valid JSON object: " + e.Message);
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "...");
}
