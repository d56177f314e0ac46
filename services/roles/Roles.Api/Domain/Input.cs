using Microservices.Roles.Api.Endpoints;

namespace Microservices.Roles.Api.Domain;

/// <summary>
/// Checks on every string that reaches SQL. PostgreSQL text cannot hold NUL and a lone surrogate cannot be encoded
/// as UTF-8, so both must be refused here as 400s rather than surface as driver errors (500s).
/// </summary>
public static class Input
{
    public const int MaxTextLength = 256;

    /// <summary>Ids in routes: anything that is not a plausible stored id cannot name a row, so it is a 404, not a 400.</summary>
    public const int MaxIdLength = 64;

    /// <summary>One list of members in one request (a PUT carries the whole group).</summary>
    public const int MaxMembersPerList = 100_000;

    /// <summary>The case-insensitive form of an external id / displayName, compared and indexed as plain text.</summary>
    public static string Normalise(string value) => value.ToUpperInvariant();

    public static string Required(string? value, string field) =>
        Optional(value, field) ?? throw ApiProblemException.InvalidValue(field, $"{field} is required.");

    public static string? Optional(string? value, string field)
    {
        if (value is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw ApiProblemException.InvalidValue(field, $"{field} must not be empty or blank; send null to clear it.");
        }

        if (value.Length > MaxTextLength)
        {
            throw ApiProblemException.InvalidValue(field, $"{field} is longer than {MaxTextLength} characters.");
        }

        if (!IsClean(value))
        {
            throw ApiProblemException.InvalidValue(field, $"{field} contains control characters or invalid UTF-16.");
        }

        return value;
    }

    /// <summary>Validates a list of user ids and removes duplicates, keeping the first occurrence's order.</summary>
    public static string[] UserIds(IReadOnlyList<string?>? values, string field)
    {
        if (values is null)
        {
            return [];
        }

        if (values.Count > MaxMembersPerList)
        {
            throw ApiProblemException.InvalidValue(field, $"{field} has more than {MaxMembersPerList} entries.");
        }

        var seen = new HashSet<string>(values.Count, StringComparer.Ordinal);
        var result = new List<string>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            var name = $"{field}[{i}]";
            if (value is null || string.IsNullOrWhiteSpace(value))
            {
                throw ApiProblemException.InvalidValue(name, $"{name} must be a non-empty user id.");
            }

            if (value.Length > MaxTextLength || !IsClean(value))
            {
                throw ApiProblemException.InvalidValue(name, $"{name} is not a valid user id.");
            }

            if (seen.Add(value))
            {
                result.Add(value);
            }
        }

        return [.. result];
    }

    /// <summary>True when <paramref name="id"/> could be a stored id; anything else is answered 404 without a query.</summary>
    public static bool IsPlausibleId(string id) => id.Length is > 0 and <= MaxIdLength && IsClean(id);

    public static bool IsClean(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
