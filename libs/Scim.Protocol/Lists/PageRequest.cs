using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microservices.Scim.Discovery;
using Microservices.Scim.Errors;

namespace Microservices.Scim.Lists;

/// <summary>
/// A normalised page: <see cref="StartIndex"/> is 1-based and at least 1, <see cref="Count"/> between 0 and the
/// maximum page size. RFC 7644 §3.4.2.4 says out-of-range values are interpreted, not rejected: startIndex below 1
/// means 1, a negative count means 0, and a count above the maximum is served as the maximum.
/// </summary>
public sealed record PageRequest(int StartIndex, int Count)
{
    public int StartIndex { get; } = StartIndex >= 1 ? StartIndex : throw new ArgumentOutOfRangeException(nameof(StartIndex));

    public int Count { get; } = Count >= 0 ? Count : throw new ArgumentOutOfRangeException(nameof(Count));

    /// <summary>Rows to skip: <c>StartIndex - 1</c>.</summary>
    public long Offset => StartIndex - 1L;

    public static PageRequest Normalize(long? startIndex, long? count, ScimServiceLimits limits)
    {
        var start = startIndex is null or < 1 ? 1 : (int)Math.Min(startIndex.Value, int.MaxValue);
        var size = count switch
        {
            null => limits.DefaultPageSize,
            < 0 => 0,
            _ => (int)Math.Min(count.Value, limits.MaxPageSize),
        };
        return new PageRequest(start, size);
    }

    /// <summary>
    /// From query-string values; <c>null</c> or blank means absent. Anything but an integer is <c>400 invalidValue</c>;
    /// an integer too large for 64 bits is clamped like any other out-of-range value.
    /// </summary>
    public static PageRequest Parse(string? startIndex, string? count, ScimServiceLimits limits) =>
        Normalize(ParseInteger("startIndex", startIndex), ParseInteger("count", count), limits);

    internal static long? ParseInteger(string name, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        var digits = trimmed.AsSpan(trimmed[0] is '+' or '-' ? 1 : 0);
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9'))
        {
            throw ScimException.InvalidValue($"'{name}' must be an integer.");
        }

        return long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : trimmed[0] == '-' ? long.MinValue : long.MaxValue;
    }

    internal static long? ReadInteger(string name, JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
        {
            if (value.TryGetValue<long>(out var integer))
            {
                return integer;
            }

            // A whole number written as 100.0 or 1e30: accepted, and clamped when beyond 64 bits.
            if (value.TryGetValue<double>(out var number) && Math.Floor(number) == number)
            {
                return number switch
                {
                    >= long.MaxValue => long.MaxValue,
                    <= long.MinValue => long.MinValue,
                    _ => (long)number,
                };
            }
        }

        throw ScimException.InvalidValue($"'{name}' must be an integer.");
    }
}
