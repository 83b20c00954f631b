using Google.Protobuf.WellKnownTypes;
using ServiceHall.Core.Cases;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Api;

/// <summary>Maps derived case state to the wire messages of <c>cases.proto</c>.</summary>
public static class CaseMapping
{
    /// <summary>The wire form of a case.</summary>
    public static P.Case ToProto(CaseState s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var c = new P.Case
        {
            Number = s.Number,
            Item = s.Header.ItemCode,
            Status = (P.CaseStatus)(int)s.Status,
            Level = (P.NodeLevel)(int)s.DecidingLevel,
            DecidingNode = s.DecidingNode ?? string.Empty,
            IntakeNode = s.Header.IntakeNode,
            Holder = s.Holder,
            DueDate = CaseRows.Date(s.DueDate),
            Flags = new P.CaseFlags
            {
                OnTime = s.OnTime,
                NearDue = s.NearDue,
                Overdue = s.Overdue,
                Paused = s.Paused,
                DecidedOnTheSpot = s.DecidedOnTheSpot,
                DecidedWithinThreeWorkingDays = s.DecidedWithinThreeWorkingDays,
                HasConflict = s.HasConflict,
            },
            ApplicantName = s.Header.ApplicantName,
            IdNumber = s.Header.IdNumber,
            Phone = s.Header.Phone ?? string.Empty,
            Channel = (P.CaseChannel)(int)s.Header.Channel,
            SubmittedAt = Timestamp.FromDateTimeOffset(s.Header.SubmittedAt),
            AcceptedAt = s.AcceptedAt is { } a ? Timestamp.FromDateTimeOffset(a) : null,
            DecidedAt = s.DecidedAt is { } d ? Timestamp.FromDateTimeOffset(d) : null,
            WorkingDaysLeft = s.WorkingDaysLeft ?? 0,
            PausedWorkingDays = s.PausedWorkingDays,
            ReviewOutcome = (P.ReviewOutcome)(int)s.ReviewOutcome,
            DecisionReason = s.DecisionReason ?? string.Empty,
            CertificateNumber = s.CertificateNumber ?? string.Empty,
            Rating = s.Rating ?? 0,
            RatingComment = s.RatingComment ?? string.Empty,
        };
        c.MissingMaterials.AddRange(s.MissingMaterials);
        foreach (var r in s.Reviews)
        {
            c.Opinions.Add(new P.DepartmentOpinion
            {
                Department = r.Department,
                Opinion = r.Opinion is { } o ? (P.Opinion)(int)o : P.Opinion.Unspecified,
                Reason = r.Reason ?? string.Empty,
                DueDate = CaseRows.Date(r.Due),
                Overdue = r.Overdue,
                AnsweredLate = r.AnsweredLate,
                SilentConsent = r.SilentConsent,
                NearDue = r.NearDue,
                AnsweredAt = r.AnsweredAt is { } t ? Timestamp.FromDateTimeOffset(t) : null,
                Clerk = r.Actor is { } who ? Clerk(who) : null,
            });
        }

        foreach (var e in s.History)
        {
            var h = new P.CaseHistoryEntry
            {
                Id = e.Id,
                Kind = e.Kind.ToString(),
                Node = e.NodeId,
                Actor = Clerk(e.Actor),
                At = Timestamp.FromDateTimeOffset(e.At),
                Reason = e.Data.Reason ?? string.Empty,
                TargetNode = e.Data.TargetNode ?? string.Empty,
                Department = e.Data.Department ?? string.Empty,
                Opinion = e.Data.Opinion is { } o ? (P.Opinion)(int)o : P.Opinion.Unspecified,
                Approved = e.Data.Approved ?? (e.Kind == CaseEventKind.PreReviewPassed),
                CertificateNumber = e.Data.CertificateNumber ?? string.Empty,
                Rating = e.Data.Rating ?? 0,
                Comment = e.Data.Comment ?? string.Empty,
                Agency = e.Data.Agency ?? string.Empty,
                AgencyScore = e.Data.AgencyScore ?? 0,
            };
            h.Materials.AddRange(e.Data.Materials ?? []);
            c.History.Add(h);
        }

        foreach (var x in s.Conflicts)
        {
            c.Conflicts.Add(new P.CaseConflict { EventId = x.Event.Id, Message = x.Message });
        }

        return c;
    }

    private static P.Clerk Clerk(CaseActor a) => new() { UserId = a.UserId, Department = a.Department };
}
