using System.Diagnostics.CodeAnalysis;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceHall.Sync.Hosting;

namespace ServiceHall.Core.Hosting;

/// <summary>
/// Makes grpc-dotnet take a service instance from the container, where each module registers the services it maps, and
/// build one that is not registered (a library's, such as the health service) by reflection.
/// </summary>
/// <remarks>
/// grpc-dotnet's default activator builds a service that is not registered through <c>ActivatorUtilities.CreateFactory</c>,
/// which compiles an expression tree per service type on its first call: that loads System.Linq.Expressions and JITs the
/// expression compiler (about 3 MiB of a village's resident set) for a constructor call the container makes anyway.
/// </remarks>
public static class ContainerServiceActivation
{
    /// <summary>Replaces grpc-dotnet's service activator. Call after <c>AddGrpc</c>.</summary>
    public static IGrpcServerBuilder AddContainerServiceActivation(this IGrpcServerBuilder grpc)
    {
        ArgumentNullException.ThrowIfNull(grpc);
        grpc.Services.Replace(ServiceDescriptor.Singleton(typeof(IGrpcServiceActivator<>), typeof(ContainerServiceActivator<>)));
        return grpc;
    }

    private sealed class ContainerServiceActivator<[DynamicallyAccessedMembers(MalformedRequestGuard.GrpcServiceMembers)] TService> : IGrpcServiceActivator<TService>
        where TService : class
    {
        public GrpcActivatorHandle<TService> Create(IServiceProvider serviceProvider) =>
            serviceProvider.GetService<TService>() is { } registered
                ? new(registered, created: false, state: null)
                : new(ActivatorUtilities.CreateInstance<TService>(serviceProvider), created: true, state: null);

        // A registered instance belongs to the container (a scoped one is disposed with the call's scope); one built here is ours.
        public ValueTask ReleaseAsync(GrpcActivatorHandle<TService> service)
        {
            if (service.Created)
            {
                switch (service.Instance)
                {
                    case IAsyncDisposable asyncDisposable:
                        return asyncDisposable.DisposeAsync();
                    case IDisposable disposable:
                        disposable.Dispose();
                        break;
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
