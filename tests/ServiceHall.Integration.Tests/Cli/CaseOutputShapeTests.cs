using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using ServiceHall.Cli.Output;
using ServiceHall.Protos.V1;

namespace ServiceHall.Integration.Tests.Cli;

public sealed class CaseOutputShapeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    private static Timestamp At(int minutes) => Timestamp.FromDateTimeOffset(T0.AddMinutes(minutes));

    private static CaseHistoryEntry Entry(string kind, int minutes, string user, string dept) =>
        new() { Id = $"e-{kind}", Kind = kind, Node = "city", Actor = new Clerk { UserId = user, Department = dept }, At = At(minutes) };

    /// <summary>A business registration case at the city, accepted, one of four opinions in.</summary>
    private static Case UnderReview()
    {
        var c = new Case
        {
            Number = "t01-v01-20260302-0001",
            Item = "CITY-BIZ-REG",
            Status = CaseStatus.Accepted,
            Level = NodeLevel.City,
            DecidingNode = "city",
            IntakeNode = "t01-v01",
            Holder = "city",
            DueDate = "2026-03-03",
            WorkingDaysLeft = 1,
            Flags = new CaseFlags { OnTime = true, NearDue = true },
            ApplicantName = "新泰某商贸有限公司",
            IdNumber = "91370982MA3C000001",
            Channel = CaseChannel.Window,
            SubmittedAt = At(0),
            AcceptedAt = At(30),
            ReviewOutcome = ReviewOutcome.Pending,
        };
        c.Opinions.Add(new DepartmentOpinion
        {
            Department = "MKT",
            Opinion = Opinion.Approve,
            Reason = "材料齐全",
            DueDate = "2026-03-03",
            AnsweredAt = At(40),
            Clerk = new Clerk { UserId = "wang", Department = "MKT" },
        });
        c.Opinions.Add(new DepartmentOpinion { Department = "QS", DueDate = "2026-03-03", NearDue = true });
        c.History.Add(Entry("Submitted", 0, "clerk@t01-v01", "MKT"));
        var routed = Entry("Routed", 5, "clerk@t01-v01", "MKT");
        routed.Node = "t01-v01";
        routed.TargetNode = "t01";
        c.History.Add(routed);
        c.History.Add(Entry("Accepted", 30, "li", "MKT"));
        var opinion = Entry("OpinionRecorded", 40, "wang", "MKT");
        opinion.Department = "MKT";
        opinion.Opinion = Opinion.Approve;
        opinion.Reason = "材料齐全";
        c.History.Add(opinion);
        return c;
    }

    [Fact]
    public void CaseJson_UnderReview_HasDocumentedCamelCaseFields()
    {
        using var doc = JsonDocument.Parse(JsonOutput.Serialize(CaseView.From(UnderReview())));
        var root = doc.RootElement;

        Assert.Equal("t01-v01-20260302-0001", root.GetProperty("number").GetString());
        Assert.Equal("CITY-BIZ-REG", root.GetProperty("item").GetString());
        Assert.Equal("accepted", root.GetProperty("status").GetString());
        Assert.Equal("city", root.GetProperty("level").GetString());
        Assert.Equal("city", root.GetProperty("decidingNode").GetString());
        Assert.Equal("t01-v01", root.GetProperty("intakeNode").GetString());
        Assert.Equal("window", root.GetProperty("channel").GetString());
        Assert.Equal("2026-03-03", root.GetProperty("dueDate").GetString());
        Assert.Equal(1, root.GetProperty("workingDaysLeft").GetInt32());
        Assert.True(root.GetProperty("flags").GetProperty("nearDue").GetBoolean());
        Assert.False(root.GetProperty("flags").GetProperty("overdue").GetBoolean());
        Assert.Equal("pending", root.GetProperty("reviewOutcome").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("rating").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("decidedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("phone").ValueKind);

        var opinions = root.GetProperty("opinions").EnumerateArray().ToList();
        Assert.Equal(["MKT", "QS"], opinions.Select(o => o.GetProperty("department").GetString()));
        Assert.Equal("approve", opinions[0].GetProperty("opinion").GetString());
        Assert.Equal("wang", opinions[0].GetProperty("actor").GetProperty("userId").GetString());
        Assert.Equal(JsonValueKind.Null, opinions[1].GetProperty("opinion").ValueKind);
        Assert.True(opinions[1].GetProperty("nearDue").GetBoolean());

        var history = root.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["Submitted", "Routed", "Accepted", "OpinionRecorded"], history.Select(h => h.GetProperty("kind").GetString()));
        Assert.Equal("t01-v01", history[1].GetProperty("node").GetString());
        Assert.Equal("t01", history[1].GetProperty("targetNode").GetString());
        Assert.Equal("li", history[2].GetProperty("actor").GetProperty("userId").GetString());
        Assert.Equal("MKT", history[2].GetProperty("actor").GetProperty("department").GetString());
        Assert.Equal(T0.AddMinutes(30), history[2].GetProperty("at").GetDateTimeOffset());
        Assert.Equal("approve", history[3].GetProperty("opinion").GetString());
        Assert.Equal(JsonValueKind.Null, history[3].GetProperty("approved").ValueKind);
    }

    [Fact]
    public void CaseJson_JustSubmitted_DueDateAndDaysLeftNull()
    {
        var c = new Case { Number = "city-20260302-0001", Item = "CITY-BIZ-REG", Status = CaseStatus.Submitted, Level = NodeLevel.City, WorkingDaysLeft = 0 };

        using var doc = JsonDocument.Parse(JsonOutput.Serialize(CaseView.From(c)));

        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("dueDate").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("workingDaysLeft").ValueKind);
        Assert.Equal("submitted", doc.RootElement.GetProperty("status").GetString());
        Assert.Empty(doc.RootElement.GetProperty("history").EnumerateArray());
    }

    [Fact]
    public void CaseJson_DecidedDeliveredRated_DecisionAndRatingShown()
    {
        var c = new Case { Number = "t01-v01-20260302-0002", Item = "VIL-RESIDENCE-CERT", Status = CaseStatus.Delivered, Level = NodeLevel.Village, DueDate = "2026-03-02", WorkingDaysLeft = 0, Rating = 4, RatingComment = "满意" };
        c.Flags = new CaseFlags { OnTime = true, DecidedOnTheSpot = true, DecidedWithinThreeWorkingDays = true };
        var decided = Entry("Decided", 3, "clerk@t01-v01", "VC");
        decided.Approved = true;
        c.History.Add(decided);
        var rated = Entry("Evaluated", 5, "clerk@t01-v01", "VC");
        rated.Rating = 4;
        rated.Comment = "满意";
        c.History.Add(rated);

        var view = CaseView.From(c);
        using var doc = JsonDocument.Parse(JsonOutput.Serialize(view));

        Assert.Equal(4, doc.RootElement.GetProperty("rating").GetInt32());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("workingDaysLeft").ValueKind);
        Assert.True(doc.RootElement.GetProperty("flags").GetProperty("decidedOnTheSpot").GetBoolean());
        var history = doc.RootElement.GetProperty("history").EnumerateArray().ToList();
        Assert.True(history[0].GetProperty("approved").GetBoolean());
        Assert.Equal(4, history[1].GetProperty("rating").GetInt32());
        Assert.Equal("decided (办结): approved", view.History[0].Describe());
        Assert.Equal("evaluated (好差评): 4/5 — 满意", view.History[1].Describe());
        Assert.Equal("on time, decided on the spot", view.Flags.Describe());
    }

    [Fact]
    public void CaseText_Summary_StatusDueAndFlags()
    {
        var summary = CaseText.Summary(CaseView.From(UnderReview()));

        Assert.Equal("t01-v01-20260302-0001: accepted; due 2026-03-03 (1 working day left); on time, near due", summary);
    }

    [Fact]
    public void StatsJson_Figures_HasTotalGroupsAndSync()
    {
        var reply = new StatisticsReply
        {
            Total = new StatisticsRow { Key = "total", Cases = 3, Accepted = 2, Decided = 2, OnTheSpotShare = 0.5, WithinThreeWorkingDaysShare = 1, OnTimeRate = 1, Rated = 1, AverageRating = 5 },
            ComputedAt = At(60),
        };
        reply.ByTownship.Add(new StatisticsRow { Key = "t01", Cases = 2, Overdue = 1, NearDue = 1 });
        reply.ByItem.Add(new StatisticsRow { Key = "CITY-BIZ-REG", Cases = 1 });
        reply.ByDepartment.Add(new StatisticsRow { Key = "QS", Cases = 1, Reviews = 1, ReviewsOverdue = 1 });
        var status = new NodeStatus { NodeId = "city", Level = NodeLevel.City };
        status.Peers.Add(new PeerStatus { PeerId = "t01", Relation = "child", State = "offline", LastSuccess = At(10), OfflineSince = At(20), Pending = 2 });
        reply.Nodes.Add(new NodeSyncHealth { NodeId = "t01-v01", ParentId = "t01", Level = "village", State = "offline", LastSync = At(5), OfflineSince = At(7), LastError = "connection refused" });
        reply.Nodes.Add(new NodeSyncHealth { NodeId = "t01-v02", ParentId = "t01", Level = "village", State = "never" });

        using var doc = JsonDocument.Parse(JsonOutput.Serialize(StatisticsView.From(reply, status)));
        var root = doc.RootElement;

        Assert.Equal("city", root.GetProperty("node").GetString());
        var total = root.GetProperty("total");
        Assert.Equal(3, total.GetProperty("cases").GetInt32());
        Assert.Equal(0.5, total.GetProperty("onTheSpotShare").GetDouble());
        Assert.Equal(1, total.GetProperty("withinThreeWorkingDaysShare").GetDouble());
        Assert.Equal(1, total.GetProperty("onTimeRate").GetDouble());
        Assert.Equal(5, total.GetProperty("averageRating").GetDouble());
        var township = Assert.Single(root.GetProperty("byTownship").EnumerateArray());
        Assert.Equal("t01", township.GetProperty("key").GetString());
        Assert.Equal(1, township.GetProperty("overdue").GetInt32());
        Assert.Equal(1, township.GetProperty("nearDue").GetInt32());
        Assert.Equal(JsonValueKind.Null, township.GetProperty("averageRating").ValueKind);
        Assert.Equal("CITY-BIZ-REG", Assert.Single(root.GetProperty("byItem").EnumerateArray()).GetProperty("key").GetString());
        Assert.Equal(1, Assert.Single(root.GetProperty("byDepartment").EnumerateArray()).GetProperty("reviewsOverdue").GetInt32());
        var peer = Assert.Single(root.GetProperty("sync").EnumerateArray());
        Assert.Equal("t01", peer.GetProperty("peerId").GetString());
        Assert.Equal("offline", peer.GetProperty("state").GetString());
        Assert.Equal(T0.AddMinutes(20), peer.GetProperty("offlineSince").GetDateTimeOffset());
        var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(2, nodes.Count);
        Assert.Equal("t01-v01", nodes[0].GetProperty("nodeId").GetString());
        Assert.Equal(T0.AddMinutes(7), nodes[0].GetProperty("offlineSince").GetDateTimeOffset());
        Assert.Equal("connection refused", nodes[0].GetProperty("lastError").GetString());
        Assert.Equal("never", nodes[1].GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, nodes[1].GetProperty("lastSync").ValueKind);
    }

    [Theory]
    [InlineData(0.5, 2, "50%")]
    [InlineData(2.0 / 3, 3, "66.7%")]
    [InlineData(0, 0, "-")]
    public void Percent_Share_TableCell(double share, int whole, string expected)
    {
        Assert.Equal(expected, StatisticsRowView.Percent(share, whole));
    }
}
