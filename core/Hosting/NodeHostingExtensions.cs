using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Security;
using ServiceHall.Core.Store;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Core.Hosting;

/// <summary>Registration of everything a node runs, shared by the three node programs.</summary>
public static class NodeHostingExtensions
{
    /// <summary>Short command-line switches of every node program.</summary>
    public static IReadOnlyDictionary<string, string> SwitchMappings { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--id"] = "Node:Id",
        ["--level"] = "Node:Level",
        ["--listen"] = "Node:ListenUrl",
        ["--web-listen"] = "Node:WebListenUrl",
        ["--upstream"] = "Node:UpstreamUrl",
        ["--data"] = "Node:DataDir",
        ["--store"] = "Node:Store:Provider",
        ["--connection-string"] = "Node:Store:ConnectionString",
    };

    /// <summary>The flag that selects the cleartext development mode (a bare switch, unlike the options above).</summary>
    public const string InsecureCleartextSwitch = "--insecure-cleartext";

    /// <summary>
    /// Adds the node's options (as <see cref="NodeProgram"/> bound and validated them, the one place that does), Serilog, Kestrel
    /// (HTTP/2 on the listen URL), the store, the sync engine's store, gRPC with health checks and
    /// reflection. <paramref name="options"/> must already be valid (see <see cref="NodeProgram"/>) for the store providers
    /// <paramref name="stores"/> (SQLite only when null).
    /// </summary>
    public static WebApplicationBuilder AddServiceHallNode(this WebApplicationBuilder builder, NodeLevel level, NodeOptions options, TimeProvider? time = null,
        StoreProviderRegistry? stores = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var clock = time ?? TimeProvider.System;
        var identity = new NodeIdentity(options.Id, level);
        var registry = stores ?? new StoreProviderRegistry();
        Directory.CreateDirectory(options.DataDir);

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));

        builder.Services.AddSerilog((_, lc) => ConfigureLogging(lc, identity, options.DataDir, Enum.Parse<LogEventLevel>(options.LogLevel, ignoreCase: true)));

        var listen = options.ListenUri;
        var web = options.WebListenUri;
        NodeTls tls;
        try
        {
            tls = options.InsecureCleartext
                ? NodeTls.Cleartext(options.DataDir)
                : NodeTls.Secure(options.DataDir, options.Id, level == NodeLevel.City, listen.Host, clock);
        }
        catch (NodeTlsException ex)
        {
            throw new NodeOptionsException([ex.Message]);
        }
        builder.Services.AddSingleton(tls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
            // Secured: the node URL is TLS with HTTP/1.1 and HTTP/2 (ALPN), so browsers reach the pages there too.
            // Cleartext: gRPC is h2c (HTTP/2 without negotiation), so the node URL speaks HTTP/2 only; browsers get the
            // optional web URL on HTTP/1.1 (the validator allows it only on loopback unless the whole node is cleartext).
            // Every endpoint serves every route: pages and gRPC are told apart by path.
            Listen(k, listen, lo => NodeSecurityHosting.ConfigureEndpoint(lo, tls));
            if (web is not null)
            {
                Listen(k, web, HttpProtocols.Http1);
            }
        });

        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton(identity);
        builder.Services.AddSingleton(new NodeClock(clock));
        builder.Services.AddSingleton(_ => registry.Create(options.Store.Provider, options.Store.ConnectionString, options.StorePath));
        builder.Services.AddSingleton(new StoreComponent(SyncStore.MigrationSet));
        builder.Services.AddSingleton(sp => new SyncStore(
            sp.GetRequiredService<StoreProvider>(),
            sp.GetRequiredService<SyncSchema>(),
            identity.NodeId,
            clock));

        builder.Services.AddServiceHallDomain();
        builder.Services.AddServiceHallSecurity(tls);
        builder.Services.AddSingleton<ISyncPeerDirectory, RegistryPeerDirectory>();
        builder.Services.AddServiceHallSync(builder.Configuration.GetSection("Sync"));
        builder.Services.PostConfigure<SyncOptions>(o =>
        {
            // The upstream of the node options is the engine's parent; one setting, not two.
            o.ParentUrl = string.IsNullOrWhiteSpace(options.UpstreamUrl) ? null : options.UpstreamUrl;
            o.Level = NodeLevels.ToProto(level);
        });

        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = 8 * 1024 * 1024;
            o.EnableDetailedErrors = false;
        });
        // Clerks sign in on every call of the client API (authorization: Basic); each service asks ClerkPermissions.
        // The authentication core only: AddAuthentication would also bring data protection (its key ring, XML, and a hosted
        // service reading it at start), which the Basic scheme never uses; the web module's cookies do, and its own
        // AddAuthentication adds it.
        builder.Services.AddAuthenticationCore(o => o.DefaultScheme = ClerkAuthenticationHandler.SchemeName);
        builder.Services.AddWebEncoders();
        new AuthenticationBuilder(builder.Services)
            .AddScheme<AuthenticationSchemeOptions, ClerkAuthenticationHandler>(ClerkAuthenticationHandler.SchemeName, null);

        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(o => o.Services.Map("", _ => true))
            .AddCheck<StoreHealthCheck>("store");
        return builder;
    }

    /// <summary>Maps the node's gRPC services (health, reflection, sync, and the API of core/Api).</summary>
    public static WebApplication MapServiceHallNode(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapServiceHallSync();
        app.MapServiceHallDomain();
        return app;
    }

    /// <summary>
    /// Applies store migrations of every registered component, then fixes the root's scope.
    /// Call after <c>Build()</c> and before <c>Run()</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, int> InitializeServiceHallStore(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var sp = app.Services;
        var versions = NodeStoreInitializer.Migrate(
            sp.GetRequiredService<StoreProvider>(),
            sp.GetServices<StoreComponent>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("ServiceHall.Store"));
        var identity = sp.GetRequiredService<NodeIdentity>();
        var sync = sp.GetRequiredService<SyncStore>();
        NodeSecurityHosting.LogMode(sp);
        sp.ConnectServiceHallDomain();
        if (identity.Level == NodeLevel.City)
        {
            sync.SetNodeScope(NodeStoreInitializer.RootScope(identity));
            var seeded = CatalogueSeeder.SeedIfEmpty(sync, identity, calendarSeeded: sp.GetRequiredService<CatalogueRepository>().OnCalendarChanged);
            if (seeded.Total > 0)
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("ServiceHall.Catalogue")
                    .LogInformation("Seeded the catalogue: {Departments} departments, {Items} items, {CalendarDays} calendar days, {Nodes} nodes, {Agencies} agencies",
                        seeded.Departments, seeded.Items, seeded.CalendarDays, seeded.Nodes, seeded.Agencies);
            }

            var dataDir = sp.GetRequiredService<IOptions<NodeOptions>>().Value.DataDir;
            if (ClerkBootstrap.EnsureAdministrator(sp.GetRequiredService<ClerkRegistry>(), identity, dataDir) is { } credential)
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("ServiceHall.Clerks")
                    .LogWarning("No clerk was registered: created the city administrator '{Clerk}'; its credential is in {File} (readable by this user only)", ClerkBootstrap.AdministratorId, credential);
            }
        }

        return versions;
    }

    /// <summary>Binds one Kestrel endpoint for a listen URL: loopback for <c>localhost</c>, the address if it is one, else every address.</summary>
    private static void Listen(KestrelServerOptions kestrel, Uri url, HttpProtocols protocols) =>
        Listen(kestrel, url, lo => lo.Protocols = protocols);

    private static void Listen(KestrelServerOptions kestrel, Uri url, Action<ListenOptions> configure)
    {
        void Configure(ListenOptions lo) => configure(lo);
        if (string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.Listen(IPAddress.Loopback, url.Port, Configure);
        }
        else if (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, url.Port, Configure);
        }
        else
        {
            kestrel.ListenAnyIP(url.Port, Configure);
        }
    }

    private static void ConfigureLogging(LoggerConfiguration lc, NodeIdentity identity, string dataDir, LogEventLevel level)
    {
        lc.MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", level > LogEventLevel.Information ? level : LogEventLevel.Information)
            .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("NodeId", identity.NodeId)
            .Enrich.WithProperty("Level", NodeLevels.Name(identity.Level))
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {NodeId} {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(
                new CompactJsonFormatter(),
                Path.Combine(Path.GetFullPath(dataDir), "logs", "node-.json"),
                rollingInterval: RollingInterval.Day,
                fileSizeLimitBytes: 64L * 1024 * 1024,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: 30);
    }

    /// <summary>Healthy when the store answers a trivial query.</summary>
    private sealed class StoreHealthCheck(StoreProvider store) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                using var conn = store.Open();
                using var cmd = conn.Command(NodeStoreInitializer.HealthProbe);
                cmd.ExecuteScalar();
                return Task.FromResult(HealthCheckResult.Healthy());
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or StoreUnavailableException or IOException)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("store unavailable: " + ex.Message));
            }
        }
    }
}
