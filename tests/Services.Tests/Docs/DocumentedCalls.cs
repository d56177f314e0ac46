using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Microservices.Services.Tests.Docs;

/// <summary>
/// Replays the <c>```sh</c> blocks of a document against a running system, so the curl calls the docs show keep
/// working. The blocks are read as a small subset of POSIX sh, enough for the walkthroughs and nothing more:
/// <c>NAME=value</c> and <c>NAME=$(curl … | jq -r .field)</c> assignments, <c>curl</c> commands with
/// <c>-X</c>, <c>-H</c>, <c>-d</c>/<c>--data-binary</c> and <c>-s</c>/<c>-S</c>, single and double quotes, <c>$NAME</c>
/// and <c>${NAME}</c>, line continuations and comments. Anything else fails the replay, which is the point: a block
/// that cannot be replayed cannot be checked. Calls that carry a placeholder (<c>&lt;id&gt;</c>, <c>…</c>) or read a
/// file (<c>-d @file</c>) are skipped and reported as such. Variables the caller gives (the base URL, the admin
/// token) win over the document's own assignments, which name the author's machine.
/// </summary>
internal static partial class DocumentedCalls
{
    public sealed record Call(int Line, string Method, string Url, HttpStatusCode Status, string Body);

    public sealed record SkippedCall(int Line, string Command, string Reason);

    public sealed record Replay(IReadOnlyList<Call> Calls, IReadOnlyList<SkippedCall> Skipped, IReadOnlyDictionary<string, string> Assignments);

    /// <summary>The <c>```sh</c> blocks of <paramref name="markdown"/> (below the heading <paramref name="section"/>
    /// until the next heading of its level, when given), each with the line its code starts on.</summary>
    public static IReadOnlyList<(string Code, int Line)> ShellBlocks(string markdown, string? section = null)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var from = 0;
        var to = lines.Length;
        if (section is not null)
        {
            from = Array.FindIndex(lines, l => l.TrimEnd() == section);
            Assert.True(from >= 0, $"no heading '{section}'");
            var level = section.TakeWhile(c => c == '#').Count();
            var next = Array.FindIndex(lines, from + 1, l => l.StartsWith('#') && l.TakeWhile(c => c == '#').Count() <= level && l.Length > level && l[level] == ' ');
            to = next >= 0 ? next : lines.Length;
        }

        var blocks = new List<(string, int)>();
        for (var i = from; i < to; i++)
        {
            if (lines[i].Trim() != "```sh")
            {
                continue;
            }

            var end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            Assert.True(end > i, $"unclosed code block at line {i + 1}");
            blocks.Add((string.Join('\n', lines[(i + 1)..end]), i + 2));
            i = end;
        }

        return blocks;
    }

    /// <summary>Replays every block, in order, as one shell session.</summary>
    public static async Task<Replay> ReplayAsync(IReadOnlyList<(string Code, int Line)> blocks, IReadOnlyDictionary<string, string> given)
    {
        var session = new Session(given);
        foreach (var (code, line) in blocks)
        {
            foreach (var (command, commandLine) in LogicalLines(code, line))
            {
                await session.RunAsync(command, commandLine);
            }
        }

        return new Replay(session.Calls, session.Skipped, session.Assignments);
    }

    /// <summary>The commands of a block: continuations joined, comments dropped, newlines inside quotes and
    /// <c>$( )</c> kept. Each with its first line in the document.</summary>
    internal static IEnumerable<(string Command, int Line)> LogicalLines(string code, int firstLine)
    {
        var current = new StringBuilder();
        var line = firstLine;
        var startLine = -1;
        var (single, dbl, depth) = (false, false, 0);
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (c == '\n')
            {
                line++;
            }

            if (single)
            {
                single = c != '\'';
                current.Append(c);
                continue;
            }

            if (dbl)
            {
                current.Append(c);
                if (c == '\\' && i + 1 < code.Length)
                {
                    current.Append(code[++i]);
                }
                else
                {
                    dbl = c != '"';
                }

                continue;
            }

            if (c == '\\' && i + 1 < code.Length && code[i + 1] == '\n')
            {
                i++;
                line++;
                continue;
            }

            if (c == '#' && (current.Length == 0 || char.IsWhiteSpace(current[^1])))
            {
                while (i + 1 < code.Length && code[i + 1] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (c == '\n' && depth == 0)
            {
                if (current.ToString().Trim() is { Length: > 0 } command)
                {
                    yield return (command, startLine);
                }

                current.Clear();
                startLine = -1;
                continue;
            }

            if (startLine < 0 && !char.IsWhiteSpace(c))
            {
                startLine = line;
            }

            single = c == '\'';
            dbl = c == '"';
            depth += c == '(' && current.Length > 0 && current[^1] == '$' ? 1 : c == ')' && depth > 0 ? -1 : 0;
            current.Append(c);
        }

        if (current.ToString().Trim() is { Length: > 0 } last)
        {
            yield return (last, startLine);
        }
    }

    private abstract record Part;

    private sealed record Literal(string Text) : Part;

    private sealed record Variable(string Name) : Part;

    private sealed record Substitution(string Command) : Part;

    /// <summary>A word of a command; <see cref="IsPipe"/> for an unquoted <c>|</c>.</summary>
    private sealed record Word(IReadOnlyList<Part> Parts, bool IsPipe = false)
    {
        public string? PlainText => Parts.All(p => p is Literal) ? string.Concat(Parts.Cast<Literal>().Select(p => p.Text)) : null;
    }

    private static List<Word> Words(string command)
    {
        var words = new List<Word>();
        var parts = new List<Part>();
        var literal = new StringBuilder();
        var started = false;

        void Flush()
        {
            if (literal.Length > 0)
            {
                parts.Add(new Literal(literal.ToString()));
                literal.Clear();
            }
        }

        void EndWord()
        {
            Flush();
            if (started)
            {
                words.Add(new Word([.. parts]));
            }

            parts.Clear();
            started = false;
        }

        int Dollar(int i)
        {
            // command[i] == '$'
            if (i + 1 < command.Length && command[i + 1] == '(')
            {
                var end = MatchingParenthesis(command, i + 1);
                Flush();
                parts.Add(new Substitution(command[(i + 2)..end]));
                return end;
            }

            var braced = i + 1 < command.Length && command[i + 1] == '{';
            var start = braced ? i + 2 : i + 1;
            var stop = start;
            while (stop < command.Length && (char.IsAsciiLetterOrDigit(command[stop]) || command[stop] == '_'))
            {
                stop++;
            }

            if (stop == start)
            {
                literal.Append('$');
                return i;
            }

            Flush();
            parts.Add(new Variable(command[start..stop]));
            if (braced)
            {
                Assert.True(stop < command.Length && command[stop] == '}', $"unclosed ${{ in: {command}");
                return stop;
            }

            return stop - 1;
        }

        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (char.IsWhiteSpace(c))
            {
                EndWord();
            }
            else if (c == '|')
            {
                EndWord();
                words.Add(new Word([], IsPipe: true));
            }
            else if (c == '\'')
            {
                started = true;
                var end = command.IndexOf('\'', i + 1);
                Assert.True(end > i, $"unclosed ' in: {command}");
                literal.Append(command, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                started = true;
                for (i++; i < command.Length && command[i] != '"'; i++)
                {
                    if (command[i] == '\\' && i + 1 < command.Length && command[i + 1] is '$' or '"' or '\\' or '`')
                    {
                        literal.Append(command[++i]);
                    }
                    else if (command[i] == '$')
                    {
                        i = Dollar(i);
                    }
                    else
                    {
                        literal.Append(command[i]);
                    }
                }

                Assert.True(i < command.Length, $"unclosed \" in: {command}");
            }
            else if (c == '\\' && i + 1 < command.Length)
            {
                started = true;
                literal.Append(command[++i]);
            }
            else if (c == '$')
            {
                started = true;
                i = Dollar(i);
            }
            else
            {
                started = true;
                literal.Append(c);
            }
        }

        EndWord();
        return words;
    }

    private static int MatchingParenthesis(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '\'')
            {
                i = text.IndexOf('\'', i + 1);
                Assert.True(i > 0, $"unclosed ' in: {text}");
            }
            else if (text[i] == '(')
            {
                depth++;
            }
            else if (text[i] == ')' && --depth == 0)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"unclosed $( in: {text}");
    }

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", RegexOptions.Singleline)]
    private static partial Regex Assignment();

    [GeneratedRegex(@"<[^<>\s""']+>|…")]
    private static partial Regex Placeholder();

    private sealed class Session(IReadOnlyDictionary<string, string> given)
    {
        private static readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(60) };

        private readonly Dictionary<string, string> _variables = new(given, StringComparer.Ordinal);

        public List<Call> Calls { get; } = [];

        public List<SkippedCall> Skipped { get; } = [];

        public Dictionary<string, string> Assignments { get; } = new(StringComparer.Ordinal);

        public async Task RunAsync(string command, int line)
        {
            if (Assignment().Match(command) is { Success: true } assignment)
            {
                var name = assignment.Groups[1].Value;
                var words = Words(assignment.Groups[2].Value);
                Assert.True(words.Count <= 1, $"line {line}: the value of {name} must be one word");
                if (given.ContainsKey(name))
                {
                    // The document's value is for the author's machine; keep what the test gave, but record it.
                    Assignments[name] = words.Count == 0 ? string.Empty : words[0].PlainText ?? assignment.Groups[2].Value;
                    return;
                }

                var value = words.Count == 0 ? string.Empty : await EvaluateAsync(words[0], line);
                _variables[name] = value;
                Assignments[name] = value;
                return;
            }

            await RunPipelineAsync(Words(command), line, command);
        }

        /// <summary>Runs <c>curl …</c> optionally piped into <c>jq</c>; returns what it prints, or null when skipped.</summary>
        private async Task<string?> RunPipelineAsync(List<Word> words, int line, string command)
        {
            var stages = new List<List<Word>> { new() };
            foreach (var word in words)
            {
                if (word.IsPipe)
                {
                    stages.Add([]);
                }
                else
                {
                    stages[^1].Add(word);
                }
            }

            var output = await CurlAsync(stages[0], line, command);
            foreach (var stage in stages.Skip(1))
            {
                if (output is null)
                {
                    return null;
                }

                output = await JqAsync(stage, output, line);
            }

            return output;
        }

        private async Task<string?> CurlAsync(List<Word> words, int line, string command)
        {
            Assert.True(words.Count > 0 && words[0].PlainText == "curl", $"line {line}: only curl commands and NAME=value assignments can be replayed: {command}");
            string? method = null;
            string? url = null;
            string? data = null;
            var headers = new List<(string Name, string Value)>();
            for (var i = 1; i < words.Count; i++)
            {
                var option = words[i].PlainText;
                if (option is "-X" or "--request" or "-H" or "--header" or "-d" or "--data" or "--data-raw" or "--data-binary")
                {
                    Assert.True(i + 1 < words.Count, $"line {line}: {option} needs a value");
                }

                switch (option)
                {
                    case "-s" or "-S" or "-sS" or "-Ss" or "--silent" or "--show-error" or "--fail-with-body":
                        continue;
                    case "-X" or "--request":
                        i++;
                        method = await EvaluateAsync(words[i], line);
                        continue;
                    case "-H" or "--header":
                        i++;
                        var header = await EvaluateAsync(words[i], line);
                        var colon = header.IndexOf(':', StringComparison.Ordinal);
                        Assert.True(colon > 0, $"line {line}: header '{header}' has no name");
                        headers.Add((header[..colon].Trim(), header[(colon + 1)..].Trim()));
                        continue;
                    case "-d" or "--data" or "--data-raw" or "--data-binary":
                        i++;
                        data = await EvaluateAsync(words[i], line);
                        if (data.StartsWith('@') && option != "--data-raw")
                        {
                            Skipped.Add(new SkippedCall(line, command, "reads a file"));
                            return null;
                        }

                        continue;
                    case { } text when text.StartsWith('-'):
                        Assert.Fail($"line {line}: curl option {text} is not supported by the replay");
                        break;
                    default:
                        Assert.True(url is null, $"line {line}: two URLs");
                        url = await EvaluateAsync(words[i], line);
                        continue;
                }
            }

            Assert.True(url is not null, $"line {line}: no URL");
            var everything = string.Join('\n', headers.Select(h => h.Value).Append(url).Append(data ?? string.Empty));
            if (Placeholder().IsMatch(everything))
            {
                Skipped.Add(new SkippedCall(line, command, "holds a placeholder"));
                return null;
            }

            method ??= data is null ? "GET" : "POST";
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            request.Headers.TryAddWithoutValidation("User-Agent", "curl/8.5.0");
            if (data is not null)
            {
                // As curl -d: the bytes as written, form-encoded unless the command names a type.
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(data));
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded");
            }

            foreach (var (name, value) in headers)
            {
                if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && request.Content is not null)
                {
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
                }
                else if (!name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    request.Headers.Remove(name);
                    Assert.True(request.Headers.TryAddWithoutValidation(name, value), $"line {line}: header {name}");
                }
            }

            using var response = await _http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Calls.Add(new Call(line, method, url, response.StatusCode, body));
            return body;
        }

        private async Task<string> JqAsync(List<Word> words, string input, int line)
        {
            var arguments = new List<string>();
            foreach (var word in words)
            {
                arguments.Add(await EvaluateAsync(word, line));
            }

            Assert.True(arguments.Count is 2 or 3 && arguments[0] == "jq", $"line {line}: only `jq [-r] .path` is supported");
            var raw = arguments.Count == 3 && arguments[1] == "-r";
            var path = arguments[^1];
            Assert.StartsWith(".", path, StringComparison.Ordinal);
            var node = JsonNode.Parse(input);
            foreach (var key in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
            {
                node = node?[key];
            }

            return node is JsonValue value && raw && value.GetValueKind() == JsonValueKind.String
                ? value.GetValue<string>()
                : node?.ToJsonString() ?? "null";
        }

        private async Task<string> EvaluateAsync(Word word, int line)
        {
            var text = new StringBuilder();
            foreach (var part in word.Parts)
            {
                switch (part)
                {
                    case Literal literal:
                        text.Append(literal.Text);
                        break;
                    case Variable variable:
                        Assert.True(_variables.TryGetValue(variable.Name, out var value), $"line {line}: ${variable.Name} is used before it is set");
                        text.Append(value);
                        break;
                    case Substitution substitution:
                        var output = await RunPipelineAsync(Words(substitution.Command), line, substitution.Command);
                        Assert.True(output is not null, $"line {line}: $({substitution.Command}) could not run");
                        text.Append(output.TrimEnd('\n'));
                        break;
                }
            }

            return text.ToString();
        }
    }
}
