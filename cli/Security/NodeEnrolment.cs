using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Profiles;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Security;

/// <summary>
/// The node side of enrolment: make a key pair in the node's data directory (the private key never leaves it), send a
/// signing request with the one-time token to the city's <c>Enrolment.Enrol</c>, and write the certificate and the
/// city's CA beside the key (<c>DATA/tls/node.key</c>, <c>node.crt</c>, <c>ca.crt</c>). The token carries the pin of the
/// city's CA; the city's TLS certificate must chain to a CA with that pin before the token is sent.
/// </summary>
internal static class NodeEnrolment
{
    /// <summary>Enrols <paramref name="nodeId"/> at <paramref name="city"/>; returns the certificate's end of validity.</summary>
    public static async Task<DateTimeOffset> EnrolAsync(Uri city, string nodeId, string token, string dataDir, string? host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(city);
        ArgumentNullException.ThrowIfNull(token);
        var parts = token.Split('.');
        if (parts.Length != 2 || parts[1].Length == 0)
        {
            throw new CommandFailedException("the token is not one printed by `servicehall node register` (<secret>.<CA pin>)");
        }

        if (city.Scheme != Uri.UriSchemeHttps)
        {
            throw new CommandFailedException($"--city {city} is not https: enrolment needs the city in secured mode");
        }

        var pin = parts[1];
        using var ca = await FetchPinnedCaAsync(city, pin, cancellationToken).ConfigureAwait(false);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={nodeId}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(AlternativeNames(host));
        // The token goes only to a server whose certificate chains to the pinned CA.
        using var channel = Channel(city, (_, certificate, _, errors) => CertificateChecks.IsFromCa(certificate, errors, ca));
        var reply = await new Enrolment.EnrolmentClient(channel).EnrolAsync(
            new EnrolRequest { NodeId = nodeId, Token = token, CsrPem = request.CreateSigningRequestPem() },
            deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout),
            cancellationToken: cancellationToken).ConfigureAwait(false);

        using var returnedCa = X509Certificate2.CreateFromPem(reply.CaCertificatePem);
        using var certificate = X509Certificate2.CreateFromPem(reply.CertificatePem);
        if (Pin(returnedCa) != pin || !certificate.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            throw new CommandFailedException("the city answered with a CA or certificate that does not match the token and this node's key; nothing written");
        }

        var tls = Path.Combine(Path.GetFullPath(dataDir), "tls");
        PemFiles.Write(Path.Combine(tls, "node.key"), key.ExportPkcs8PrivateKeyPem(), secret: true);
        PemFiles.Write(Path.Combine(tls, "node.crt"), reply.CertificatePem, secret: false);
        PemFiles.Write(Path.Combine(tls, "ca.crt"), reply.CaCertificatePem, secret: false);
        return reply.NotAfter.ToDateTimeOffset();
    }

    /// <summary>
    /// The city's CA certificate, fetched over a connection that checks nothing (nothing secret travels on it) and
    /// accepted only if its SHA-256 is the pin in the token.
    /// </summary>
    private static async Task<X509Certificate2> FetchPinnedCaAsync(Uri city, string pin, CancellationToken ct)
    {
        using var channel = Channel(city, (_, _, _, _) => true);
        var reply = await new Enrolment.EnrolmentClient(channel).GetAuthorityAsync(new GetAuthorityRequest(),
            deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout), cancellationToken: ct).ConfigureAwait(false);
        var ca = X509Certificate2.CreateFromPem(reply.CaCertificatePem);
        if (Pin(ca) != pin)
        {
            ca.Dispose();
            throw new CommandFailedException($"the CA at {city} does not match the pin in the token: this is not the city that issued it; nothing sent");
        }

        return ca;
    }

    private static GrpcChannel Channel(Uri city, RemoteCertificateValidationCallback check) => GrpcChannel.ForAddress(city, new GrpcChannelOptions
    {
        MaxRetryAttempts = 0,
        HttpHandler = new SocketsHttpHandler
        {
            ConnectTimeout = NodeChannel.ConnectTimeout,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = check },
        },
    });

    /// <summary>Base64url SHA-256 of a certificate, as the city prints it in a token.</summary>
    public static string Pin(X509Certificate2 certificate) => System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(certificate.RawData));

    private static X509Extension AlternativeNames(string? host)
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        if (!string.IsNullOrEmpty(host))
        {
            if (IPAddress.TryParse(host, out var ip))
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
}
