using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServiceHall.Cli.Devnet;
using ServiceHall.Cli.Profiles;
using ServiceHall.Cli.Security;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Protos.V1;
using ServiceHall.Sync;
using ServiceHall.Sync.Transport;
using NodeLevel = ServiceHall.Core.Nodes.NodeLevel;

namespace ServiceHall.Integration.Tests.Security;

/// <summary>
/// A secured network of real nodes on Kestrel (https on 127.0.0.1, dynamic ports): the city creates its CA, the
/// operator registers t01, t01-v01 and t01-v02 and each enrols with its token (the CLI's own enrolment code) before it
/// starts. Periodic rounds are an hour apart: the tests drive every round with SyncNow. The operator signs in as the
/// city's first administrator at the city and as an operator clerk (created at the city with each registration, synced
/// down) at every other node: each node runs its first round in-process when it starts, so it holds its operator.
/// </summary>
internal sealed class SecuredNetwork : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "servicehall-secured", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, WebApplication> _apps = new(StringComparer.Ordinal);
    private readonly List<GrpcChannel> _channels = [];

    public Dictionary<string, Uri> Urls { get; } = new(StringComparer.Ordinal);

    public TlsProfile Operator { get; private set; } = null!;

    /// <summary>The clerk credential the operator signs in with at each node.</summary>
    public Dictionary<string, ClerkCredential> Clerks { get; } = new(StringComparer.Ordinal);

    public static async Task<SecuredNetwork> StartAsync(CancellationToken ct)
    {
        var net = new SecuredNetwork();
        await net.StartNodeAsync("city", NodeLevel.City, upstream: null, ct);
        var city = net.Data("city");
        TlsProfile.Write(net.Data("profile"), File.ReadAllText(Path.Combine(city, "tls", "ca.crt")),
            File.ReadAllText(Path.Combine(city, "tls", "operator.crt")), File.ReadAllText(Path.Combine(city, "tls", "operator.key")));
        net.Operator = TlsProfile.TryLoad(net.Data("profile"))!;
        net.Clerks["city"] = DevnetClerks.ReadAdministrator(city);

        await net.EnrolAsync("t01", NodeLevel.Township, "city", ct);
        await net.StartNodeAsync("t01", NodeLevel.Township, net.Urls["city"], ct);
        await net.SyncNowAsync("t01", ct);
        foreach (var v in new[] { "t01-v01", "t01-v02" })
        {
            await net.EnrolAsync(v, NodeLevel.Village, "t01", ct);
        }

        await net.SyncNowAsync("t01", ct); // the township learns of its villages
        foreach (var v in new[] { "t01-v01", "t01-v02" })
        {
            await net.StartNodeAsync(v, NodeLevel.Village, net.Urls["t01"], ct);
            await net.SyncNowAsync(v, ct);
        }

        return net;
    }

    public string Data(string id) => Path.Combine(_root, id);

    /// <summary>Registers <paramref name="id"/> at the city, with an operator clerk for it, and returns the enrolment token.</summary>
    public async Task<string> RegisterAsync(string id, NodeLevel level, string parent, CancellationToken ct)
    {
        var reply = await Admin("city").RegisterNodeAsync(new RegisterNodeRequest
        {
            Id = id, Level = level == NodeLevel.Township ? Protos.V1.NodeLevel.Township : Protos.V1.NodeLevel.Village, ParentId = parent,
        }, cancellationToken: ct);
        var clerk = new ClerkCredential($"operator@{id}", ClerkCredential.NewSecret(), id, DevnetClerks.HallDepartment, "operator");
        await new Protos.V1.Clerks.ClerksClient(SignedInChannel("city")).AddClerkAsync(new AddClerkRequest
        {
            Id = clerk.Id, NodeId = id, Department = clerk.Department, Role = ClerkRole.Operator, Secret = clerk.Secret,
        }, cancellationToken: ct);
        Clerks[id] = clerk;
        return reply.EnrolmentToken;
    }

    public async Task<SyncNowReply> SyncNowAsync(string id, CancellationToken ct)
    {
        var reply = await Admin(id).SyncNowAsync(new SyncNowRequest(), cancellationToken: ct);
        return reply;
    }

    /// <summary>An operator's admin client of node <paramref name="id"/>: the operator certificate and the node's operator clerk.</summary>
    public NodeAdmin.NodeAdminClient Admin(string id) => new(SignedInChannel(id));

    /// <summary>Calls to node <paramref name="id"/> over the operator certificate, each carrying the node's operator clerk.</summary>
    private CallInvoker SignedInChannel(string id)
    {
        var authorization = Clerks[id].Authorization;
        return Channel(Urls[id], Operator.Client, Operator.Ca).CreateCallInvoker().Intercept(m =>
        {
            m.Add("authorization", authorization);
            return m;
        });
    }

    /// <summary>A channel to <paramref name="url"/> presenting <paramref name="client"/> (none if null), trusting <paramref name="ca"/>.</summary>
    public GrpcChannel Channel(Uri url, X509Certificate2? client, X509Certificate2 ca)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                ClientCertificates = client is null ? null : [client],
                RemoteCertificateValidationCallback = (_, c, _, errors) => CertificateChecks.IsFromCa(c, errors, ca),
            },
        };
        var channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = handler, MaxRetryAttempts = 0 });
        _channels.Add(channel);
        return channel;
    }

    /// <summary>The node certificate (with key) enrolled for <paramref name="id"/>, as a thief who copied its data directory holds it.</summary>
    public X509Certificate2 NodeCertificate(string id)
    {
        using var pem = X509Certificate2.CreateFromPemFile(Path.Combine(Data(id), "tls", "node.crt"), Path.Combine(Data(id), "tls", "node.key"));
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>The number of rows of <paramref name="sql"/> in the store of <paramref name="id"/>.</summary>
    public long Count(string id, string sql)
    {
        using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Data(id), id + ".db")};Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _channels)
        {
            c.Dispose();
        }

        foreach (var app in _apps.Values.Reverse())
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a log file still held by a stopping logger; the temp cleaner takes it
        }
    }

    private async Task EnrolAsync(string id, NodeLevel level, string parent, CancellationToken ct)
    {
        var token = await RegisterAsync(id, level, parent, ct);
        await NodeEnrolment.EnrolAsync(Urls["city"], id, token, Data(id), host: null, ct);
    }

    private async Task StartNodeAsync(string id, NodeLevel level, Uri? upstream, CancellationToken ct)
    {
        List<string> args = ["--id", id, "--listen", "https://127.0.0.1:0", "--data", Data(id), "--Sync:Interval", "01:00:00", "--Sync:Debounce", "01:00:00"];
        if (upstream is not null)
        {
            args.AddRange(["--upstream", upstream.ToString()]);
        }

        var app = NodeProgram.Build([.. args], level, null, null, TimeProvider.System);
        app.InitializeServiceHallStore();
        await app.StartAsync(ct);
        _apps[id] = app;
        Urls[id] = NodeProgram.BoundAddress(app);
        if (upstream is not null)
        {
            // Its first round, in the node itself: it pulls the node's operator clerk, so the operator can sign in there.
            await app.Services.GetRequiredService<SyncRunner>().RunOnceAsync(ct);
        }
    }
}
