using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim.Errors;
using Microservices.Scim.Json;

namespace Microservices.Scim.Schemas;

/// <summary>
/// Checks a POST or PUT body against a resource type and returns a normalised copy (RFC 7643 §2, §7;
/// RFC 7644 §3.3, §3.5.1). The rules, and where they are lenient towards what Okta and Entra send:
/// <list type="bullet">
/// <item><c>schemas</c> must be present and name the core schema. An extension object whose URN is missing
/// from <c>schemas</c> is still accepted (IdP attribute mappings add extension data without always listing
/// the URN); unknown URNs are dropped. The output lists the core schema and every extension it carries.</item>
/// <item>Names match case-insensitively and are written back in canonical spelling, in schema order.</item>
/// <item>Unknown attributes and sub-attributes are dropped, not rejected: IdPs send attributes of their own.</item>
/// <item><c>readOnly</c> attributes are dropped (Okta's PUT echoes <c>id</c>, <c>meta</c> and <c>groups</c>);
/// <c>writeOnly</c> ones (<c>password</c>) are kept for the caller, projection never returns them.</item>
/// <item>JSON <c>null</c> means absent. Booleans also accept the strings <c>"true"</c>/<c>"false"</c> in any case
/// (Entra's default job sends <c>"True"</c>/<c>"False"</c>). A single object where a multi-valued complex
/// attribute expects an array is taken as a one-element array.</item>
/// <item>Canonical values are not enforced on <c>type</c> sub-attributes (IdPs send their own labels); on other
/// attributes (Assure's <c>dateFormat</c>) they are, case-insensitively, and rewritten to canonical spelling.</item>
/// <item>At most one value of a multi-valued attribute may have <c>primary</c> true (RFC 7643 §2.4).</item>
/// </list>
/// Every rejection is a <see cref="ScimException"/> (<c>invalidSyntax</c> for the envelope, <c>invalidValue</c>
/// for an attribute, naming it).
/// </summary>
public static class ScimResourceValidator
{
    /// <summary>Most values a multi-valued attribute may carry; a 1 MiB body cannot hold many more members.</summary>
    public const int DefaultMaxValuesPerAttribute = 10_000;

    public static JsonObject Validate(
        JsonObject body,
        ResourceTypeDefinition resourceType,
        int maxValuesPerAttribute = DefaultMaxValuesPerAttribute)
    {
        var core = resourceType.Schema;
        var coreValues = new Dictionary<AttributeDefinition, JsonNode>(ReferenceEqualityComparer.Instance);
        var extensionValues = new Dictionary<SchemaExtensionDefinition, JsonObject>(ReferenceEqualityComparer.Instance);
        JsonNode? schemasNode = null;
        var schemasSeen = false;

        foreach (var (key, value) in ScimJson.Properties(body))
        {
            if (string.Equals(key, "schemas", StringComparison.OrdinalIgnoreCase))
            {
                if (schemasSeen)
                {
                    throw ScimException.InvalidSyntax("The member 'schemas' appears more than once.");
                }

                schemasSeen = true;
                schemasNode = value;
                continue;
            }

            if (value is null)
            {
                continue;
            }

            if (resourceType.FindExtension(key) is { } extension)
            {
                if (value is not JsonObject extensionObject)
                {
                    throw ScimException.InvalidValue($"The extension '{extension.Schema.Id}' must be a JSON object.");
                }

                if (!extensionValues.TryAdd(extension, extensionObject))
                {
                    throw ScimException.InvalidSyntax($"The extension '{extension.Schema.Id}' appears more than once.");
                }

                continue;
            }

            if (core.FindAttribute(key) is { } attribute && !coreValues.TryAdd(attribute, value))
            {
                throw ScimException.InvalidSyntax($"The attribute '{attribute.Name}' appears more than once.");
            }
        }

        var declared = ReadSchemas(schemasNode);
        if (!declared.Contains(core.Id, StringComparer.OrdinalIgnoreCase))
        {
            throw ScimException.InvalidSyntax($"'schemas' must contain '{core.Id}'.");
        }

        var schemas = new JsonArray(core.Id);
        var output = new JsonObject { ["schemas"] = schemas };
        WriteAttributes(core.Attributes, coreValues, output, pathPrefix: "", maxValuesPerAttribute);

        foreach (var extension in resourceType.Extensions)
        {
            var extensionOutput = new JsonObject();
            if (extensionValues.TryGetValue(extension, out var extensionObject))
            {
                var values = CollectMembers(extensionObject, extension.Schema.Attributes, extension.Schema.Id + ":");
                WriteAttributes(extension.Schema.Attributes, values, extensionOutput, extension.Schema.Id + ":", maxValuesPerAttribute);
            }
            if (extensionOutput.Count == 0 && extension.Required)
            {
                throw ScimException.InvalidValue($"The extension '{extension.Schema.Id}' is required.");
            }

            if (extensionOutput.Count > 0)
            {
                output[extension.Schema.Id] = extensionOutput;
                schemas.Add(extension.Schema.Id);
            }
        }

        return output;
    }

    private static List<string> ReadSchemas(JsonNode? node)
    {
        switch (node)
        {
            case null:
                throw ScimException.InvalidSyntax("The member 'schemas' is required.");
            case JsonValue value when value.TryGetValue<string>(out var single):
                return [single];
            case JsonArray array:
                var result = new List<string>(array.Count);
                foreach (var item in array)
                {
                    if (item is not JsonValue entry || !entry.TryGetValue<string>(out var urn))
                    {
                        throw ScimException.InvalidSyntax("'schemas' must be an array of URN strings.");
                    }

                    result.Add(urn);
                }

                return result;
            default:
                throw ScimException.InvalidSyntax("'schemas' must be an array of URN strings.");
        }
    }

    private static Dictionary<AttributeDefinition, JsonNode> CollectMembers(
        JsonObject obj,
        IReadOnlyList<AttributeDefinition> definitions,
        string pathPrefix)
    {
        var values = new Dictionary<AttributeDefinition, JsonNode>(ReferenceEqualityComparer.Instance);
        foreach (var (key, value) in ScimJson.Properties(obj))
        {
            if (value is null)
            {
                continue;
            }

            var definition = definitions.FirstOrDefault(d => string.Equals(d.Name, key, StringComparison.OrdinalIgnoreCase));
            if (definition is not null && !values.TryAdd(definition, value))
            {
                throw ScimException.InvalidSyntax($"The attribute '{pathPrefix}{definition.Name}' appears more than once.");
            }
        }

        return values;
    }

    private static void WriteAttributes(
        IReadOnlyList<AttributeDefinition> definitions,
        Dictionary<AttributeDefinition, JsonNode> values,
        JsonObject target,
        string pathPrefix,
        int maxValues)
    {
        foreach (var definition in definitions)
        {
            if (definition.Mutability == Mutability.ReadOnly)
            {
                continue;
            }

            var path = pathPrefix + definition.Name;
            var normalized = values.TryGetValue(definition, out var node) ? Normalize(definition, node, path, maxValues) : null;
            if (definition.Required && IsEmpty(normalized))
            {
                throw ScimException.InvalidValue($"The attribute '{path}' is required.");
            }

            if (normalized is not null)
            {
                target[definition.Name] = normalized;
            }
        }
    }

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonValue value when value.TryGetValue<string>(out var text) => string.IsNullOrWhiteSpace(text),
        JsonArray array => array.Count == 0,
        _ => false,
    };

    private static JsonNode? Normalize(AttributeDefinition definition, JsonNode node, string path, int maxValues)
    {
        if (!definition.MultiValued)
        {
            if (node is JsonArray)
            {
                throw ScimException.InvalidValue($"The attribute '{path}' is single-valued and must not be an array.");
            }

            return NormalizeSingle(definition, node, path, maxValues);
        }

        // Lenient: a lone complex value where an array belongs is read as a one-element array.
        IList<JsonNode?> items = node switch
        {
            JsonArray array => array,
            JsonObject when definition.Type == AttributeType.Complex => new List<JsonNode?> { node },
            _ => throw ScimException.InvalidValue($"The attribute '{path}' is multi-valued and must be an array."),
        };

        if (items.Count > maxValues)
        {
            throw ScimException.InvalidValue($"The attribute '{path}' has more than {maxValues} values.");
        }

        var result = new JsonArray();
        var primaries = 0;
        foreach (var item in items)
        {
            if (item is null || NormalizeSingle(definition, item, path, maxValues) is not { } value)
            {
                continue;
            }

            if (value is JsonObject complex && complex["primary"] is JsonValue primary && primary.GetValue<bool>())
            {
                primaries++;
            }

            result.Add(value);
        }

        if (primaries > 1)
        {
            throw ScimException.InvalidValue($"At most one value of '{path}' may have 'primary' set to true.");
        }

        return result;
    }

    private static JsonNode? NormalizeSingle(AttributeDefinition definition, JsonNode node, string path, int maxValues)
    {
        if (definition.Type != AttributeType.Complex)
        {
            return NormalizeScalar(definition, node, path);
        }

        if (node is not JsonObject obj)
        {
            throw ScimException.InvalidValue($"The attribute '{path}' must be a JSON object.");
        }

        var subAttributes = definition.SubAttributesOrEmpty;
        var values = CollectMembers(obj, subAttributes, path + ".");
        var output = new JsonObject();
        WriteAttributes(subAttributes, values, output, path + ".", maxValues);
        return output.Count > 0 ? output : null;
    }

    private static JsonValue NormalizeScalar(AttributeDefinition definition, JsonNode node, string path)
    {
        if (node is not JsonValue value)
        {
            throw WrongType(definition, path);
        }

        var kind = value.GetValueKind();
        switch (definition.Type)
        {
            case AttributeType.String:
            case AttributeType.Reference:
                return kind == JsonValueKind.String
                    ? JsonValue.Create(Canonicalize(definition, value.GetValue<string>(), path))
                    : throw WrongType(definition, path);

            case AttributeType.Boolean:
                return kind switch
                {
                    JsonValueKind.True => JsonValue.Create(true),
                    JsonValueKind.False => JsonValue.Create(false),
                    JsonValueKind.String when bool.TryParse(value.GetValue<string>().Trim(), out var parsed) => JsonValue.Create(parsed),
                    _ => throw WrongType(definition, path),
                };

            case AttributeType.Integer:
                return kind == JsonValueKind.Number && value.TryGetValue<long>(out var integer)
                    ? JsonValue.Create(integer)
                    : throw WrongType(definition, path);

            case AttributeType.Decimal:
                return kind == JsonValueKind.Number && value.TryGetValue<double>(out var number) && double.IsFinite(number)
                    ? (JsonValue)value.DeepClone()
                    : throw WrongType(definition, path);

            case AttributeType.DateTime:
                return kind == JsonValueKind.String && IsDateTime(value.GetValue<string>())
                    ? JsonValue.Create(value.GetValue<string>())
                    : throw WrongType(definition, path);

            case AttributeType.Binary:
                return kind == JsonValueKind.String && Base64.IsValid(value.GetValue<string>())
                    ? JsonValue.Create(value.GetValue<string>())
                    : throw WrongType(definition, path);

            default:
                throw WrongType(definition, path);
        }
    }

    private static string Canonicalize(AttributeDefinition definition, string text, string path)
    {
        if (definition.CanonicalValues is not { Count: > 0 } canonical
            || string.Equals(definition.Name, "type", StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }

        return canonical.FirstOrDefault(c => string.Equals(c, text.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw ScimException.InvalidValue($"The attribute '{path}' must be one of: {string.Join(", ", canonical)}.");
    }

    // xsd:dateTime (RFC 7643 §2.3.5): a full date, 'T', a time; the offset may be omitted.
    private static bool IsDateTime(string text) =>
        text.Length >= 19
        && text[4] == '-' && text[7] == '-' && (text[10] == 'T' || text[10] == 't')
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);

    private static ScimException WrongType(AttributeDefinition definition, string path)
    {
        var expected = definition.Type switch
        {
            AttributeType.String => "a string",
            AttributeType.Reference => "a reference (string)",
            AttributeType.Boolean => "a boolean",
            AttributeType.Integer => "an integer",
            AttributeType.Decimal => "a number",
            AttributeType.DateTime => "an ISO 8601 date-time string",
            AttributeType.Binary => "a base64 string",
            _ => "a JSON object",
        };
        return ScimException.InvalidValue($"The attribute '{path}' must be {expected}.");
    }
}
