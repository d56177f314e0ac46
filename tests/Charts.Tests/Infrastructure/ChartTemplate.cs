using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Microservices.Charts.Tests.Infrastructure;

/// <summary>
/// A Helm template read as source. Go templates cannot be rendered here, so the checks work on what the source
/// shows: the values it references (including through variables such as <c>$svc</c> bound by
/// <c>range $name, $svc := .Values.services</c>), the control blocks around a line, and a YAML skeleton: the
/// template with its control lines dropped and each inline action replaced by the value it names (when it names a
/// plain value) or by <see cref="Placeholder"/>.
/// </summary>
public sealed partial class ChartTemplate
{
    public const string Placeholder = "__tpl__";

    /// <summary>A reference to values: its path below .Values, "*" standing for every entry of a map.</summary>
    public sealed record ValuesReference(string Path, int Line, string Expression);

    private readonly Dictionary<string, string> _aliases;

    public ChartTemplate(string fileName, string text)
    {
        FileName = fileName;
        Text = text;
        Lines = text.Split('\n');
        _aliases = FindAliases(text);
    }

    public string FileName { get; }

    public string Text { get; }

    public IReadOnlyList<string> Lines { get; }

    public static ChartTemplate Load(string fileName) =>
        new(fileName, File.ReadAllText(Path.Combine(Repo.Templates, fileName)));

    public static IReadOnlyList<ChartTemplate> All() =>
        [.. Directory.GetFiles(Repo.Templates).Order(StringComparer.Ordinal).Select(f => Load(Path.GetFileName(f)))];

    /// <summary>Every reference to values: <c>.Values.a.b</c>, <c>$.Values.a</c>, and variables bound to values.</summary>
    public IReadOnlyList<ValuesReference> ValuesReferences()
    {
        var references = new List<ValuesReference>();
        foreach (var (action, line) in Actions())
        {
            foreach (Match match in DirectReference().Matches(action))
            {
                references.Add(new ValuesReference(match.Groups[1].Value.TrimStart('.'), line, action));
            }

            foreach (Match match in VariableReference().Matches(action))
            {
                if (_aliases.TryGetValue(match.Groups[1].Value, out var target))
                {
                    references.Add(new ValuesReference(target + match.Groups[2].Value, line, action));
                }
            }
        }

        return references;
    }

    /// <summary>The heads of the control blocks (if, range, with, define; else for an else branch) enclosing a line,
    /// outermost first.</summary>
    public IReadOnlyList<string> EnclosingBlocks(int line)
    {
        var stack = new Stack<string>();
        foreach (var (action, actionLine) in Actions())
        {
            if (actionLine >= line)
            {
                break;
            }

            var keyword = action.Split(' ', 2)[0];
            if (keyword is "if" or "range" or "with" or "define" or "block")
            {
                stack.Push(action);
            }
            else if (keyword == "else")
            {
                // Inside an else branch the enclosing block is the else (or else-if), not the condition it negates.
                stack.Pop();
                stack.Push(action);
            }
            else if (keyword == "end")
            {
                stack.Pop();
            }
        }

        return [.. stack.Reverse()];
    }

    /// <summary>Opened blocks minus closed blocks: zero for a well-formed template.</summary>
    public int UnclosedBlocks()
    {
        var depth = 0;
        foreach (var (action, _) in Actions())
        {
            var keyword = action.Split(' ', 2)[0];
            depth += keyword is "if" or "range" or "with" or "define" or "block" ? 1 : keyword == "end" ? -1 : 0;
            if (depth < 0)
            {
                return depth;
            }
        }

        return depth;
    }

    public int LineOf(string fragment)
    {
        var index = Lines.ToList().FindIndex(l => l.Contains(fragment, StringComparison.Ordinal));
        return index >= 0 ? index : throw new KeyNotFoundException($"{FileName}: no line contains {fragment}");
    }

    /// <summary>The YAML documents of the skeleton, inline actions resolved against <paramref name="values"/>.</summary>
    public IReadOnlyList<JsonObject> Skeleton(JsonObject values)
    {
        var kept = new List<string>();
        foreach (var line in StripComments(Text).Split('\n'))
        {
            if (ControlOnlyLine().IsMatch(line))
            {
                continue;
            }

            kept.Add(InlineAction().Replace(line, m => Resolve(m.Groups[1].Value, values)));
        }

        return [.. Yaml.ParseStream(string.Join('\n', kept)).OfType<JsonObject>()];
    }

    private string Resolve(string expression, JsonObject values)
    {
        var match = ResolvableExpression().Match(expression.Trim());
        if (!match.Success)
        {
            return Placeholder;
        }

        var root = match.Groups[1].Value;
        var path = match.Groups[2].Value;
        string? basePath = root.EndsWith(".Values", StringComparison.Ordinal)
            ? string.Empty
            : _aliases.TryGetValue(root.TrimStart('$'), out var alias) && !alias.Contains('*', StringComparison.Ordinal) ? alias : null;
        if (basePath is null || (basePath + path).Length == 0 || values.At(basePath + path) is not JsonValue value)
        {
            return Placeholder;
        }

        var text = value.ToString();
        return match.Groups[3].Success ? "\"" + text.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : text;
    }

    private IEnumerable<(string Action, int Line)> Actions()
    {
        var text = StripComments(Text);
        foreach (Match match in InlineAction().Matches(text))
        {
            var line = text.AsSpan(0, match.Index).Count('\n');
            yield return (match.Groups[1].Value.Trim(), line);
        }
    }

    // Comments are blanked rather than removed so that line numbers stay those of the file.
    private static string StripComments(string text) =>
        TemplateComment().Replace(text, m => new string('\n', m.Value.Count(c => c == '\n')));

    private static Dictionary<string, string> FindAliases(string text)
    {
        // By the chart's convention $svc always names one entry of .Values.services (also inside helpers).
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal) { ["svc"] = "services.*" };
        foreach (Match match in PlainAlias().Matches(text))
        {
            aliases[match.Groups[1].Value] = match.Groups[2].Value.TrimStart('.');
        }

        // After the plain aliases: `range $k, $v := .Values.x` also looks like `$v := .Values.x`.
        foreach (Match match in RangeAlias().Matches(text))
        {
            aliases[match.Groups[1].Value] = match.Groups[2].Value.TrimStart('.') + ".*";
        }

        return aliases;
    }

    [GeneratedRegex(@"\{\{-?(.*?)-?\}\}", RegexOptions.Singleline)]
    private static partial Regex InlineAction();

    [GeneratedRegex(@"\{\{-?\s*/\*.*?\*/\s*-?\}\}", RegexOptions.Singleline)]
    private static partial Regex TemplateComment();

    [GeneratedRegex(@"^\s*(\{\{.*?\}\}\s*)+$")]
    private static partial Regex ControlOnlyLine();

    [GeneratedRegex(@"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    private static partial Regex DirectReference();

    [GeneratedRegex(@"\$([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"range\s+\$[A-Za-z_]\w*\s*,\s*\$([A-Za-z_]\w*)\s*:=\s*\$?\.Values((?:\.\w+)+)")]
    private static partial Regex RangeAlias();

    [GeneratedRegex(@"\$([A-Za-z_]\w*)\s*:=\s*\$?\.Values((?:\.\w+)+)\s*(?:-?\}\})")]
    private static partial Regex PlainAlias();

    [GeneratedRegex(@"^(\$?\.Values|\$[A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)(\s*\|\s*quote)?$")]
    private static partial Regex ResolvableExpression();
}
