using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Microservices.ScimEdge.Api.ApiKeys;

/// <summary>
/// API key secrets: 256 random bits behind a recognisable prefix (so secret scanners and people can tell what leaked),
/// stored only as their SHA-256 digest. A slow KDF buys nothing for 256-bit random secrets and would cost CPU on
/// every SCIM request; the digest is looked up through a unique index, so no comparison ever touches the secret.
/// </summary>
public static class ApiKeySecret
{
    public const string Prefix = "ascim_";

    private const int SecretBytes = 32;

    public static readonly int Length = Prefix.Length + Base64Url.GetEncodedLength(SecretBytes);

    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 bytes: what the database holds and the cache is keyed by.</summary>
    public static string Digest(string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Whether the text could be a key at all: anything else is refused without a database lookup.</summary>
    public static bool HasKeyShape(ReadOnlySpan<char> candidate) =>
        candidate.Length == Length
        && candidate.StartsWith(Prefix, StringComparison.Ordinal)
        && IsBase64UrlAlphabet(candidate[Prefix.Length..]);

    private static bool IsBase64UrlAlphabet(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
