using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ServiceHall.Core.Security;

/// <summary>
/// Checks certificates against the city's CA only (a custom root, never the machine's store), at the time of the
/// injected clock. The network's own revocation is the node registry, checked on every sync call; no CRL is fetched.
/// </summary>
public sealed class CertificateTrust(X509Certificate2 ca, TimeProvider time)
{
    /// <summary>The trust anchor.</summary>
    public X509Certificate2 Ca { get; } = ca;

    /// <summary>Null if <paramref name="certificate"/> chains to the CA, is valid now and allows <paramref name="usage"/>; else why not.</summary>
    public string? Check(X509Certificate2 certificate, System.Security.Cryptography.Oid usage)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(usage);
        if (chain.Build(certificate))
        {
            return null;
        }

        return string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal));
    }

    /// <summary>
    /// Server certificate check of a TLS client (a child calling its parent, the CLI calling a node): the name must
    /// match the URL; the chain is checked against the CA here (the platform's own check does not know it).
    /// </summary>
    public bool CheckServer(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var server = new X509Certificate2(certificate);
        return Check(server, NodeCertificates.ServerAuth) is null;
    }
}
