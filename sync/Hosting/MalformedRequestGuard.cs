using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceHall.Sync.Hosting;

/// <summary>
/// Answers a request message that is not valid protobuf with <c>INVALID_ARGUMENT</c> instead of grpc-dotnet's
/// <c>UNKNOWN</c> ("Exception was thrown by handler."): a hostile or broken client gets a precise status, and the
/// server logs a refusal rather than a handler crash. Nothing of such a call reaches the service.
/// </summary>
/// <remarks>
/// grpc-dotnet parses a unary request before any interceptor or service code runs, and maps every exception of the
/// parse to <c>UNKNOWN</c> except an <see cref="RpcException"/>, whose status it keeps. So this replaces grpc-dotnet's
/// default method provider (which binds the generated <c>BindService</c>) with one that binds the same methods with a
/// request marshaller whose parse failure is an <see cref="RpcException"/>. Service, method names, handlers and
/// endpoint metadata are bound as the default provider binds them.
/// </remarks>
public static class MalformedRequestGuard
{
    /// <summary>
    /// What grpc-dotnet keeps of a service type when the program is trimmed (its <c>IGrpcServiceActivator</c> and
    /// <c>IServiceMethodProvider</c> ask the same, and so does core's <c>ContainerServiceActivation</c>): constructors to build it, methods to bind and call.
    /// </summary>
    public const DynamicallyAccessedMemberTypes GrpcServiceMembers =
        DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods;

    /// <summary>
    /// Makes every gRPC service of the host refuse malformed request messages with <c>INVALID_ARGUMENT</c>. Call it after
    /// the host's last <c>AddGrpc</c> (and AddGrpcReflection, AddGrpcHealthChecks, which call it): each of those puts
    /// grpc-dotnet's default binder back, and a host that does so after the guard fails at its first request with a
    /// message saying this, rather than mapping every method twice.
    /// </summary>
    public static IGrpcServerBuilder AddMalformedRequestGuard(this IGrpcServerBuilder grpc)
    {
        ArgumentNullException.ThrowIfNull(grpc);
        var services = grpc.Services;

        // grpc-dotnet's own provider binds the same methods: it must go, or every method would be mapped twice.
        foreach (var descriptor in services.Where(IsDefaultBinder).ToList())
        {
            services.Remove(descriptor);
        }

        if (!services.Any(d => d.ServiceType == typeof(GuardRegistration)))
        {
            services.AddSingleton(new GuardRegistration(services));
            services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(GuardedServiceMethodProvider<>));
        }

        return grpc;
    }

    private static bool IsDefaultBinder(ServiceDescriptor d) =>
        d.ServiceType == typeof(IServiceMethodProvider<>) && d.ImplementationType is { Name: "BinderServiceMethodProvider`1" };

    /// <summary>The request marshaller of <paramref name="method"/> with parse failures turned into <c>INVALID_ARGUMENT</c>.</summary>
    internal static Marshaller<T> Guard<T>(Marshaller<T> marshaller, string method) => new(
        marshaller.ContextualSerializer,
        context =>
        {
            try
            {
                return marshaller.ContextualDeserializer(context);
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"the request is not a valid {typeof(T).Name} message for {method}: {ex.Message}"));
            }
        });

    /// <summary>Binds a generated service (its <c>BindService</c>) with guarded request marshallers.</summary>
    private sealed class GuardedServiceMethodProvider<[DynamicallyAccessedMembers(GrpcServiceMembers)] TService>(GuardRegistration registration) : IServiceMethodProvider<TService>
        where TService : class
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
        {
            if (registration.Services.Any(IsDefaultBinder))
            {
                throw new InvalidOperationException(
                    $"gRPC was registered again (AddGrpc, AddGrpcReflection or AddGrpcHealthChecks) after {nameof(AddMalformedRequestGuard)}, which put grpc-dotnet's default "
                    + $"method binder back: every method of {typeof(TService).Name} would be mapped twice. Call {nameof(AddMalformedRequestGuard)} after the host's last gRPC registration.");
            }

            // As grpc-dotnet: the generated base class carries [BindServiceMethod(typeof(X), "BindService")].
            for (var type = typeof(TService); type is not null; type = type.BaseType)
            {
                if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is not { } bind)
                {
                    continue;
                }

                var bindService = bind.BindType.GetMethod(
                    bind.BindMethodName,
                    BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static,
                    [typeof(ServiceBinderBase), type]) ?? throw new InvalidOperationException($"{bind.BindType}.{bind.BindMethodName} not found for {typeof(TService)}.");
                bindService.Invoke(null, [new Binder<TService>(context, type), null]);
                return;
            }
        }
    }

    /// <summary>The service collection the guard was added to, to tell at start whether the default binder came back.</summary>
    private sealed record GuardRegistration(IServiceCollection Services);

    /// <summary>Receives each method from the generated <c>BindService</c> and adds it with a guarded request marshaller.</summary>
    private sealed class Binder<[DynamicallyAccessedMembers(GrpcServiceMembers)] TService>(ServiceMethodProviderContext<TService> context, Type declaringType) : ServiceBinderBase
        where TService : class
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            context.AddUnaryMethod(Guarded(method), Metadata(method, out var info), Invoker<UnaryServerMethod<TService, TRequest, TResponse>>(info));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddClientStreamingMethod(Guarded(method), Metadata(method, out var info), Invoker<ClientStreamingServerMethod<TService, TRequest, TResponse>>(info));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddServerStreamingMethod(Guarded(method), Metadata(method, out var info), Invoker<ServerStreamingServerMethod<TService, TRequest, TResponse>>(info));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddDuplexStreamingMethod(Guarded(method), Metadata(method, out var info), Invoker<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(info));

        private static Method<TRequest, TResponse> Guarded<TRequest, TResponse>(Method<TRequest, TResponse> method) =>
            new(method.Type, method.ServiceName, method.Name, Guard(method.RequestMarshaller, method.FullName), method.ResponseMarshaller);

        private static TDelegate Invoker<TDelegate>(MethodInfo handler)
            where TDelegate : Delegate => (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler);

        /// <summary>The service's override of the generated method, and the endpoint metadata grpc-dotnet would give it.</summary>
        private List<object> Metadata(IMethod method, out MethodInfo handler)
        {
            handler = typeof(TService).GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(m => m.Name == method.Name && m.IsVirtual && m.GetBaseDefinition().DeclaringType == declaringType)
                ?? throw new InvalidOperationException($"Could not find '{method.Name}' on {typeof(TService)}.");
            List<object> metadata = [.. typeof(TService).GetCustomAttributes(inherit: true), .. handler.GetCustomAttributes(inherit: true)];
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            return metadata;
        }
    }
}
