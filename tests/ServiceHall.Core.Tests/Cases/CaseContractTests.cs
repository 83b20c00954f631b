using ServiceHall.Core.Cases;
using ServiceHall.Core.Nodes;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Tests.Cases;

/// <summary>The wire enums are cast from the domain enums by value; these tests keep the two in step.</summary>
public sealed class CaseContractTests
{
    private static string Norm(string name) => name.Replace("_", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    private static void SameValues<TDomain, TWire>(string wirePrefix)
        where TDomain : struct, Enum
        where TWire : struct, Enum
    {
        foreach (var d in Enum.GetValues<TDomain>())
        {
            var value = Convert.ToInt32(d, System.Globalization.CultureInfo.InvariantCulture);
            if (!Enum.IsDefined(typeof(TWire), value))
            {
                Assert.Fail($"{typeof(TWire).Name} has no value {value} for {typeof(TDomain).Name}.{d}");
            }

            var wire = (TWire)Enum.ToObject(typeof(TWire), value);
            var attr = typeof(TWire).GetField(wire.ToString())!.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
                .Cast<Google.Protobuf.Reflection.OriginalNameAttribute>().Single().Name;
            Assert.Equal(Norm(d.ToString()), Norm(attr[wirePrefix.Length..]));
        }
    }

    [Fact]
    public void CaseStatus_DomainAndWire_SameValues()
    {
        foreach (var s in Enum.GetValues<CaseStatus>().Where(s => s != CaseStatus.None))
        {
            Assert.Equal(Norm(s.ToString()), Norm(((P.CaseStatus)(int)s).ToString()));
        }
    }

    [Fact]
    public void Opinion_DomainAndWire_SameValues() => SameValues<OpinionKind, P.Opinion>("OPINION_");

    [Fact]
    public void ReviewOutcome_DomainAndWire_SameValues() => SameValues<ReviewOutcome, P.ReviewOutcome>("REVIEW_OUTCOME_");

    [Fact]
    public void CaseChannel_DomainAndWire_SameValues() => SameValues<CaseChannel, P.CaseChannel>("CASE_CHANNEL_");

    [Fact]
    public void NodeLevel_DomainAndWire_SameValues() => SameValues<NodeLevel, P.NodeLevel>("NODE_LEVEL_");

    [Fact]
    public void CaseTables_DeclaredColumns_ExistInMigration()
    {
        using var store = CaseStoreFixture.Village();
        foreach (var table in CaseTables.All)
        {
            using var conn = store.Provider.OpenSqlite();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT name FROM pragma_table_info('{table.Name}')";
            var columns = new List<string>();
            using (var r = cmd.ExecuteReader())
            {
                while (r.Read())
                {
                    columns.Add(r.GetString(0));
                }
            }

            Assert.Equal(table.Columns.Order(StringComparer.Ordinal), columns.Order(StringComparer.Ordinal));
            Assert.NotNull(table.ScopeColumn);
            Assert.Equal(ServiceHall.Sync.Engine.SyncDirection.Both, table.Direction);
        }
    }

    [Fact]
    public void LocalTables_AreNotSynced()
    {
        using var store = CaseStoreFixture.Village();
        var n = store.Repository.Submit(new CaseSubmission(Items.ResidenceCertificate.Code, "甲", "1", null, CaseChannel.Window, new CaseActor("u", "civil"))).Number;
        store.Repository.Append(n, CaseEventKind.Accepted, new CaseActor("u", "civil"), CaseEventData.None);
        Assert.Equal(0, store.Count("SELECT COUNT(*) FROM _sync_log WHERE tbl NOT IN ('cases', 'case_events')"));
        Assert.Equal(1, store.Count("SELECT COUNT(*) FROM case_view"));
        Assert.Equal(1, store.Count("SELECT COUNT(*) FROM case_counters"));
        Assert.Equal(1, store.Count($"SELECT COUNT(*) FROM _sync_log WHERE tbl = 'cases' AND scope = '{Items.VillageScope}'"));
        Assert.Equal(2, store.Count($"SELECT COUNT(*) FROM _sync_log WHERE tbl = 'case_events' AND scope = '{Items.VillageScope}'"));
    }
}
