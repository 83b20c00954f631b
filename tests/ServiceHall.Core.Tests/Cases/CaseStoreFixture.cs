using Microsoft.Extensions.Time.Testing;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Store;
using ServiceHall.Core.Tests.Calendar;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Store.Sqlite;

namespace ServiceHall.Core.Tests.Cases;

/// <summary>An in-memory catalogue of the test items and the 2026 calendar.</summary>
internal sealed class TestCatalogue : ICaseCatalogue
{
    private readonly Dictionary<string, ServiceItem> _items;

    public TestCatalogue(params ServiceItem[] items) => _items = items.ToDictionary(i => i.Code);

    public static TestCatalogue Default { get; } = new(Items.ResidenceCertificate, Items.TownshipPension, Items.BusinessRegistration, Items.Construction, Items.ConstructionSilent);

    public ServiceItem? FindItem(string code) => _items.GetValueOrDefault(code);

    public Agency? FindAgency(string code) => Agencies.FirstOrDefault(a => a.Code == code);

    public IReadOnlyList<CalendarDay> CalendarDays() => Calendar2026.Days;

    /// <summary>The agencies this catalogue lists.</summary>
    public static IReadOnlyList<Agency> Agencies { get; } =
    [
        new("AG-001", "新泰市鸿图测绘有限公司", "工程测量、不动产测绘"),
        new("AG-002", "山东泰岳环境咨询有限公司", "环境影响评价"),
    ];
}

/// <summary>
/// A node's store in a temporary SQLite file with the engine's and the domain's migrations, as a node has it.
/// </summary>
internal sealed class CaseStoreFixture : IDisposable
{
    private readonly string _dir;

    public CaseStoreFixture(string nodeId, NodeLevel level, string scope, FakeTimeProvider? time = null)
    {
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 1, 0, 0, TimeSpan.Zero));
        _dir = Directory.CreateTempSubdirectory("servicehall-cases-").FullName;
        Provider = new SqliteStoreProvider(Path.Combine(_dir, nodeId + ".db"));
        Migrator.Apply(Provider, SyncStore.Component, SyncStore.Migrations, Time);
        ServiceHallMigrations.Apply(Provider, Time);
        Sync = new SyncStore(Provider, ServiceHallSchema.Create(), nodeId, Time);
        Sync.SetNodeScope(scope);
        Node = new NodeIdentity(nodeId, level);
        Scope = scope;
        Repository = new CaseRepository(Sync, TestCatalogue.Default, Node);
    }

    public FakeTimeProvider Time { get; }

    public SqliteStoreProvider Provider { get; }

    public SyncStore Sync { get; }

    public NodeIdentity Node { get; }

    public string Scope { get; }

    /// <summary>A call signed in as clerk <paramref name="user"/> of <paramref name="department"/> working at this node.</summary>
    public Grpc.Core.ServerCallContext As(string department, string user = "u1", ServiceHall.Core.Clerks.ClerkRole role = ServiceHall.Core.Clerks.ClerkRole.Reviewer) =>
        TestServerCallContext.As(new ServiceHall.Core.Clerks.Clerk(user, Node.NodeId, Scope, department, role, user, Disabled: false), TestContext.Current.CancellationToken);

    public CaseRepository Repository { get; }

    public static CaseStoreFixture Village(FakeTimeProvider? time = null) => new(Items.Village, NodeLevel.Village, Items.VillageScope, time);

    public static CaseStoreFixture City(FakeTimeProvider? time = null) => new(Items.City, NodeLevel.City, "city", time);

    public long Count(string sql)
    {
        using var conn = Provider.OpenSqlite();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Copies every case row of this store into another. With <paramref name="asEngineApply"/> it behaves as the sync
    /// engine's apply (observes the versions and calls the hook); without, it only copies the rows.
    /// </summary>
    public void CopyCasesTo(CaseStoreFixture target, bool asEngineApply = true)
    {
        var applied = new List<(string, string, bool)>();
        using var source = Provider.OpenSqlite();
        using var conn = target.Provider.OpenSqlite();
        using var tx = conn.BeginTransaction();
        foreach (var table in CaseTables.All)
        {
            using var read = source.CreateCommand();
            read.CommandText = $"SELECT {string.Join(", ", table.Columns)} FROM {table.Name}";
            using var r = read.ExecuteReader();
            while (r.Read())
            {
                using var write = conn.CreateCommand();
                write.Transaction = tx;
                write.CommandText = $"INSERT OR IGNORE INTO {table.Name} ({string.Join(", ", table.Columns)}) VALUES ({string.Join(", ", table.Columns.Select((_, i) => "@p" + i))})";
                for (var i = 0; i < table.Columns.Count; i++)
                {
                    write.Parameters.AddWithValue("@p" + i, r.GetValue(i));
                }

                write.ExecuteNonQuery();
                applied.Add((table.Name, r.GetString(table.KeyIndex), false));
                if (asEngineApply && table == CaseTables.EventsTable)
                {
                    target.Sync.Clock.Observe(r.GetInt64(7));
                }
            }
        }

        if (asEngineApply)
        {
            target.Repository.OnRowsApplied(conn, tx, applied);
        }

        tx.Commit();
    }

    public void Dispose()
    {
        Provider.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A pooled handle may linger on some platforms; the temp folder is cleaned by the OS.
        }
    }
}
