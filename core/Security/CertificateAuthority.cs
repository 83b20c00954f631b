using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServiceHall.Core.Security;

/// <summary>
/// The city's certificate authority, made with System.Security.Cryptography alone: a self-signed P-256 CA created
/// at the city's first secured start (key in <c>tls/ca.key</c>, owner-only), which signs node certificates from
/// their signing requests (the node keeps its private key) and, at creation, the city's own node certificate and the
/// bootstrap operator certificate. Validity runs from the injected clock.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    /// <summary>Validity of the CA certificate.</summary>
    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);

    /// <summary>Validity of a node or operator certificate.</summary>
    public static readonly TimeSpan CertificateLifetime = TimeSpan.FromDays(365);

    /// <summary>Largest signing request accepted (PEM characters).</summary>
    public const int MaxRequestLength = 16 * 1024;

    // Clocks of a village PC drift; a certificate is valid from a little before it was issued.
    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(10);

    private readonly X509Certificate2 _ca;
    private readonly TimeProvider _time;

    private CertificateAuthority(X509Certificate2 ca, TimeProvider time)
    {
        _ca = ca;
        _time = time;
    }

    /// <summary>The CA certificate (public).</summary>
    public X509Certificate2 Certificate => _ca;

    /// <summary>
    /// Loads the CA from <paramref name="files"/>, or creates it (with the city's node certificate for
    /// <paramref name="cityId"/> serving on <paramref name="host"/>, and the operator certificate) if the city has none.
    /// </summary>
    public static CertificateAuthority LoadOrCreate(TlsFiles files, string cityId, string? host, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(time);
        if (File.Exists(files.CaKey) && File.Exists(files.CaCertificate))
        {
            return new CertificateAuthority(TlsFiles.LoadWithKey(files.CaCertificate, files.CaKey), time);
        }

        var now = time.GetUtcNow();
        using var key = NodeCertificates.NewKey();
        var request = new CertificateRequest($"CN=ServiceHall CA ({cityId}), O=ServiceHall", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var created = request.CreateSelfSigned(now - Backdate, now + CaLifetime);
        TlsFiles.WritePrivate(files.CaKey, TlsFiles.KeyPem(key));
        TlsFiles.WritePublic(files.CaCertificate, created.ExportCertificatePem());
        var ca = new CertificateAuthority(TlsFiles.LoadWithKey(files.CaCertificate, files.CaKey), time);
        ca.IssueToFiles(cityId, CertificateKind.Node, host, files.NodeCertificate, files.NodeKey);
        ca.IssueToFiles("operator", CertificateKind.Operator, host: null, files.OperatorCertificate, files.OperatorKey);
        return ca;
    }

    /// <summary>
    /// Signs a node certificate for <paramref name="nodeId"/> from a PEM signing request. The request's signature must
    /// verify; its public key and subject alternative names are used, its subject is not (the certificate is named
    /// after the registered node).
    /// </summary>
    /// <exception cref="ArgumentException">The request is too long, malformed or its signature does not verify.</exception>
    public X509Certificate2 IssueFromRequest(string nodeId, string requestPem)
    {
        ArgumentNullException.ThrowIfNull(requestPem);
        if (requestPem.Length > MaxRequestLength)
        {
            throw new ArgumentException($"the signing request is longer than {MaxRequestLength} characters", nameof(requestPem));
        }

        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequestPem(requestPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException($"the signing request cannot be read or its signature does not verify: {ex.Message}", nameof(requestPem), ex);
        }

        // Only the alternative names are taken from the request; every other extension is the CA's to set.
        var names = request.CertificateExtensions.FirstOrDefault(e => e.Oid?.Value == "2.5.29.17") ?? NodeCertificates.AlternativeNames(null);
        return Issue(nodeId, CertificateKind.Node, request.PublicKey, names);
    }

    /// <summary>Issues a certificate and a new key for <paramref name="name"/> and writes both (key owner-only).</summary>
    public void IssueToFiles(string name, CertificateKind kind, string? host, string certificatePath, string keyPath)
    {
        using var key = NodeCertificates.NewKey();
        var request = new CertificateRequest(NodeCertificates.Subject(name, kind), key, HashAlgorithmName.SHA256);
        using var certificate = Issue(name, kind, request.PublicKey, NodeCertificates.AlternativeNames(host));
        TlsFiles.WritePrivate(keyPath, TlsFiles.KeyPem(key));
        TlsFiles.WritePublic(certificatePath, certificate.ExportCertificatePem());
    }

    /// <inheritdoc />
    public void Dispose() => _ca.Dispose();

    private X509Certificate2 Issue(string name, CertificateKind kind, PublicKey publicKey, X509Extension alternativeNames)
    {
        var now = _time.GetUtcNow();
        var request = new CertificateRequest(NodeCertificates.Subject(name, kind), publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usages = new OidCollection { NodeCertificates.ClientAuth };
        if (kind == CertificateKind.Node)
        {
            usages.Add(NodeCertificates.ServerAuth); // a node serves its children and calls its parent with one certificate
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        request.CertificateExtensions.Add(alternativeNames);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        var notAfter = now + CertificateLifetime;
        if (notAfter > _ca.NotAfter)
        {
            notAfter = _ca.NotAfter;
        }

        return request.Create(_ca, now - Backdate, notAfter, NewSerial());
    }

    private static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        serial[0] |= 0x01; // no leading zero byte
        return serial;
    }
}
