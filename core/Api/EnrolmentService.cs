using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Security;
using ServiceHall.Protos.V1;

namespace ServiceHall.Core.Api;

/// <summary>
/// <c>servicehall.v1.Enrolment</c> at the city, the registration server: a registered node exchanges its one-time
/// token and a signing request for a certificate of the city's CA. The only call answered without a client certificate.
/// </summary>
public sealed class EnrolmentService(NodeTls tls, CatalogueRepository catalogue, SecurityStore security, ILogger<EnrolmentService> logger) : Enrolment.EnrolmentBase
{
    /// <inheritdoc />
    public override Task<EnrolReply> Enrol(EnrolRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authority = tls.Authority
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "this node issues no certificates: enrol at the city, which must run in secured mode"));
        if (!CatalogueRepository.IsValidNodeId(request.NodeId) || request.Token.Length is 0 or > 200)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "node_id must be a node id and token the token printed by `servicehall node register`"));
        }

        if (security.GetRevocation(request.NodeId) is not null)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"node {request.NodeId} is revoked"));
        }

        if (catalogue.GetNode(request.NodeId) is null)
        {
            throw Refused(request.NodeId);
        }

        System.Security.Cryptography.X509Certificates.X509Certificate2 certificate;
        try
        {
            // The request is checked before the token is spent: a malformed request does not burn it.
            certificate = authority.IssueFromRequest(request.NodeId, request.CsrPem);
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }

        using (certificate)
        {
            if (!security.RedeemToken(request.NodeId, request.Token))
            {
                throw Refused(request.NodeId);
            }

            logger.LogInformation("Enrolled node {Node}: certificate {Serial} valid until {NotAfter:O}", request.NodeId, certificate.SerialNumber, certificate.NotAfter);
            return Task.FromResult(new EnrolReply
            {
                CertificatePem = certificate.ExportCertificatePem(),
                CaCertificatePem = authority.Certificate.ExportCertificatePem(),
                NotAfter = Timestamp.FromDateTime(certificate.NotAfter.ToUniversalTime()),
            });
        }
    }

    /// <inheritdoc />
    public override Task<AuthorityReply> GetAuthority(GetAuthorityRequest request, ServerCallContext context) =>
        Task.FromResult(new AuthorityReply
        {
            CaCertificatePem = (tls.Authority ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "this node keeps no CA: ask the city, which must run in secured mode")))
                .Certificate.ExportCertificatePem(),
        });

    private static RpcException Refused(string nodeId) =>
        new(new Status(StatusCode.Unauthenticated, $"no live enrolment token for node {nodeId} matches: it is unknown, used or expired; register the node again for a new one"));
}
