using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Core.Security;

/// <summary>
/// The node's transport security, fixed at start: secured (mutual TLS with certificates of the city's CA) or the
/// explicit cleartext development mode, in which every TLS member is null.
/// </summary>
public sealed class NodeTls : IDisposable
{
    private NodeTls(TlsFiles files, X509Certificate2? certificate, CertificateTrust? trust, CertificateAuthority? authority)
    {
        Files = files;
        Certificate = certificate;
        Trust = trust;
        Authority = authority;
    }

    /// <summary>True in mutual TLS mode; false in the cleartext development mode.</summary>
    public bool Secured => Certificate is not null;

    /// <summary>Where the TLS material lives.</summary>
    public TlsFiles Files { get; }

    /// <summary>This node's certificate with its key (server and client certificate), null in cleartext mode.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The city's CA as trust anchor, null in cleartext mode.</summary>
    public CertificateTrust? Trust { get; }

    /// <summary>The certificate authority: at the city in secured mode only.</summary>
    public CertificateAuthority? Authority { get; }

    /// <summary>The cleartext development mode: no certificates, callers named by a header claim.</summary>
    public static NodeTls Cleartext(string dataDir) => new(new TlsFiles(dataDir), null, null, null);

    /// <summary>
    /// Secured mode. The city creates its CA, its own certificate and the operator's at its first start; another node
    /// must have enrolled (its certificate is in <c>&lt;data&gt;/tls/</c>), else this throws <see cref="NodeTlsException"/> with what to do.
    /// </summary>
    public static NodeTls Secure(string dataDir, string nodeId, bool isCity, string? host, TimeProvider time)
    {
        var files = new TlsFiles(dataDir);
        var authority = isCity ? CertificateAuthority.LoadOrCreate(files, nodeId, host, time) : null;
        if (!files.IsEnrolled)
        {
            throw new NodeTlsException(
                $"node {nodeId} holds no certificate in {files.Directory}: register it at the city (servicehall node register) and enrol it " +
                $"(servicehall node enrol --city https://<city> --id {nodeId} --token <token> --data {dataDir}), or run it with --insecure-cleartext for local development only.");
        }

        var certificate = files.LoadNodeCertificate();
        var identity = NodeCertificates.Identify(certificate);
        if (identity is null || identity.Kind != CertificateKind.Node || !string.Equals(identity.Name, nodeId, StringComparison.Ordinal))
        {
            throw new NodeTlsException($"the certificate in {files.NodeCertificate} is not a node certificate for {nodeId} (subject {certificate.Subject}): enrol this node again.");
        }

        return new NodeTls(files, certificate, new CertificateTrust(files.LoadCaCertificate(), time), authority);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Certificate?.Dispose();
        Trust?.Ca.Dispose();
        Authority?.Dispose();
    }
}

/// <summary>The node cannot run secured with the TLS material it holds; the message says what to do (the host reports it as an invalid option).</summary>
public sealed class NodeTlsException(string message) : Exception(message);

/// <summary>The channel to the parent in secured mode: this node's certificate as client certificate, the parent's checked against the city's CA.</summary>
public sealed class MutualTlsParentTransport(NodeTls tls) : ISyncParentTransport
{
    /// <inheritdoc />
    public HttpMessageHandler CreateHandler()
    {
        var trust = tls.Trust ?? throw new InvalidOperationException("mutual TLS needs the secured mode");
        return new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [tls.Certificate!],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => trust.CheckServer(certificate, errors),
            },
        };
    }
}
