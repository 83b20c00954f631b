using System.Security.Cryptography;
using System.Text;

namespace ServiceHall.Core.Clerks;

/// <summary>A stored secret: PBKDF2-HMAC-SHA256 of the clerk's secret with a per-clerk salt.</summary>
/// <param name="Salt">Base64 of 16 random bytes.</param>
/// <param name="Hash">Base64 of the 32-byte derived key.</param>
/// <param name="Iterations">PBKDF2 iteration count (kept per row so it can be raised for new secrets).</param>
public sealed record StoredSecret(string Salt, string Hash, int Iterations);

/// <summary>Hashing and checking clerk secrets (System.Security.Cryptography PBKDF2, constant-time compare).</summary>
public static class ClerkSecrets
{
    /// <summary>PBKDF2 iterations for new secrets.</summary>
    public const int DefaultIterations = 100_000;

    /// <summary>Shortest accepted secret.</summary>
    public const int MinLength = 12;

    /// <summary>Longest accepted secret.</summary>
    public const int MaxLength = 200;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Hashes <paramref name="secret"/> with a fresh random salt.</summary>
    public static StoredSecret Hash(string secret, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return new StoredSecret(Convert.ToBase64String(salt), Convert.ToBase64String(hash), iterations);
    }

    /// <summary>True if <paramref name="secret"/> matches <paramref name="stored"/>; the comparison takes the same time wherever they differ.</summary>
    public static bool Verify(string secret, StoredSecret stored)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(stored);
        var expected = Convert.FromBase64String(stored.Hash);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), Convert.FromBase64String(stored.Salt), stored.Iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>A new random secret (URL-safe base64 of 24 random bytes, 32 characters).</summary>
    public static string Generate() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    /// <summary>Null if <paramref name="secret"/> is acceptable, else why not.</summary>
    public static string? Check(string? secret) =>
        secret is null || secret.Length < MinLength ? $"A secret has at least {MinLength} characters."
        : secret.Length > MaxLength ? $"A secret has at most {MaxLength} characters."
        : null;
}
