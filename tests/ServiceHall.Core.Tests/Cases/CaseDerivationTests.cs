using System.Globalization;
using System.Text;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;
using static ServiceHall.Core.Tests.Cases.Items;
using K = ServiceHall.Core.Cases.CaseEventKind;

namespace ServiceHall.Core.Tests.Cases;

public sealed class CaseDerivationTests
{
    private static DateOnly D(int m, int d) => new(2026, m, d);

    /// <summary>Everything a clerk sees of a state, as one string, to compare states derived from different orders.</summary>
    private static string Summary(CaseState s)
    {
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"{s.Status}|{s.Holder}|{s.AcceptedAt}|{s.DecidedAt}|{s.DueDate}|{s.PausedWorkingDays}|{s.OnTime}|{s.NearDue}|{s.Overdue}|{s.Rating}|{s.ReviewOutcome}|");
        foreach (var r in s.Reviews)
        {
            b.Append(CultureInfo.InvariantCulture, $"{r.Department}:{r.Opinion}:{r.Overdue}:{r.SilentConsent};");
        }

        b.Append('|').AppendJoin(',', s.History.Select(e => e.Id)).Append('|').AppendJoin(',', s.Conflicts.Select(c => c.Event.Id));
        return b.ToString();
    }

    private static CaseScript FullBusinessRegistration()
    {
        var s = CaseScript.AcceptedAtCity(BusinessRegistration);
        s.Advance(TimeSpan.FromHours(1)).Do(K.CorrectionRequested, City, "market", new CaseEventData { Materials = ["lease"] });
        s.Advance(TimeSpan.FromDays(1)).Do(K.CorrectionSupplied, Village, "window");
        s.Opinion("market", OpinionKind.Approve).Opinion("quality", OpinionKind.Approve).Opinion("tax", OpinionKind.Approve).Opinion("police", OpinionKind.Approve);
        s.Advance(TimeSpan.FromHours(1)).Decide(City, true);
        s.Do(K.CertificateIssued, City, "market", new CaseEventData { CertificateNumber = "BL-7" });
        s.Advance(TimeSpan.FromHours(1)).Do(K.Delivered, Village, "window");
        s.Do(K.Evaluated, Village, "window", new CaseEventData { Rating = 4, Comment = "ok" });
        return s;
    }

    [Fact]
    public void Derive_FullBusinessRegistration_GivesStatusDeadlineAndReviews()
    {
        var s = FullBusinessRegistration().State();
        Assert.Equal(CaseStatus.Delivered, s.Status);
        Assert.Equal(NodeLevel.City, s.DecidingLevel);
        Assert.Equal(City, s.DecidingNode);
        Assert.Equal(1, s.PausedWorkingDays); // paused Mon Sep 14 → Tue Sep 15
        Assert.Equal(D(9, 17), s.DueDate); // 2 promised + 1 paused after Sep 14
        Assert.True(s.OnTime);
        Assert.False(s.Overdue);
        Assert.True(s.DecidedWithinThreeWorkingDays);
        Assert.False(s.DecidedOnTheSpot);
        Assert.Equal(0, s.ElapsedWorkingDays);
        Assert.Equal(ReviewOutcome.Approved, s.ReviewOutcome);
        Assert.Equal(4, s.Rating);
        Assert.False(s.HasConflict);
        Assert.Equal(14, s.History.Count);
    }

    [Fact]
    public void Derive_EveryArrivalOrder_GivesTheSameState()
    {
        var script = FullBusinessRegistration();
        var expected = Summary(script.State());
        var seed = Environment.GetEnvironmentVariable("CASE_PERMUTATION_SEED") is { } env
            ? int.Parse(env, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        TestContext.Current.TestOutputHelper?.WriteLine($"CASE_PERMUTATION_SEED={seed}");
        var random = new Random(seed);
        for (var i = 0; i < 300; i++)
        {
            var shuffled = script.Events.ToArray();
            random.Shuffle(shuffled);
            var state = CaseDerivation.Derive(script.Header, shuffled, script.Item, script.Cal, script.Time.GetUtcNow());
            Assert.True(expected == Summary(state), $"seed {seed}, permutation {i}: state differs");
        }
    }

    [Fact]
    public void Derive_ReversedAndDuplicatedHistory_GivesTheSameState()
    {
        var script = FullBusinessRegistration();
        var reversed = script.Events.AsEnumerable().Reverse().Concat(script.Events).ToList();
        Assert.Equal(Summary(script.State()), Summary(CaseDerivation.Derive(script.Header, reversed, script.Item, script.Cal, script.Time.GetUtcNow())));
    }

    [Fact]
    public void Derive_SameEventDeliveredTwiceAsCopies_CountsOnce()
    {
        var s = CaseScript.AcceptedAtCity(BusinessRegistration).Do(K.CorrectionRequested, City, "market", new CaseEventData { Materials = ["lease"] });
        var copy = s.Events[^1] with { Data = s.Events[^1].Data with { Materials = ["lease"] } };
        Assert.NotEqual(s.Events[^1], copy); // a copy read back from another store is not the same object graph
        var state = CaseDerivation.Derive(s.Header, [.. s.Events, copy], s.Item, s.Cal, s.Time.GetUtcNow());
        Assert.False(state.HasConflict);
        Assert.Equal(s.Events.Count, state.History.Count);
    }

    [Fact]
    public void Derive_SameDepartmentAnsweringTwiceWhileApart_SecondShownAsConflict()
    {
        var s = CaseScript.AcceptedAtCity(BusinessRegistration);
        var first = s.Make(K.OpinionRecorded, City, "tax", new CaseEventData { Department = "tax", Opinion = OpinionKind.Approve });
        var second = s.Make(K.OpinionRecorded, City, "tax", new CaseEventData { Department = "tax", Opinion = OpinionKind.Reject, Reason = "arrears" });
        var state = CaseDerivation.Derive(s.Header, [second, .. s.Events, first], s.Item, s.Cal, s.Time.GetUtcNow());
        Assert.Equal(OpinionKind.Approve, state.Reviews.Single(r => r.Department == "tax").Opinion);
        Assert.Equal(second.Id, Assert.Single(state.Conflicts).Event.Id);
    }

    [Fact]
    public void Derive_ConcurrentOpinionsInAnyOrder_AllKept()
    {
        var s = CaseScript.AcceptedAtCity(BusinessRegistration);
        var baseEvents = s.Events.ToList();
        // Four departments answer at once: each event is written against the same state.
        var opinions = new[] { "market", "quality", "tax", "police" }
            .Select(d => s.Make(K.OpinionRecorded, City, d, new CaseEventData { Department = d, Opinion = OpinionKind.Approve })).ToList();
        foreach (var perm in new[] { new[] { 0, 1, 2, 3 }, [3, 2, 1, 0], [2, 0, 3, 1] })
        {
            var state = CaseDerivation.Derive(s.Header, baseEvents.Concat(perm.Select(i => opinions[i])), s.Item, s.Cal, s.Time.GetUtcNow());
            Assert.Equal(ReviewOutcome.Approved, state.ReviewOutcome);
            Assert.False(state.HasConflict);
        }
    }

    [Fact]
    public void Derive_WithdrawnAtVillageWhileApprovedAtCity_ShowsConflictKeepsBoth()
    {
        var s = CaseScript.AcceptedAtCity(ResidenceCertificate with { HandlingLevel = NodeLevel.City, LeadDepartment = "civil" });
        var withdrawn = s.Make(K.Withdrawn, Village, "window", new CaseEventData { Reason = "changed mind" });
        var decided = s.Make(K.Decided, City, "civil", new CaseEventData { Approved = true, Reason = "ok" });
        Assert.True(CaseRules.Check(s.State(), withdrawn, s.Item, s.Cal).Allowed);
        Assert.True(CaseRules.Check(s.State(), decided, s.Item, s.Cal).Allowed);

        var a = CaseDerivation.Derive(s.Header, [.. s.Events, withdrawn, decided], s.Item, s.Cal, s.Time.GetUtcNow());
        var b = CaseDerivation.Derive(s.Header, [decided, .. s.Events, withdrawn], s.Item, s.Cal, s.Time.GetUtcNow());
        Assert.Equal(Summary(a), Summary(b));
        Assert.True(a.HasConflict);
        Assert.Contains(a.History, e => e.Id == withdrawn.Id);
        Assert.Contains(a.History, e => e.Id == decided.Id);
        var conflict = Assert.Single(a.Conflicts);
        // withdrawn was written first (lower order key), so the decision is the one that cannot merge.
        Assert.Equal(decided.Id, conflict.Event.Id);
        Assert.Equal(CaseStatus.Withdrawn, a.Status);
        Assert.Contains("withdrawn", conflict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Derive_ClockSkewedEarlierAt_OrderKeyStillOrders()
    {
        var s = new CaseScript(ResidenceCertificate).Submit().Accept(Village);
        var skewed = s.Make(K.Decided, Village, "civil", new CaseEventData { Approved = true }) with { At = s.Header.SubmittedAt.AddHours(-2) };
        var state = CaseDerivation.Derive(s.Header, [skewed, .. s.Events], s.Item, s.Cal, s.Time.GetUtcNow());
        Assert.Equal(CaseStatus.Approved, state.Status);
        Assert.False(state.HasConflict);
    }

    // ---- deadlines ----
    [Fact]
    public void Deadline_OnTheSpotItemDecidedAtOnce_OnTheSpotWithinThreeAndOnTime()
    {
        var s = new CaseScript(ResidenceCertificate).Submit().Accept(Village).Advance(TimeSpan.FromMinutes(10)).Decide(Village, true).State();
        Assert.Equal(D(9, 14), s.DueDate);
        Assert.True(s.DecidedOnTheSpot);
        Assert.True(s.DecidedWithinThreeWorkingDays);
        Assert.True(s.OnTime);
    }

    [Fact]
    public void Deadline_OnTheSpotItemOpenOnItsDay_NearDue()
    {
        var s = new CaseScript(ResidenceCertificate).Submit().Accept(Village).State();
        Assert.True(s.NearDue);
        Assert.Equal(0, s.WorkingDaysLeft);
    }

    [Fact]
    public void Deadline_OpenPastDueOverNationalDay_OverdueNotNearDue()
    {
        // Township item, 5 working days from Wed Sep 30: Oct 8, 9, 10 (make-up Sat), 12, 13.
        var s = new CaseScript(TownshipPension, start: CaseScript.At(9, 30, 9)).Submit().Route(Village, Township, NodeLevel.Township).Accept(Township);
        Assert.Equal(D(10, 13), s.State().DueDate);
        s.MoveTo(CaseScript.At(10, 12, 9));
        var nearly = s.State();
        Assert.True(nearly.NearDue);
        Assert.Equal(1, nearly.WorkingDaysLeft);
        s.MoveTo(CaseScript.At(10, 14, 9));
        var late = s.State();
        Assert.True(late.Overdue);
        Assert.False(late.NearDue);
        Assert.False(late.OnTime);
    }

    [Fact]
    public void Deadline_DecidedAfterDue_StaysOverdueAfterwards()
    {
        var s = new CaseScript(TownshipPension, start: CaseScript.At(9, 30, 9)).Submit().Route(Village, Township, NodeLevel.Township).Accept(Township);
        s.MoveTo(CaseScript.At(10, 14, 9)).Decide(Township, true);
        s.MoveTo(CaseScript.At(12, 1, 9));
        var st = s.State();
        Assert.True(st.Overdue);
        Assert.False(st.DecidedWithinThreeWorkingDays);
        Assert.Equal(6, st.ElapsedWorkingDays);
    }

    [Fact]
    public void Deadline_CorrectionPauseOverMakeUpSunday_ExtendsDueDate()
    {
        // Accepted Mon Sep 14 at the township, 5 days: due Sun Sep 20 (make-up day). Paused Wed Sep 16 → Tue Sep 22: 5 working days.
        var s = new CaseScript(TownshipPension).Submit().Route(Village, Township, NodeLevel.Township).Accept(Township);
        Assert.Equal(D(9, 20), s.State().DueDate);
        s.MoveTo(CaseScript.At(9, 16, 10)).Do(K.CorrectionRequested, Township, "social", new CaseEventData { Materials = ["contract"] });
        s.MoveTo(CaseScript.At(9, 18, 10));
        var paused = s.State();
        Assert.True(paused.Paused);
        Assert.Equal(2, paused.PausedWorkingDays); // open pause counts to today
        s.MoveTo(CaseScript.At(9, 22, 10)).Do(K.CorrectionSupplied, Village, "window");
        s.MoveTo(CaseScript.At(9, 24, 10));
        var resumed = s.State();
        Assert.Equal(5, resumed.PausedWorkingDays);
        Assert.Equal(D(9, 28), resumed.DueDate); // Sep 25–27 Mid-Autumn
        Assert.False(resumed.Overdue);
    }

    [Fact]
    public void Deadline_Construction32DaysOverHolidays_DueOct21AndDepartmentFlags()
    {
        var s = new CaseScript(Construction, start: CaseScript.At(9, 1, 9)).Submit().RouteToCity().Accept(City);
        Assert.Equal(D(10, 21), s.State().DueDate);
        s.Opinion("planning", OpinionKind.Approve);
        // Review limit 10 working days from Sep 1 → Sep 15.
        s.MoveTo(CaseScript.At(9, 11, 9));
        Assert.False(s.State().Reviews.Single(r => r.Department == "fire").NearDue); // Sep 11 → Sep 15: 2 working days left
        s.MoveTo(CaseScript.At(9, 15, 9));
        var onLimitDay = s.State();
        Assert.All(onLimitDay.Reviews, r => Assert.False(r.Overdue));
        Assert.True(onLimitDay.Reviews.Single(r => r.Department == "fire").NearDue);
        Assert.False(onLimitDay.Reviews.Single(r => r.Department == "planning").NearDue);
        s.MoveTo(CaseScript.At(9, 16, 9)).Opinion("fire", OpinionKind.Approve);
        var after = s.State();
        Assert.Equal(D(9, 15), after.Reviews[0].Due);
        Assert.True(after.Reviews.Single(r => r.Department == "housing").Overdue);
        Assert.True(after.Reviews.Single(r => r.Department == "environment").Overdue);
        Assert.False(after.Reviews.Single(r => r.Department == "planning").Overdue);
        Assert.True(after.Reviews.Single(r => r.Department == "fire").AnsweredLate);
        Assert.False(after.Reviews.Single(r => r.Department == "housing").SilentConsent);
        s.MoveTo(CaseScript.At(10, 20, 9));
        Assert.True(s.State().NearDue);
        s.MoveTo(CaseScript.At(10, 22, 9));
        Assert.True(s.State().Overdue);
    }

    [Fact]
    public void Deadline_NotAccepted_NoDueDateNoFlags()
    {
        var s = new CaseScript(BusinessRegistration).Submit().State();
        Assert.Null(s.DueDate);
        Assert.False(s.OnTime || s.NearDue || s.Overdue);
    }

    // ---- case numbers ----
    [Fact]
    public void CaseNumbers_FormatAndParse_RoundTrip()
    {
        var n = CaseNumbers.Format("t01-v01", D(11, 27), 7);
        Assert.Equal("t01-v01-20261127-0007", n);
        Assert.True(CaseNumbers.TryParse(n, out var node, out var date, out var counter));
        Assert.Equal(("t01-v01", D(11, 27), 7), (node, date, counter));
    }

    [Theory]
    [InlineData("")]
    [InlineData("t01-v01")]
    [InlineData("t01-2026x127-0007")]
    [InlineData("t01-20261127-0000")]
    public void CaseNumbers_Parse_Malformed_False(string n) => Assert.False(CaseNumbers.TryParse(n, out _, out _, out _));
}
