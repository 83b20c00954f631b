using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync;
using ServiceHall.Sync.Hosting;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Core.Hosting;

/// <summary>
/// The whole life of a node program: read options, refuse bad ones with a message that names the
/// option and the fix, build the host, migrate the store, serve until SIGTERM or Ctrl-C.
/// </summary>
public static class NodeProgram
{
    /// <summary>Exit code for invalid options.</summary>
    public const int ExitBadOptions = 2;

    /// <summary>Exit code for a store this program cannot use (written by a newer version, unreachable, damaged).</summary>
    public const int ExitBadStore = 3;

    /// <summary>
    /// Runs a node of <paramref name="level"/> until it is stopped; returns the process exit code.
    /// <paramref name="addWeb"/> and <paramref name="mapWeb"/> are the web front desk module, added only to a node that has a
    /// web address (see <see cref="Build"/>). <paramref name="stores"/> are the store providers the program adds to the
    /// built-in SQLite (the city and township programs add SQL Server's, <c>SqlServerStore.Provider</c>).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, NodeLevel level, Action<WebApplicationBuilder>? addWeb = null, Action<WebApplication>? mapWeb = null,
        params StoreProviderDescriptor[] stores)
    {
        var program = $"servicehall-{NodeLevels.Name(level)}-node";
        WebApplication app;
        try
        {
            app = Build(args, level, addWeb, mapWeb, TimeProvider.System, stores);
        }
        catch (NodeOptionsException ex)
        {
            await Console.Error.WriteLineAsync($"{program}: cannot start, the options are not valid:");
            foreach (var e in ex.Errors)
            {
                await Console.Error.WriteLineAsync("  - " + e);
            }

            return ExitBadOptions;
        }

        await using (app)
        {
            try
            {
                app.InitializeServiceHallStore();
            }
            catch (Exception ex) when (ex is StoreSchemaTooNewException or StoreUnavailableException)
            {
                await Console.Error.WriteLineAsync($"{program}: cannot start: {ex.Message}");
                return ExitBadStore;
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                var path = app.Services.GetRequiredService<StoreProvider>().Location;
                await Console.Error.WriteLineAsync(
                    $"{program}: cannot start: the store {path} cannot be opened ({ex.Message}). " +
                    "If the file is damaged, move it aside and start again: the node rebuilds the catalogue and its own cases from its parent.");
                return ExitBadStore;
            }
            catch (System.Data.Common.DbException ex)
            {
                // A server store that refused a step of the start (e.g. a login without the rights docs/OPERATIONS.md lists).
                var store = app.Services.GetRequiredService<StoreProvider>();
                await Console.Error.WriteLineAsync(
                    $"{program}: cannot start: the {store.Name} store {store.Location} refused a step of the start ({ex.Message}). " +
                    "Check the login's permissions in docs/OPERATIONS.md.");
                return ExitBadStore;
            }

            await app.RunAsync();
            return 0;
        }
    }

    /// <summary>
    /// Builds (does not start) a node host. Throws <see cref="NodeOptionsException"/> for invalid options.
    /// Tests use it to host real nodes on Kestrel with a fake clock.
    /// The web module (<paramref name="addWeb"/>, <paramref name="mapWeb"/>) is added only when the node has a web address
    /// (<c>--web-listen</c>): browsers cannot reach pages over the h2c listen URL, and a node without one (most villages,
    /// every node in the scale bench) would otherwise load and JIT the pages, cookie authentication, anti-forgery and data
    /// protection for nothing (about 17 MiB of a village's resident set; see docs/BENCHMARKS.md).
    /// <paramref name="stores"/> are the store providers added to the built-in SQLite.
    /// </summary>
    public static WebApplication Build(string[] args, NodeLevel level, Action<WebApplicationBuilder>? addWeb, Action<WebApplication>? mapWeb, TimeProvider time,
        params StoreProviderDescriptor[] stores)
    {
        var registry = new StoreProviderRegistry(stores);
        // The cleartext flag is a bare switch; the configuration reader wants a value.
        args = [.. args.Select(a => a == NodeHostingExtensions.InsecureCleartextSwitch ? "--Node:InsecureCleartext=true" : a)];
        // Options are bound once at start, so appsettings are not watched: each watcher costs an inotify instance, and a
        // machine running many nodes (devnet, tests) ran out of them and nodes died at start.
        // The slim builder: a node binds its own endpoints in code (ListenOptions.UseHttps works there as well) and logs
        // through Serilog, so it has no use for what the full builder loads at start (IIS integration, HTTP/3 over QUIC,
        // HTTPS endpoints from configuration, regex route constraints, the Debug and EventSource log providers): 2 MiB of
        // a village's peak resident set.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddEnvironmentVariables("SERVICEHALL_");
        builder.Configuration.AddCommandLine(args, SwitchMappingsCopy());

        // The one place options are bound and validated; the host gets them as they are here.
        var options = NodeOptions.Bind(builder.Configuration, out var levelError);
        var result = new NodeOptionsValidator(level, registry).Validate(null, options);
        List<string> errors = result.Failed ? [.. result.Failures] : [];
        if (levelError is not null)
        {
            errors.Insert(0, levelError);
        }

        if (errors.Count > 0)
        {
            throw new NodeOptionsException(errors);
        }

        builder.AddServiceHallNode(level, options, time, registry);
        var web = options.WebListenUri is not null;
        if (web)
        {
            addWeb?.Invoke(builder);
        }

        // Last of every gRPC registration (each AddGrpc puts grpc-dotnet's default binder back): malformed requests get INVALID_ARGUMENT.
        builder.Services.AddGrpc().AddMalformedRequestGuard().AddContainerServiceActivation();
        var app = builder.Build();
        app.MapServiceHallNode();
        if (web)
        {
            mapWeb?.Invoke(app);
        }

        return app;
    }

    /// <summary>The address Kestrel actually bound (resolves port 0) once the app has started.</summary>
    public static Uri BoundAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("The node is not listening yet.");
        return new Uri(first.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
    }

    private static Dictionary<string, string> SwitchMappingsCopy() => new(NodeHostingExtensions.SwitchMappings, StringComparer.Ordinal);
}

/// <summary>The node's options failed validation; <see cref="Errors"/> name each option and its fix.</summary>
public sealed class NodeOptionsException(IReadOnlyList<string> errors)
    : Exception("Invalid node options: " + string.Join(" ", errors))
{
    /// <summary>One message per problem.</summary>
    public IReadOnlyList<string> Errors { get; } = errors;
}
