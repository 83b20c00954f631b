using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;
using static ServiceHall.Core.Tests.Cases.Items;
using K = ServiceHall.Core.Cases.CaseEventKind;

namespace ServiceHall.Core.Tests.Cases;

public sealed class CaseRulesTests
{
    private static void Refused(CaseVerdict v, RefusalKind kind, string contains)
    {
        Assert.False(v.Allowed, "expected a refusal");
        Assert.Equal(kind, v.Kind);
        Assert.Contains(contains, v.Message, StringComparison.Ordinal);
    }

    // ---- submit ----
    [Fact]
    public void Submit_AtIntakeNode_Allowed() =>
        Assert.Equal(CaseStatus.Submitted, new CaseScript(BusinessRegistration).Submit().State().Status);

    [Fact]
    public void Submit_Twice_Refused() =>
        Refused(new CaseScript(BusinessRegistration).Submit().Try(K.Submitted, Village, "window"), RefusalKind.State, "already submitted");

    [Fact]
    public void Submit_AtOtherNode_PermissionDenied() =>
        Refused(new CaseScript(BusinessRegistration).Try(K.Submitted, Township, "window"), RefusalKind.Permission, "intake node t01-v01");

    [Fact]
    public void Submit_VillageItemAtTownship_Refused() =>
        Refused(new CaseScript(ResidenceCertificate, Township, TownshipScope).Try(K.Submitted, Township, "window"), RefusalKind.State, "file it at a village node");

    [Fact]
    public void AnyAction_NodeOffThePath_PermissionDenied() =>
        Refused(new CaseScript(BusinessRegistration).Submit().Try(K.Withdrawn, "t02-v01", "window"), RefusalKind.Permission, "not on the path");

    [Fact]
    public void AnyAction_NoActorDepartment_InvalidArgument() =>
        Refused(new CaseScript(BusinessRegistration).Try(K.Submitted, Village, ""), RefusalKind.InvalidArgument, "department");

    [Fact]
    public void AnyAction_BeforeSubmission_Refused() =>
        Refused(new CaseScript(ResidenceCertificate).Try(K.Accepted, Village, "civil"), RefusalKind.State, "no submission");

    // ---- pre-review ----
    private static CaseScript Online() => new CaseScript(BusinessRegistration, channel: CaseChannel.Online).Submit();

    [Fact]
    public void PreReview_OnlineAtDecidingNode_AllowedAndHeldThere()
    {
        var s = Online();
        Assert.Equal(City, s.State().Holder);
        s.Do(K.PreReviewPassed, City, "market");
        Assert.Equal(CaseStatus.PreReviewPassed, s.State().Status);
    }

    [Fact]
    public void PreReview_WindowCase_Refused() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Try(K.PreReviewPassed, City, "market"), RefusalKind.State, "filed at a window");

    [Fact]
    public void PreReview_AtIntakeNode_PermissionDenied() =>
        Refused(Online().Try(K.PreReviewPassed, Village, "market"), RefusalKind.Permission, "deciding node city");

    [Fact]
    public void PreReview_Twice_Refused() =>
        Refused(Online().Do(K.PreReviewPassed, City, "market").Try(K.PreReviewPassed, City, "market"), RefusalKind.State, "just submitted");

    [Fact]
    public void PreReviewFailed_WithoutReason_InvalidArgument() =>
        Refused(Online().Try(K.PreReviewFailed, City, "market"), RefusalKind.InvalidArgument, "reason");

    [Fact]
    public void PreReviewFailed_ClosesCase_AcceptRefused()
    {
        var s = Online().Do(K.PreReviewFailed, City, "market", new CaseEventData { Reason = "not a company" });
        Assert.Equal(CaseStatus.PreReviewFailed, s.State().Status);
        Refused(s.Try(K.Accepted, City, "market"), RefusalKind.State, "file a new case");
    }

    [Fact]
    public void Accept_OnlineBeforePreReview_Refused() =>
        Refused(Online().Try(K.Accepted, City, "market"), RefusalKind.State, "must pass pre-review");

    [Fact]
    public void Accept_OnlineAfterPreReview_Allowed() =>
        Assert.Equal(CaseStatus.Accepted, Online().Do(K.PreReviewPassed, City, "market").Accept(City).State().Status);

    // ---- route ----
    [Fact]
    public void Route_VillageToTownshipToCity_AllowedAndHolderMoves()
    {
        var s = new CaseScript(BusinessRegistration).Submit().Route(Village, Township, NodeLevel.Township);
        Assert.Equal(Township, s.State().Holder);
        s.Route(Township, City, NodeLevel.City);
        Assert.Equal(City, s.State().Holder);
    }

    [Fact]
    public void Route_SkippingTheTownship_InvalidArgument() =>
        Refused(new CaseScript(BusinessRegistration).Submit().Try(K.Routed, Village, "window", new CaseEventData { TargetNode = City, TargetLevel = NodeLevel.City }),
            RefusalKind.InvalidArgument, "one level up");

    [Fact]
    public void Route_ByNodeNotHoldingIt_PermissionDenied() =>
        Refused(new CaseScript(BusinessRegistration).Submit().Try(K.Routed, Township, "window", new CaseEventData { TargetNode = City, TargetLevel = NodeLevel.City }),
            RefusalKind.Permission, "held at t01-v01");

    [Fact]
    public void Route_AtDecidingLevel_Refused() =>
        Refused(new CaseScript(ResidenceCertificate).Submit().Try(K.Routed, Village, "window", new CaseEventData { TargetNode = Township, TargetLevel = NodeLevel.Township }),
            RefusalKind.State, "not routed further");

    [Fact]
    public void Route_AfterAcceptance_Refused() =>
        Refused(new CaseScript(ResidenceCertificate).Submit().Accept(Village).Try(K.Routed, Village, "window", new CaseEventData { TargetNode = Township, TargetLevel = NodeLevel.Township }),
            RefusalKind.State, "not yet accepted");

    // ---- accept ----
    [Fact]
    public void Accept_VillageItemAtVillage_AllowedClockStarts()
    {
        var s = new CaseScript(ResidenceCertificate).Submit().Accept(Village).State();
        Assert.Equal(CaseStatus.Accepted, s.Status);
        Assert.NotNull(s.AcceptedAt);
        Assert.Equal(new DateOnly(2026, 9, 14), s.DueDate);
    }

    [Fact]
    public void Accept_CityItemAtVillage_PermissionDeniedRouteUp() =>
        Refused(new CaseScript(BusinessRegistration).Submit().Try(K.Accepted, Village, "market"), RefusalKind.Permission, "must route case");

    [Fact]
    public void Accept_AtCityBeforeRouted_Refused() =>
        Refused(new CaseScript(BusinessRegistration).Submit().Try(K.Accepted, City, "market"), RefusalKind.State, "still held at t01-v01");

    [Fact]
    public void Accept_Twice_Refused() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Try(K.Accepted, City, "market"), RefusalKind.State, "already accepted");

    // ---- correction ----
    private static CaseEventData Missing(params string[] m) => new() { Materials = m };

    [Fact]
    public void RequestCorrection_Accepted_PausesWithMaterials()
    {
        var s = CaseScript.AcceptedAtCity(BusinessRegistration).Do(K.CorrectionRequested, City, "market", Missing("lease", "id copy")).State();
        Assert.Equal(CaseStatus.AwaitingCorrection, s.Status);
        Assert.True(s.Paused);
        Assert.Equal(["lease", "id copy"], s.MissingMaterials);
    }

    [Fact]
    public void RequestCorrection_NoMaterials_InvalidArgument() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Try(K.CorrectionRequested, City, "market", Missing()), RefusalKind.InvalidArgument, "list every missing material");

    [Fact]
    public void RequestCorrection_AtIntakeNode_PermissionDenied() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Try(K.CorrectionRequested, Village, "market", Missing("lease")), RefusalKind.Permission, "deciding node city");

    [Fact]
    public void RequestCorrection_WhileAwaiting_Refused() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Do(K.CorrectionRequested, City, "market", Missing("lease")).Try(K.CorrectionRequested, City, "market", Missing("x")),
            RefusalKind.State, "already awaiting correction");

    [Fact]
    public void RequestCorrection_SecondNotice_RefusedOneNoticeRule() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Do(K.CorrectionRequested, City, "market", Missing("lease")).Do(K.CorrectionSupplied, Village, "window")
            .Try(K.CorrectionRequested, City, "market", Missing("x")), RefusalKind.State, "Art. 32");

    [Fact]
    public void RequestCorrection_BeforeAcceptance_Refused() =>
        Refused(new CaseScript(ResidenceCertificate).Submit().Try(K.CorrectionRequested, Village, "civil", Missing("x")), RefusalKind.State, "only for an accepted case");

    [Fact]
    public void SupplyCorrection_AtIntakeNode_ResumesClock()
    {
        var s = CaseScript.AcceptedAtCity(BusinessRegistration).Do(K.CorrectionRequested, City, "market", Missing("lease")).Do(K.CorrectionSupplied, Village, "window").State();
        Assert.Equal(CaseStatus.Accepted, s.Status);
        Assert.False(s.Paused);
    }

    [Fact]
    public void SupplyCorrection_NotAwaiting_Refused() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Try(K.CorrectionSupplied, Village, "window"), RefusalKind.State, "not awaiting correction");

    [Fact]
    public void SupplyCorrection_AtTownshipInBetween_PermissionDenied() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Do(K.CorrectionRequested, City, "market", Missing("lease")).Try(K.CorrectionSupplied, Township, "window"),
            RefusalKind.Permission, "intake node t01-v01");

    // ---- opinions ----
    private static CaseEventData Op(string dept, OpinionKind kind, string? reason = null) => new() { Department = dept, Opinion = kind, Reason = reason };

    [Fact]
    public void RecordOpinion_RequiredDepartment_Recorded()
    {
        var s = CaseScript.AcceptedAtCity(BusinessRegistration).Opinion("tax", OpinionKind.ApproveWithReferral, "refer to police").State();
        var tax = Assert.Single(s.Reviews, r => r.Department == "tax");
        Assert.Equal(OpinionKind.ApproveWithReferral, tax.Opinion);
        Assert.Equal(ReviewOutcome.Pending, s.ReviewOutcome);
    }

    [Fact]
    public void RecordOpinion_DepartmentNotRequired_PermissionDenied() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Try(K.OpinionRecorded, City, "fire", Op("fire", OpinionKind.Approve)), RefusalKind.Permission, "does not require");

    [Fact]
    public void RecordOpinion_ForAnotherDepartment_PermissionDenied() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Try(K.OpinionRecorded, City, "tax", Op("police", OpinionKind.Approve)), RefusalKind.Permission, "clerk of department tax");

    [Fact]
    public void RecordOpinion_Twice_Refused() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Opinion("tax", OpinionKind.Approve).Try(K.OpinionRecorded, City, "tax", Op("tax", OpinionKind.Reject, "no")),
            RefusalKind.State, "one opinion per department");

    [Fact]
    public void RecordOpinion_AtTownship_PermissionDenied() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Try(K.OpinionRecorded, Township, "tax", Op("tax", OpinionKind.Approve)), RefusalKind.Permission, "deciding node city");

    [Fact]
    public void RecordOpinion_RejectWithoutReason_InvalidArgument() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Try(K.OpinionRecorded, City, "tax", Op("tax", OpinionKind.Reject)), RefusalKind.InvalidArgument, "reasons");

    [Fact]
    public void RecordOpinion_WhileAwaitingCorrection_Refused() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Do(K.CorrectionRequested, City, "market", Missing("lease")).Try(K.OpinionRecorded, City, "tax", Op("tax", OpinionKind.Approve)),
            RefusalKind.State, "awaiting correction");

    [Fact]
    public void RecordOpinion_BeforeAcceptance_Refused() =>
        Refused(new CaseScript(BusinessRegistration).Submit().RouteToCity().Try(K.OpinionRecorded, City, "tax", Op("tax", OpinionKind.Approve)), RefusalKind.State, "not been accepted");

    // ---- decide ----
    private static CaseScript AllApproved() => CaseScript.AcceptedAtCity(BusinessRegistration)
        .Opinion("market", OpinionKind.Approve).Opinion("quality", OpinionKind.Approve).Opinion("tax", OpinionKind.ApproveWithReferral, "ref").Opinion("police", OpinionKind.Approve);

    [Fact]
    public void Decide_AllMustApproveAllApproved_Approved()
    {
        var s = AllApproved().Decide(City, true).State();
        Assert.Equal(CaseStatus.Approved, s.Status);
        Assert.Equal(Village, s.Holder);
    }

    [Fact]
    public void Decide_AwaitingCorrection_RefusedUntilSupplied() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Do(K.CorrectionRequested, City, "market", Missing("lease")).Try(K.Decided, City, "market", new CaseEventData { Approved = true }),
            RefusalKind.State, "is awaiting correction; it cannot be decided until the missing materials are supplied");

    [Fact]
    public void Decide_OpinionsPending_RefusedNamingDepartments()
    {
        var v = CaseScript.AcceptedAtCity(BusinessRegistration).Opinion("market", OpinionKind.Approve).Try(K.Decided, City, "market", new CaseEventData { Approved = true });
        Refused(v, RefusalKind.State, "quality (due 2026-09-15), tax");
    }

    [Fact]
    public void Decide_ApproveAfterADepartmentRejected_Refused() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Opinion("police", OpinionKind.Reject, "record").Try(K.Decided, City, "market", new CaseEventData { Approved = true }),
            RefusalKind.State, "rejected by police (record)");

    [Fact]
    public void Decide_RejectAfterADepartmentRejected_Allowed() =>
        Assert.Equal(CaseStatus.Rejected, CaseScript.AcceptedAtCity(BusinessRegistration).Opinion("police", OpinionKind.Reject, "record").Decide(City, false, "police refused").State().Status);

    [Fact]
    public void Decide_RejectWhenAllApproved_Refused() =>
        Refused(AllApproved().Try(K.Decided, City, "market", new CaseEventData { Approved = false, Reason = "no" }), RefusalKind.State, "every required department approved");

    [Fact]
    public void Decide_AtVillage_PermissionDenied() =>
        Refused(AllApproved().Try(K.Decided, Village, "market", new CaseEventData { Approved = true }), RefusalKind.Permission, "decided at city level");

    [Fact]
    public void Decide_ByNonLeadDepartment_PermissionDenied() =>
        Refused(AllApproved().Try(K.Decided, City, "tax", new CaseEventData { Approved = true }), RefusalKind.Permission, "lead department market");

    [Fact]
    public void Decide_RejectWithoutReason_InvalidArgument() =>
        Refused(new CaseScript(ResidenceCertificate).Submit().Accept(Village).Try(K.Decided, Village, "civil", new CaseEventData { Approved = false }), RefusalKind.InvalidArgument, "reasons");

    [Fact]
    public void Decide_WithoutOutcome_InvalidArgument() =>
        Refused(new CaseScript(ResidenceCertificate).Submit().Accept(Village).Try(K.Decided, Village, "civil"), RefusalKind.InvalidArgument, "approved or rejected");

    [Fact]
    public void Decide_Twice_Refused() =>
        Refused(AllApproved().Decide(City, true).Try(K.Decided, City, "market", new CaseEventData { Approved = true }), RefusalKind.State, "cannot be decided again");

    [Fact]
    public void Decide_BeforeAcceptance_Refused() =>
        Refused(new CaseScript(ResidenceCertificate).Submit().Try(K.Decided, Village, "civil", new CaseEventData { Approved = true }), RefusalKind.State, "not been accepted");

    [Fact]
    public void Decide_LeadDecidesBeforeLimit_RefusedThenAllowedAfterLimit()
    {
        var s = CaseScript.AcceptedAtCity(Construction).Opinion("planning", OpinionKind.Approve);
        Refused(s.Try(K.Decided, City, "housing", new CaseEventData { Approved = true }), RefusalKind.State, "waiting for the opinions");
        s.MoveTo(CaseScript.At(10, 9, 10)); // review limit 10 working days from Sep 14 is Sep 28
        var state = s.State();
        Assert.Equal(ReviewOutcome.LeadToDecide, state.ReviewOutcome);
        Assert.True(state.Reviews.Single(r => r.Department == "fire").Overdue);
        s.Decide(City, false, "fire safety not shown");
        Assert.Equal(CaseStatus.Rejected, s.State().Status);
    }

    [Fact]
    public void Decide_SilentConsentAfterLimit_ApprovesWithoutAnswers()
    {
        var s = CaseScript.AcceptedAtCity(ConstructionSilent).Opinion("planning", OpinionKind.Approve);
        Refused(s.Try(K.Decided, City, "housing", new CaseEventData { Approved = true }), RefusalKind.State, "waiting");
        s.MoveTo(CaseScript.At(9, 29, 9));
        var state = s.State();
        Assert.All(state.Reviews.Where(r => r.Department != "planning"), r => Assert.True(r.SilentConsent));
        Assert.Equal(ReviewOutcome.Approved, state.ReviewOutcome);
        s.Decide(City, true);
    }

    // ---- certificate ----
    [Fact]
    public void IssueCertificate_AfterApproval_Recorded() =>
        Assert.Equal("BL-1", AllApproved().Decide(City, true).Do(K.CertificateIssued, City, "market", new CaseEventData { CertificateNumber = "BL-1" }).State().CertificateNumber);

    [Fact]
    public void IssueCertificate_AfterRejection_Refused() =>
        Refused(CaseScript.AcceptedAtCity(BusinessRegistration).Opinion("police", OpinionKind.Reject, "r").Decide(City, false, "r")
            .Try(K.CertificateIssued, City, "market", new CaseEventData { CertificateNumber = "BL-1" }), RefusalKind.State, "only for an approved case");

    [Fact]
    public void IssueCertificate_AtVillage_PermissionDenied() =>
        Refused(AllApproved().Decide(City, true).Try(K.CertificateIssued, Village, "market", new CaseEventData { CertificateNumber = "BL-1" }), RefusalKind.Permission, "deciding node city");

    [Fact]
    public void IssueCertificate_WithoutNumber_InvalidArgument() =>
        Refused(AllApproved().Decide(City, true).Try(K.CertificateIssued, City, "market"), RefusalKind.InvalidArgument, "number");

    // ---- deliver ----
    [Fact]
    public void Deliver_AtIntakeAfterCityDecision_Delivered() =>
        Assert.Equal(CaseStatus.Delivered, AllApproved().Decide(City, true).Do(K.Delivered, Village, "window").State().Status);

    [Fact]
    public void Deliver_AtCity_PermissionDenied() =>
        Refused(AllApproved().Decide(City, true).Try(K.Delivered, City, "market"), RefusalKind.Permission, "intake node t01-v01");

    [Fact]
    public void Deliver_BeforeDecision_Refused() =>
        Refused(AllApproved().Try(K.Delivered, Village, "window"), RefusalKind.State, "only a decided case");

    [Fact]
    public void Deliver_Twice_Refused() =>
        Refused(CaseScript.DeliveredAtVillage().Try(K.Delivered, Village, "civil"), RefusalKind.State, "already delivered");

    // ---- evaluate ----
    [Fact]
    public void Evaluate_AfterDelivery_Recorded()
    {
        var s = CaseScript.DeliveredAtVillage().Do(K.Evaluated, Village, "window", new CaseEventData { Rating = 5, Comment = "快" }).State();
        Assert.Equal(5, s.Rating);
        Assert.Equal("非常满意", Ratings.Label(s.Rating!.Value));
    }

    [Fact]
    public void Evaluate_BeforeDelivery_Refused() =>
        Refused(new CaseScript(ResidenceCertificate).Submit().Accept(Village).Decide(Village, true).Try(K.Evaluated, Village, "window", new CaseEventData { Rating = 4 }),
            RefusalKind.State, "after delivery");

    [Fact]
    public void Evaluate_Twice_RefusedOneRatingPerCase() =>
        Refused(CaseScript.DeliveredAtVillage().Do(K.Evaluated, Village, "window", new CaseEventData { Rating = 5 }).Try(K.Evaluated, Village, "window", new CaseEventData { Rating = 1 }),
            RefusalKind.State, "one rating per case");

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void Evaluate_RatingOutOfRange_InvalidArgument(int rating) =>
        Refused(CaseScript.DeliveredAtVillage().Try(K.Evaluated, Village, "window", new CaseEventData { Rating = rating }), RefusalKind.InvalidArgument, "1 (非常不满意) to 5");

    // ---- withdraw ----
    [Fact]
    public void Withdraw_BeforeDecision_Withdrawn() =>
        Assert.Equal(CaseStatus.Withdrawn, CaseScript.AcceptedAtCity(BusinessRegistration).Do(K.Withdrawn, Village, "window", new CaseEventData { Reason = "moved" }).State().Status);

    [Fact]
    public void Withdraw_AfterDecision_Refused() =>
        Refused(AllApproved().Decide(City, true).Try(K.Withdrawn, Village, "window"), RefusalKind.State, "only before the decision");

    [Fact]
    public void Withdraw_AtUninvolvedTownship_PermissionDenied() =>
        Refused(new CaseScript(ResidenceCertificate).Submit().Try(K.Withdrawn, Township, "window"), RefusalKind.Permission, "withdrawn at its intake node");

    [Fact]
    public void AnyAction_AfterWithdrawal_Refused() =>
        Refused(new CaseScript(ResidenceCertificate).Submit().Do(K.Withdrawn, Village, "window").Try(K.Accepted, Village, "civil"), RefusalKind.State, "was withdrawn");
}
