using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceHall.Core.Api;
using ServiceHall.Core.Security;
using ServiceHall.Core.Store;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Core.Hosting;

/// <summary>How a node host wires its transport security (see docs/SECURITY.md).</summary>
public static class NodeSecurityHosting
{
    /// <summary>
    /// Registers the security store, and per mode: secured = the certificate authenticator of sync peers, mutual TLS to
    /// the parent and <see cref="CallerAuthorization"/> on every gRPC call; cleartext = the header claim, nothing else.
    /// </summary>
    public static IServiceCollection AddServiceHallSecurity(this IServiceCollection services, NodeTls tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        services.AddSingleton(new StoreComponent(SecurityStore.MigrationSet) { Statements = DialectStatements.Listed<SecuritySql> });
        services.AddSingleton<SecurityStore>();
        if (tls.Secured)
        {
            services.AddSingleton<ISyncPeerAuthenticator, CertificatePeerAuthenticator>();
            services.AddSingleton<ISyncParentTransport, MutualTlsParentTransport>();
            services.AddGrpc(o => o.Interceptors.Add<CallerAuthorization>());
        }
        else
        {
            services.AddSingleton<ISyncPeerAuthenticator, HeaderClaimAuthenticator>();
        }

        return services;
    }

    /// <summary>
    /// Secured: TLS with this node's certificate, HTTP/1.1 and HTTP/2 (ALPN; gRPC uses h2, a web UI may share the port),
    /// client certificates allowed (the enrolment call has none) and, when presented, verified against the city's CA;
    /// which calls require one is <see cref="CallerAuthorization"/>'s business. Cleartext: HTTP/2 without TLS (h2c).
    /// </summary>
    public static void ConfigureEndpoint(ListenOptions listen, NodeTls tls)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(tls);
        if (!tls.Secured)
        {
            listen.Protocols = HttpProtocols.Http2;
            return;
        }

        var trust = tls.Trust!;
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = tls.Certificate,
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            CheckCertificateRevocation = false,
            ClientCertificateValidation = (certificate, _, _) => trust.Check(certificate, NodeCertificates.ClientAuth) is null,
        });
    }

    /// <summary>Says at start-up which mode the node runs in; cleartext loudly.</summary>
    public static void LogMode(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var tls = services.GetRequiredService<NodeTls>();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("ServiceHall.Security");
        if (tls.Secured)
        {
            log.LogInformation("Secured mode: mutual TLS, certificate {Subject} valid until {NotAfter:O}, trust anchor {Ca}",
                tls.Certificate!.Subject, tls.Certificate.NotAfter, tls.Trust!.Ca.Subject);
        }
        else
        {
            log.LogWarning("CLEARTEXT MODE (--insecure-cleartext): no TLS, no certificates; sync peers are named by a header anybody can forge. For local development only, never on a real network.");
        }
    }
}
