using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using ServiceHall.Cli.Output;
using ServiceHall.Protos.V1;

namespace ServiceHall.Integration.Tests.Cli;

public sealed class OutputShapeTests
{
    private static NodeStatus Status()
    {
        var s = new NodeStatus
        {
            NodeId = "t01-v01",
            Level = NodeLevel.Village,
            Scope = "city/t01/t01-v01",
            StoreProvider = "sqlite",
            Store = "/d/t01-v01/t01-v01.db",
            StartedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero)),
            UptimeSeconds = 42.5,
            Pid = 4321,
            UpstreamUrl = "http://127.0.0.1:5101",
            PendingUpstream = 3,
        };
        s.SchemaVersions["servicehall"] = 3;
        s.SchemaVersions["sync"] = 1;
        s.Peers.Add(new PeerStatus
        {
            PeerId = "t01",
            Relation = "parent",
            State = "offline",
            LastSuccess = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 2, 8, 5, 0, TimeSpan.Zero)),
            OfflineSince = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero)),
            PushCursor = 17,
            PullCursor = 99,
            Pending = 3,
            LastError = "connection refused",
        });
        s.Parked.Add(new ParkedChange
        {
            Table = "case_events", Key = "e1", Origin = "t01-v01", Via = "t01-v01", Reason = "item X unknown", Attempts = 2,
            ParkedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 2, 9, 1, 0, TimeSpan.Zero)),
        });
        return s;
    }

    [Fact]
    public void NodeStatusJson_FullStatus_HasDocumentedCamelCaseFields()
    {
        using var doc = JsonDocument.Parse(JsonOutput.Serialize(NodeStatusView.From(Status())));
        var root = doc.RootElement;

        Assert.Equal("t01-v01", root.GetProperty("id").GetString());
        Assert.Equal("village", root.GetProperty("level").GetString());
        Assert.Equal("city/t01/t01-v01", root.GetProperty("scope").GetString());
        Assert.Equal("/d/t01-v01/t01-v01.db", root.GetProperty("store").GetString());
        Assert.Equal("sqlite", root.GetProperty("storeProvider").GetString());
        Assert.Equal(3, root.GetProperty("schemaVersions").GetProperty("servicehall").GetInt32());
        Assert.Equal(42.5, root.GetProperty("uptimeSeconds").GetDouble());
        Assert.Equal(4321, root.GetProperty("pid").GetInt32());
        Assert.Equal(3, root.GetProperty("pendingUpstream").GetInt64());
        var parked = Assert.Single(root.GetProperty("parked").EnumerateArray());
        Assert.Equal("case_events", parked.GetProperty("table").GetString());
        Assert.Equal("item X unknown", parked.GetProperty("reason").GetString());
        Assert.Equal(2, parked.GetProperty("attempts").GetInt32());

        var peer = Assert.Single(root.GetProperty("peers").EnumerateArray());
        Assert.Equal("t01", peer.GetProperty("peerId").GetString());
        Assert.Equal("parent", peer.GetProperty("relation").GetString());
        Assert.Equal("offline", peer.GetProperty("state").GetString());
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 5, 0, TimeSpan.Zero), peer.GetProperty("lastSuccess").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero), peer.GetProperty("offlineSince").GetDateTimeOffset());
        Assert.Equal(17, peer.GetProperty("pushCursor").GetInt64());
        Assert.Equal(99, peer.GetProperty("pullCursor").GetInt64());
        Assert.Equal(3, peer.GetProperty("pending").GetInt64());
        Assert.Equal("connection refused", peer.GetProperty("lastError").GetString());
        Assert.Equal(JsonValueKind.Null, peer.GetProperty("lastAttempt").ValueKind);
    }

    [Theory]
    [InlineData(NodeLevel.City, "city")]
    [InlineData(NodeLevel.Township, "township")]
    [InlineData(NodeLevel.Village, "village")]
    [InlineData(NodeLevel.Unspecified, "unspecified")]
    public void LevelsName_EachLevel_LowerCaseName(NodeLevel level, string name)
    {
        Assert.Equal(name, Levels.Name(level));
        if (level != NodeLevel.Unspecified)
        {
            Assert.Equal(level, Levels.Parse(name));
        }
    }

    [Fact]
    public void CatalogueItemJson_ParallelItem_HasLevelLimitsAndDepartments()
    {
        var item = new ServiceItem
        {
            Code = "CITY-BIZ-REG",
            Name = "企业设立登记",
            HandlingLevel = NodeLevel.City,
            PromisedLimitDays = 1,
            LegalLimitDays = 15,
            ReviewRule = ReviewRule.AllMustApprove,
        };
        item.ReviewDepartments.Add(["MKT", "QS", "TAX", "POL"]);

        using var doc = JsonDocument.Parse(JsonOutput.Serialize(CatalogueItemView.From(item)));
        var root = doc.RootElement;

        Assert.Equal("CITY-BIZ-REG", root.GetProperty("code").GetString());
        Assert.Equal("企业设立登记", root.GetProperty("name").GetString());
        Assert.Equal("city", root.GetProperty("level").GetString());
        Assert.Equal(1, root.GetProperty("promisedLimitDays").GetInt32());
        Assert.False(root.GetProperty("onTheSpot").GetBoolean());
        Assert.Equal(["MKT", "QS", "TAX", "POL"], root.GetProperty("reviewDepartments").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("all-must-approve", root.GetProperty("reviewRule").GetString());
    }

    [Fact]
    public void AgencyJson_RatedAndUnrated_HasCodeNameServiceRatingEvaluationsAverage()
    {
        var rated = new Agency { Code = "AG-001", Name = "新泰市鸿图测绘有限公司", Service = "工程测量", Rating = "B", Evaluations = 3, AverageScore = 13.0 / 3 };
        var unrated = new Agency { Code = "AG-002", Name = "山东泰岳环境咨询有限公司", Service = "环境影响评价" };

        using var doc = JsonDocument.Parse(JsonOutput.Serialize(new { agencies = new[] { AgencyView.From(rated), AgencyView.From(unrated) } }));
        var list = doc.RootElement.GetProperty("agencies").EnumerateArray().ToList();

        Assert.Equal(2, list.Count);
        Assert.Equal("AG-001", list[0].GetProperty("code").GetString());
        Assert.Equal("新泰市鸿图测绘有限公司", list[0].GetProperty("name").GetString());
        Assert.Equal("工程测量", list[0].GetProperty("service").GetString());
        Assert.Equal("B", list[0].GetProperty("rating").GetString());
        Assert.Equal(3, list[0].GetProperty("evaluations").GetInt32());
        Assert.Equal(13.0 / 3, list[0].GetProperty("average").GetDouble(), 10);
        Assert.Equal(JsonValueKind.Null, list[1].GetProperty("rating").ValueKind);
        Assert.Equal(0, list[1].GetProperty("evaluations").GetInt32());
        Assert.Equal(0, list[1].GetProperty("average").GetDouble());
    }
}
