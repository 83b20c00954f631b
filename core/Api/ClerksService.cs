using Grpc.Core;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Nodes;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Api;

/// <summary>The <c>servicehall.v1.Clerks</c> gRPC service: clerk management by city administrators, and who-am-I.</summary>
public sealed class ClerksService(ClerkRegistry registry, NodeIdentity node) : P.Clerks.ClerksBase
{
    /// <inheritdoc />
    public override Task<P.ClerkInfo> AddClerk(P.AddClerkRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ClerkCalls.Require(context, c => ClerkPermissions.Administer(c, node));
        var role = request.Role switch
        {
            P.ClerkRole.Unspecified => throw new RpcException(new Status(StatusCode.InvalidArgument, "role is required: window, reviewer, manager, operator or administrator.")),
            var r when Enum.IsDefined(r) => (ClerkRole)(int)r,
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"Unknown role {request.Role}.")),
        };
        var name = string.IsNullOrWhiteSpace(request.Name) ? request.Id : request.Name;
        return Run(() => registry.Add(request.Id, request.NodeId, request.Department, role, name, request.Secret));
    }

    /// <inheritdoc />
    public override Task<P.ListClerksReply> ListClerks(P.ListClerksRequest request, ServerCallContext context)
    {
        var caller = ClerkCalls.Require(context, c => ClerkPermissions.Operate(c, node));
        var reply = new P.ListClerksReply();
        reply.Clerks.AddRange(registry.List().Where(c => Sync.Engine.Scope.Contains(caller.Scope, c.Scope)).Select(ToProto));
        return Task.FromResult(reply);
    }

    /// <inheritdoc />
    public override Task<P.ClerkInfo> SetClerkDisabled(P.SetClerkDisabledRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = ClerkCalls.Require(context, c => ClerkPermissions.Administer(c, node));
        if (request.Disabled && string.Equals(caller.Id, request.Id, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "An administrator cannot disable itself; sign in as another administrator."));
        }

        return Run(() => registry.SetDisabled(request.Id, request.Disabled));
    }

    /// <inheritdoc />
    public override Task<P.ClerkInfo> ResetClerkSecret(P.ResetClerkSecretRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ClerkCalls.Require(context, c => ClerkPermissions.Administer(c, node));
        return Run(() => registry.ResetSecret(request.Id, request.Secret));
    }

    /// <inheritdoc />
    public override Task<P.ClerkInfo> WhoAmI(P.WhoAmIRequest request, ServerCallContext context) =>
        Task.FromResult(ToProto(ClerkCalls.Require(context)));

    /// <summary>The contract shape of a clerk.</summary>
    public static P.ClerkInfo ToProto(Clerk c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new P.ClerkInfo
        {
            Id = c.Id, NodeId = c.NodeId, Scope = c.Scope, Department = c.Department, Role = (P.ClerkRole)(int)c.Role, Name = c.Name, Disabled = c.Disabled,
        };
    }

    private static Task<P.ClerkInfo> Run(Func<Clerk> change)
    {
        try
        {
            return Task.FromResult(ToProto(change()));
        }
        catch (ClerkException e)
        {
            var code = e.Kind switch
            {
                ClerkErrorKind.InvalidArgument => StatusCode.InvalidArgument,
                ClerkErrorKind.NotFound => StatusCode.NotFound,
                ClerkErrorKind.AlreadyExists => StatusCode.AlreadyExists,
                _ => StatusCode.FailedPrecondition,
            };
            throw new RpcException(new Status(code, e.Message));
        }
    }
}
