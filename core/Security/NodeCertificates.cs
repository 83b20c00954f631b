using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServiceHall.Core.Security;

/// <summary>What a certificate of the city's CA stands for: a node (syncs) or an operator (administers).</summary>
public enum CertificateKind
{
    /// <summary>A node of the network: subject CN = node id, OU = <c>node</c>.</summary>
    Node,

    /// <summary>An operator: subject CN = operator name, OU = <c>operator</c>.</summary>
    Operator,
}

/// <summary>The identity a certificate of the city's CA carries.</summary>
/// <param name="Name">Node id (or operator name): the subject CN.</param>
/// <param name="Kind">Node or operator: the subject OU.</param>
public sealed record CertificateIdentity(string Name, CertificateKind Kind);

/// <summary>Names and extensions of the certificates the city's CA issues (see docs/SECURITY.md).</summary>
public static class NodeCertificates
{
    /// <summary>OID of server authentication.</summary>
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");

    /// <summary>OID of client authentication.</summary>
    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private const string CommonNameOid = "2.5.4.3";
    private const string UnitOid = "2.5.4.11";

    /// <summary>The subject of a certificate for <paramref name="name"/>.</summary>
    public static X500DistinguishedName Subject(string name, CertificateKind kind)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddOrganizationName("ServiceHall");
        builder.AddOrganizationalUnitName(kind == CertificateKind.Node ? "node" : "operator");
        builder.AddCommonName(name);
        return builder.Build();
    }

    /// <summary>The identity of a certificate issued by the city's CA, or null if its subject is not one of ours.</summary>
    public static CertificateIdentity? Identify(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        string? name = null, unit = null;
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                return null;
            }

            switch (rdn.GetSingleElementType().Value)
            {
                case CommonNameOid:
                    name = name is null ? rdn.GetSingleElementValue() : null;
                    break;
                case UnitOid:
                    unit = rdn.GetSingleElementValue();
                    break;
            }
        }

        var kind = unit switch
        {
            "node" => CertificateKind.Node,
            "operator" => CertificateKind.Operator,
            _ => (CertificateKind?)null,
        };
        return string.IsNullOrEmpty(name) || kind is null ? null : new CertificateIdentity(name, kind.Value);
    }

    /// <summary>A new P-256 key pair.</summary>
    public static ECDsa NewKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The subject alternative names a node serves under: loopback always, plus the host it listens on.</summary>
    public static X509Extension AlternativeNames(string? host)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        if (!string.IsNullOrEmpty(host) && host is not ("localhost" or "127.0.0.1" or "[::1]" or "0.0.0.0" or "[::]" or "*" or "+"))
        {
            if (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(host);
            }
        }

        return san.Build();
    }

    /// <summary>Base64url SHA-256 of a certificate: the pin an enrolling node checks the city's CA against.</summary>
    public static string Pin(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(certificate.RawData));
    }
}
