using System.Globalization;

namespace Microservices.Roles.Api.Endpoints;

/// <summary>Weak entity tags over the row version (SCIM, RFC 7644 §3.14, uses weak tags with If-Match).</summary>
public static class Versions
{
    public static string ETag(long version) => $"W/\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>
    /// The versions an If-Match header accepts: null when there is no header (no precondition), empty when no tag in
    /// it can match (so the request fails with 412), and <c>[-1]</c> for <c>*</c> (any current version).
    /// </summary>
    public static IfMatch? ReadIfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        var versions = new List<long>();
        foreach (var part in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part == "*")
            {
                return new IfMatch(true, []);
            }

            var tag = part.StartsWith("W/", StringComparison.Ordinal) ? part[2..] : part;
            if (tag.Length >= 2 && tag[0] == '"' && tag[^1] == '"'
                && long.TryParse(tag.AsSpan(1, tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                versions.Add(version);
            }
        }

        return new IfMatch(false, versions);
    }
}

public sealed record IfMatch(bool Any, IReadOnlyList<long> Versions)
{
    public void Check(long current)
    {
        if (!Any && !Versions.Contains(current))
        {
            throw ApiProblemException.PreconditionFailed(current);
        }
    }
}
