using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Microservices.Charts.Tests.Infrastructure;

/// <summary>
/// YAML read the way Helm reads it (go-yaml, YAML 1.1 plain scalars: yes/no/on/off are booleans), as JSON nodes
/// so that values can be merged, navigated and validated against values.schema.json.
/// </summary>
public static partial class Yaml
{
    public static JsonNode? Parse(string text) => ParseStream(text).SingleOrDefault();

    public static IReadOnlyList<JsonNode?> ParseStream(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return [.. stream.Documents.Select(d => Convert(d.RootNode))];
    }

    public static JsonNode? Load(params string[] repoPath) => Parse(Repo.Read(repoPath));

    /// <summary>Values of a stack as Helm computes them: the stack file merged over the chart's values.yaml.</summary>
    public static JsonObject StackValues(string stack)
    {
        var defaults = Load("charts", "scim-platform", "values.yaml")!.AsObject();
        var overlay = Load("charts", "scim-platform", $"values-{stack}.yaml")!.AsObject();
        return Merge(defaults, overlay);
    }

    public static JsonObject DefaultValues() => Load("charts", "scim-platform", "values.yaml")!.AsObject();

    /// <summary>Helm's coalescing of a values file over another: maps merge key by key, anything else is replaced,
    /// and a null removes the key.</summary>
    public static JsonObject Merge(JsonObject bottom, JsonObject top)
    {
        var result = bottom.DeepClone().AsObject();
        foreach (var (key, value) in top)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else if (value is JsonObject topMap && result[key] is JsonObject bottomMap)
            {
                result[key] = Merge(bottomMap, topMap);
            }
            else
            {
                result[key] = value.DeepClone();
            }
        }

        return result;
    }

    /// <summary>The node at a dotted path ("services.users.appId"), or null when any part is missing.</summary>
    public static JsonNode? At(this JsonNode? node, string path)
    {
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node is JsonObject map && map.TryGetPropertyValue(part, out var child) ? child : null;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    public static string Str(this JsonNode? node, string path) =>
        node.At(path) is JsonValue value ? value.ToString() : throw new KeyNotFoundException(path);

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(child =>
            KeyValuePair.Create(((YamlScalarNode)child.Key).Value!, Convert(child.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(Convert)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new NotSupportedException(node.NodeType.ToString()),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y")
        {
            return JsonValue.Create(true);
        }

        if (text is "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N")
        {
            return JsonValue.Create(false);
        }

        if (IntPattern().IsMatch(text))
        {
            return JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture));
        }

        return FloatPattern().IsMatch(text)
            ? JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture))
            : JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?(0|[1-9][0-9]*)$")]
    private static partial Regex IntPattern();

    [GeneratedRegex("^[-+]?([0-9]*\\.[0-9]+|[0-9]+\\.[0-9]*)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
