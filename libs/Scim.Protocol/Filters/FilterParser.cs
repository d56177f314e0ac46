using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microservices.Scim.Errors;

namespace Microservices.Scim.Filters;

/// <summary>Limits that keep any input from exhausting the stack or the CPU.</summary>
/// <param name="MaxLength">Longest accepted filter or path, in UTF-16 characters.</param>
/// <param name="MaxDepth">Deepest nesting of parentheses, <c>not (…)</c> and value paths <c>attr[…]</c>.</param>
public sealed record FilterParserOptions(int MaxLength = 4096, int MaxDepth = 32)
{
    public static FilterParserOptions Default { get; } = new();
}

/// <summary>
/// The SCIM filter grammar of RFC 7644 §3.4.2.2, hand-lexed over a span. Operators, logical words and
/// <c>true</c>/<c>false</c>/<c>null</c> are case-insensitive (ASCII only, so no Unicode look-alike folds into a
/// keyword). Errors are <c>invalidFilter</c> (<c>invalidPath</c> for PATCH paths) and name the 1-based character
/// position and the reason.
/// </summary>
public static class FilterParser
{
    /// <summary>Parses a filter (the <c>filter</c> query parameter or a search request's <c>filter</c>).</summary>
    /// <exception cref="ScimException"><c>invalidFilter</c>, always, for any malformed input.</exception>
    public static Filter Parse(string filter, FilterParserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return Parse(filter.AsSpan(), options);
    }

    /// <inheritdoc cref="Parse(string, FilterParserOptions?)"/>
    public static Filter Parse(ReadOnlySpan<char> filter, FilterParserOptions? options = null)
    {
        options ??= FilterParserOptions.Default;
        var parser = new Parser(filter, options, pathErrors: false, "filter");
        return parser.ParseWholeFilter();
    }

    /// <summary>Parses a bare attribute path: no value filter. Errors are <c>invalidPath</c>.</summary>
    public static AttributePath ParseAttributePath(string path, FilterParserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parser = new Parser(path, options ?? FilterParserOptions.Default, pathErrors: true, "path");
        var (attribute, valueFilter) = parser.ParseWholePath(allowValueFilter: false);
        _ = valueFilter;
        return attribute;
    }

    /// <summary>
    /// The PATCH path grammar of RFC 7644 §3.5.2: <c>attrPath / valuePath [subAttr]</c>. The returned attribute carries
    /// the sub-attribute that followed the brackets, if any.
    /// </summary>
    internal static (AttributePath Path, Filter? ValueFilter) ParsePatchPath(ReadOnlySpan<char> path, FilterParserOptions? options)
    {
        var parser = new Parser(path, options ?? FilterParserOptions.Default, pathErrors: true, "path");
        return parser.ParseWholePath(allowValueFilter: true);
    }

    internal static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '$';

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-';

    private static bool IsPathChar(char c) => IsNameChar(c) || c == ':' || c == '.' || c == '$';

    /// <summary>ATTRNAME = ALPHA *(nameChar); "$ref" (RFC 7643 §2.4) is accepted too.</summary>
    internal static bool IsAttributeName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || !IsNameStart(name[0]))
        {
            return false;
        }

        if (name[0] == '$' && (name.Length == 1 || !char.IsAsciiLetter(name[1])))
        {
            return false;
        }

        for (var i = 1; i < name.Length; i++)
        {
            if (!IsNameChar(name[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool EqualsWord(ReadOnlySpan<char> text, string word) =>
        text.Equals(word, StringComparison.OrdinalIgnoreCase);

    private static ComparisonOperator? MatchOperator(ReadOnlySpan<char> word)
    {
        if (word.Length != 2 || !char.IsAscii(word[0]) || !char.IsAscii(word[1]))
        {
            return null;
        }

        // ASCII-only folding: OrdinalIgnoreCase would map e.g. U+017F (long s) onto 'S'.
        var a = (char)(word[0] | 0x20);
        var b = (char)(word[1] | 0x20);
        return (a, b) switch
        {
            ('e', 'q') => ComparisonOperator.Eq,
            ('n', 'e') => ComparisonOperator.Ne,
            ('c', 'o') => ComparisonOperator.Co,
            ('s', 'w') => ComparisonOperator.Sw,
            ('e', 'w') => ComparisonOperator.Ew,
            ('g', 't') => ComparisonOperator.Gt,
            ('g', 'e') => ComparisonOperator.Ge,
            ('l', 't') => ComparisonOperator.Lt,
            ('l', 'e') => ComparisonOperator.Le,
            _ => null,
        };
    }

    private ref struct Parser
    {
        private readonly ReadOnlySpan<char> _text;
        private readonly FilterParserOptions _options;
        private readonly bool _pathErrors;
        private readonly string _what;
        private int _pos;

        public Parser(ReadOnlySpan<char> text, FilterParserOptions options, bool pathErrors, string what)
        {
            _text = text;
            _options = options;
            _pathErrors = pathErrors;
            _what = what;
            _pos = 0;
            if (text.Length > options.MaxLength)
            {
                throw Error(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{what} is {text.Length} characters long, over the limit of {options.MaxLength} (MaxLength)"));
            }
        }

        public Filter ParseWholeFilter()
        {
            SkipWhitespace();
            if (AtEnd)
            {
                throw Error("filter is empty");
            }

            var filter = ParseOr(0, null);
            SkipWhitespace();
            if (!AtEnd)
            {
                throw Unexpected("expected 'and', 'or' or the end of the filter");
            }

            return filter;
        }

        public (AttributePath, Filter?) ParseWholePath(bool allowValueFilter)
        {
            SkipWhitespace();
            if (AtEnd)
            {
                throw Error("path is empty");
            }

            var start = _pos;
            if (!IsNameStart(Current))
            {
                throw Error($"expected an attribute name at position {start + 1}, found {DescribeChar(Current)}");
            }

            var word = ReadPathToken();
            var path = SplitPath(word, start);
            Filter? valueFilter = null;
            if (!AtEnd && Current == '[')
            {
                if (!allowValueFilter)
                {
                    throw Error($"a value filter is not allowed here ('[' at position {_pos + 1})");
                }

                valueFilter = ParseValuePath(path, 0).ValueFilter;
                if (!AtEnd && Current == '.')
                {
                    _pos++;
                    var subStart = _pos;
                    var sub = ReadPathToken();
                    if (!IsAttributeName(sub))
                    {
                        throw Error($"expected a sub-attribute name after '].' at position {subStart + 1}");
                    }

                    path = path with { SubAttribute = sub.ToString() };
                }
            }

            SkipWhitespace();
            if (!AtEnd)
            {
                throw Unexpected("expected the end of the path");
            }

            return (path, valueFilter);
        }

        private readonly bool AtEnd => _pos >= _text.Length;

        private readonly char Current => _text[_pos];

        private Filter ParseOr(int depth, AttributePath? parent)
        {
            var first = ParseAnd(depth, parent, null);
            List<Filter>? operands = null;
            while (true)
            {
                var save = _pos;
                SkipWhitespace();
                if (!TryKeyword("or"))
                {
                    _pos = save;
                    break;
                }

                operands ??= [first];
                operands.Add(ParseAnd(depth, parent, "'or'"));
            }

            return operands is null ? first : new OrFilter(operands);
        }

        private Filter ParseAnd(int depth, AttributePath? parent, string? after)
        {
            var first = ParseFactor(depth, parent, after);
            List<Filter>? operands = null;
            while (true)
            {
                var save = _pos;
                SkipWhitespace();
                if (!TryKeyword("and"))
                {
                    _pos = save;
                    break;
                }

                operands ??= [first];
                operands.Add(ParseFactor(depth, parent, "'and'"));
            }

            return operands is null ? first : new AndFilter(operands);
        }

        private Filter ParseFactor(int depth, AttributePath? parent, string? after)
        {
            SkipWhitespace();
            if (AtEnd)
            {
                throw Error(after is null
                    ? $"expected an expression at position {_pos + 1}"
                    : $"expected an expression after {after} at position {_pos + 1}");
            }

            var c = Current;
            if (c == '(')
            {
                return ParseGroup(depth, parent, negate: false);
            }

            if (IsNameStart(c))
            {
                var start = _pos;
                var word = ReadPathToken();
                if (EqualsWord(word, "not") && (AtEnd || Current != '['))
                {
                    var save = _pos;
                    SkipWhitespace();
                    if (!AtEnd && Current == '(')
                    {
                        return ParseGroup(depth, parent, negate: true);
                    }

                    // "not" is also a legal attribute name; it is one only when an operator follows.
                    if (!NextWordIsOperator())
                    {
                        throw Error($"'not' at position {start + 1} must be followed by a parenthesised filter, as in not (title pr)");
                    }

                    _pos = save;
                }

                var path = SplitPath(word, start);
                if (!AtEnd && Current == '[')
                {
                    if (parent is not null)
                    {
                        throw Error($"value filters cannot be nested: '[' at position {_pos + 1} inside '{parent}[...]'");
                    }

                    var valuePath = ParseValuePath(path, depth);
                    if (!AtEnd && Current == '.')
                    {
                        throw Error($"a sub-attribute after a value filter ('].' at position {_pos}) is allowed only in PATCH paths");
                    }

                    return valuePath;
                }

                if (parent is not null && (path.SchemaUri is not null || path.SubAttribute is not null))
                {
                    throw Error($"inside '{parent}[...]' name a sub-attribute of '{parent}' without prefix or '.', not '{Excerpt(word)}' at position {start + 1}");
                }

                return ParseOperation(path, word, start);
            }

            if (c == '"' || c == '-' || char.IsAsciiDigit(c))
            {
                throw Error($"expected an attribute name at position {_pos + 1}, found a value");
            }

            if (c is ')' or ']')
            {
                throw Error($"unexpected '{c}' at position {_pos + 1}" + (after is null ? string.Empty : $" after {after}"));
            }

            throw Error($"unexpected character {DescribeChar(c)} at position {_pos + 1}");
        }

        private Filter ParseGroup(int depth, AttributePath? parent, bool negate)
        {
            var open = _pos;
            Enter(depth + 1);
            _pos++;
            var inner = ParseOr(depth + 1, parent);
            SkipWhitespace();
            if (AtEnd)
            {
                throw Error($"missing ')' to close the '(' at position {open + 1}");
            }

            if (Current != ')')
            {
                throw Unexpected($"expected 'and', 'or' or ')' to close the '(' at position {open + 1}");
            }

            _pos++;
            return negate ? new NotFilter(inner) : inner;
        }

        private ValuePathFilter ParseValuePath(AttributePath path, int depth)
        {
            if (path.SubAttribute is not null)
            {
                throw Error($"a value filter must follow an attribute, not the sub-attribute '{path}' ('[' at position {_pos + 1})");
            }

            var open = _pos;
            Enter(depth + 1);
            _pos++;
            var inner = ParseOr(depth + 1, path);
            SkipWhitespace();
            if (AtEnd)
            {
                throw Error($"missing ']' to close the '[' at position {open + 1}");
            }

            if (Current != ']')
            {
                throw Unexpected($"expected 'and', 'or' or ']' to close the '[' at position {open + 1}");
            }

            _pos++;
            return new ValuePathFilter(path, inner);
        }

        private Filter ParseOperation(AttributePath path, ReadOnlySpan<char> pathText, int pathStart)
        {
            _ = pathStart;
            SkipWhitespace();
            if (AtEnd || !char.IsAsciiLetter(Current))
            {
                throw Error($"expected a comparison operator after '{Excerpt(pathText)}' at position {_pos + 1}");
            }

            var operatorStart = _pos;
            var word = ReadPathToken();
            if (EqualsWord(word, "pr"))
            {
                return new PresentFilter(path);
            }

            var op = MatchOperator(word)
                ?? throw Error($"unknown operator '{Excerpt(word)}' at position {operatorStart + 1}; expected eq, ne, co, sw, ew, gt, ge, lt, le or pr");
            var operatorText = FilterPrinter.OperatorText(op);
            SkipWhitespace();
            if (AtEnd)
            {
                throw Error($"expected a value after '{operatorText}' at position {_pos + 1}");
            }

            return new ComparisonFilter(path, op, ParseLiteral(operatorText));
        }

        private FilterLiteral ParseLiteral(string operatorText)
        {
            var c = Current;
            if (c == '"')
            {
                return new StringLiteral(ReadString());
            }

            if (c == '-' || char.IsAsciiDigit(c))
            {
                return new NumberLiteral(ReadNumber());
            }

            if (char.IsAsciiLetter(c))
            {
                var start = _pos;
                var word = ReadPathToken();
                if (EqualsWord(word, "true"))
                {
                    return BooleanLiteral.True;
                }

                if (EqualsWord(word, "false"))
                {
                    return BooleanLiteral.False;
                }

                if (EqualsWord(word, "null"))
                {
                    return NullLiteral.Instance;
                }

                throw Error($"expected a value after '{operatorText}' at position {start + 1}, found '{Excerpt(word)}'; strings must be in double quotes");
            }

            throw Error($"expected a value (string, number, true, false or null) after '{operatorText}' at position {_pos + 1}, found {DescribeChar(c)}");
        }

        private string ReadString()
        {
            var start = _pos;
            _pos++;
            var runStart = _pos;
            StringBuilder? builder = null;
            while (true)
            {
                if (AtEnd)
                {
                    throw Error($"unterminated string starting at position {start + 1}");
                }

                var c = Current;
                if (c == '"')
                {
                    string value;
                    if (builder is null)
                    {
                        value = new string(_text[runStart.._pos]);
                    }
                    else
                    {
                        builder.Append(_text[runStart.._pos]);
                        value = builder.ToString();
                    }

                    _pos++;
                    return value;
                }

                if (c == '\\')
                {
                    builder ??= new StringBuilder(_pos - runStart + 16);
                    builder.Append(_text[runStart.._pos]);
                    ReadEscape(builder, start);
                    runStart = _pos;
                    continue;
                }

                if (c < ' ')
                {
                    throw Error($"control character U+{(int)c:X4} in the string at position {_pos + 1}; JSON strings must escape it (e.g. \\n or \\u{(int)c:X4})");
                }

                if (char.IsHighSurrogate(c))
                {
                    if (_pos + 1 >= _text.Length || !char.IsLowSurrogate(_text[_pos + 1]))
                    {
                        throw Error($"unpaired surrogate U+{(int)c:X4} in the string at position {_pos + 1}");
                    }

                    _pos += 2;
                    continue;
                }

                if (char.IsLowSurrogate(c))
                {
                    throw Error($"unpaired surrogate U+{(int)c:X4} in the string at position {_pos + 1}");
                }

                _pos++;
            }
        }

        private void ReadEscape(StringBuilder builder, int stringStart)
        {
            var escapeStart = _pos;
            _pos++;
            if (AtEnd)
            {
                throw Error($"unterminated string starting at position {stringStart + 1}");
            }

            var c = Current;
            _pos++;
            switch (c)
            {
                case '"':
                    builder.Append('"');
                    return;
                case '\\':
                    builder.Append('\\');
                    return;
                case '/':
                    builder.Append('/');
                    return;
                case 'b':
                    builder.Append('\b');
                    return;
                case 'f':
                    builder.Append('\f');
                    return;
                case 'n':
                    builder.Append('\n');
                    return;
                case 'r':
                    builder.Append('\r');
                    return;
                case 't':
                    builder.Append('\t');
                    return;
                case 'u':
                    var code = ReadHex4(escapeStart);
                    if (char.IsHighSurrogate(code))
                    {
                        if (_pos + 1 < _text.Length && _text[_pos] == '\\' && _text[_pos + 1] == 'u')
                        {
                            var lowStart = _pos;
                            _pos += 2;
                            var low = ReadHex4(lowStart);
                            if (char.IsLowSurrogate(low))
                            {
                                builder.Append(code).Append(low);
                                return;
                            }
                        }

                        throw Error($"unpaired surrogate escape \\u{(int)code:X4} at position {escapeStart + 1}");
                    }

                    if (char.IsLowSurrogate(code))
                    {
                        throw Error($"unpaired surrogate escape \\u{(int)code:X4} at position {escapeStart + 1}");
                    }

                    builder.Append(code);
                    return;
                default:
                    throw Error($"invalid escape '\\{DescribeRaw(c)}' at position {escapeStart + 1}; JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX");
            }
        }

        private char ReadHex4(int escapeStart)
        {
            var value = 0;
            for (var i = 0; i < 4; i++)
            {
                if (AtEnd || !char.IsAsciiHexDigit(Current))
                {
                    throw Error($"invalid \\u escape at position {escapeStart + 1}; it needs four hex digits");
                }

                value = (value << 4) | HexValue(Current);
                _pos++;
            }

            return (char)value;
        }

        private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

        private string ReadNumber()
        {
            var start = _pos;
            if (Current == '-')
            {
                _pos++;
            }

            if (AtEnd || !char.IsAsciiDigit(Current))
            {
                throw InvalidNumber(start);
            }

            if (Current == '0')
            {
                _pos++;
            }
            else
            {
                SkipDigits();
            }

            if (!AtEnd && Current == '.')
            {
                _pos++;
                if (AtEnd || !char.IsAsciiDigit(Current))
                {
                    throw InvalidNumber(start);
                }

                SkipDigits();
            }

            if (!AtEnd && (Current == 'e' || Current == 'E'))
            {
                _pos++;
                if (!AtEnd && (Current == '+' || Current == '-'))
                {
                    _pos++;
                }

                if (AtEnd || !char.IsAsciiDigit(Current))
                {
                    throw InvalidNumber(start);
                }

                SkipDigits();
            }

            if (!AtEnd && (IsPathChar(Current) || Current == '"' || Current == '+'))
            {
                throw InvalidNumber(start);
            }

            return new string(_text[start.._pos]);
        }

        private ScimException InvalidNumber(int start)
        {
            var end = start + 1;
            while (end < _text.Length && (IsPathChar(_text[end]) || _text[end] == '+'))
            {
                end++;
            }

            return Error($"invalid number '{Excerpt(_text[start..end])}' at position {start + 1}; numbers follow JSON (e.g. 42, -1.5, 2e10)");
        }

        private void SkipDigits()
        {
            while (!AtEnd && char.IsAsciiDigit(Current))
            {
                _pos++;
            }
        }

        private ReadOnlySpan<char> ReadPathToken()
        {
            var start = _pos;
            while (!AtEnd && IsPathChar(Current))
            {
                _pos++;
            }

            return _text[start.._pos];
        }

        private readonly bool NextWordIsOperator()
        {
            var i = _pos;
            var start = i;
            while (i < _text.Length && IsPathChar(_text[i]))
            {
                i++;
            }

            var word = _text[start..i];
            return EqualsWord(word, "pr") || MatchOperator(word) is not null;
        }

        private bool TryKeyword(string word)
        {
            if (_pos + word.Length > _text.Length)
            {
                return false;
            }

            if (!EqualsWord(_text.Slice(_pos, word.Length), word))
            {
                return false;
            }

            var end = _pos + word.Length;
            if (end < _text.Length && IsPathChar(_text[end]))
            {
                return false;
            }

            _pos = end;
            return true;
        }

        private bool SkipWhitespace()
        {
            var start = _pos;
            while (!AtEnd && Current is ' ' or '\t' or '\r' or '\n')
            {
                _pos++;
            }

            return _pos > start;
        }

        private readonly void Enter(int depth)
        {
            // The depth check bounds the recursion; the stack probe is a second guard should MaxDepth be set very high.
            if (depth > _options.MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                throw Error($"{_what} nests deeper than the limit of {_options.MaxDepth} levels (MaxDepth) at position {_pos + 1}");
            }
        }

        private readonly AttributePath SplitPath(ReadOnlySpan<char> token, int start)
        {
            string? schema = null;
            var attribute = token;
            var attributeStart = start;
            var colon = token.LastIndexOf(':');
            if (colon >= 0)
            {
                var uri = token[..colon];
                if (uri.IsEmpty || !char.IsAsciiLetter(uri[0]) || uri.Contains('$'))
                {
                    throw Error($"invalid schema URN '{Excerpt(uri)}' at position {start + 1}");
                }

                schema = new string(uri);
                attribute = token[(colon + 1)..];
                attributeStart = start + colon + 1;
                if (attribute.IsEmpty)
                {
                    throw Error($"expected an attribute name after the schema URN '{Excerpt(uri)}' at position {attributeStart + 1}");
                }
            }

            string? sub = null;
            var dot = attribute.IndexOf('.');
            var name = attribute;
            if (dot >= 0)
            {
                name = attribute[..dot];
                var subText = attribute[(dot + 1)..];
                if (subText.Contains('.'))
                {
                    throw Error($"'{Excerpt(attribute)}' at position {attributeStart + 1} has more than one sub-attribute level; SCIM paths allow 'attribute.subAttribute'");
                }

                if (!IsAttributeName(subText))
                {
                    throw Error($"invalid sub-attribute name '{Excerpt(subText)}' at position {attributeStart + dot + 2}");
                }

                sub = new string(subText);
            }

            if (!IsAttributeName(name))
            {
                throw Error($"invalid attribute name '{Excerpt(name)}' at position {attributeStart + 1}");
            }

            return new AttributePath(schema, new string(name), sub);
        }

        private readonly ScimException Unexpected(string expectation)
        {
            var c = Current;
            if (IsPathChar(c))
            {
                var end = _pos;
                while (end < _text.Length && IsPathChar(_text[end]))
                {
                    end++;
                }

                return Error($"unexpected '{Excerpt(_text[_pos..end])}' at position {_pos + 1}; {expectation}");
            }

            return Error($"unexpected {DescribeChar(c)} at position {_pos + 1}; {expectation}");
        }

        private readonly ScimException Error(string message) =>
            _pathErrors ? ScimException.InvalidPath("invalid path: " + message) : ScimException.InvalidFilter("invalid filter: " + message);

    }

    private static string DescribeChar(char c) => c switch
    {
        _ when c < ' ' || c == '\u007f' || char.IsSurrogate(c) || char.IsWhiteSpace(c) && c != ' ' =>
            string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4}"),
        _ when c > '\u007f' => string.Create(CultureInfo.InvariantCulture, $"'{c}' (U+{(int)c:X4})"),
        _ => $"'{c}'",
    };

    private static string DescribeRaw(char c) =>
        c < ' ' || c > '\u007e' ? string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4}") : c.ToString();

    /// <summary>Echoes at most 40 characters of the input, so an error never carries a megabyte back.</summary>
    private static string Excerpt(ReadOnlySpan<char> text)
    {
        const int Max = 40;
        var builder = new StringBuilder(Math.Min(text.Length, Max) + 3);
        foreach (var c in text.Length > Max ? text[..Max] : text)
        {
            builder.Append(c < ' ' || char.IsSurrogate(c) ? '?' : c);
        }

        if (text.Length > Max)
        {
            builder.Append("...");
        }

        return builder.ToString();
    }
}
