using ServiceHall.Core.Calendar;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Core.Cases;

/// <summary>
/// Derives a <see cref="CaseState"/> from a header and its history. A pure function: the events are sorted by
/// <see cref="CaseEvent.HistoryOrder"/> first, so any arrival order gives the same state; each event is checked with
/// <see cref="CaseRules"/> against the state just before it, and one the rules refuse there is kept as a
/// <see cref="CaseConflict"/> rather than applied or dropped.
/// </summary>
public static class CaseDerivation
{
    /// <summary>Derives the state of a case as of <paramref name="now"/>.</summary>
    public static CaseState Derive(CaseHeader header, IEnumerable<CaseEvent> events, ServiceItem item, WorkingCalendar calendar, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(calendar);
        var history = events.Where(e => e.CaseNumber == header.Number).ToList();
        history.Sort(CaseEvent.HistoryOrder);

        // At-least-once delivery may hand the same event over twice; it counts once.
        history = history.DistinctBy(e => e.Id, StringComparer.Ordinal).ToList();
        var applied = new List<CaseEvent>(history.Count);
        var conflicts = new List<CaseConflict>();
        foreach (var e in history)
        {
            // Rules that depend on time (limits, silent consent) are judged as of the event's own time.
            var before = Fold(header, applied, item, calendar, e.At);
            var verdict = CaseRules.Check(before, e, item, calendar);
            if (verdict.Allowed)
            {
                applied.Add(e);
            }
            else
            {
                conflicts.Add(new CaseConflict(e, verdict.Message));
            }
        }

        return Fold(header, applied, item, calendar, now) with { History = history, Conflicts = conflicts };
    }

    /// <summary>Folds events already known to be valid, in history order, without checking them.</summary>
    internal static CaseState Fold(CaseHeader header, IReadOnlyList<CaseEvent> applied, ServiceItem item, WorkingCalendar calendar, DateTimeOffset now)
    {
        var path = new CasePath(header.IntakeScope);
        var deciding = path.NodeAt(item.HandlingLevel);
        var status = CaseStatus.None;
        var holder = header.IntakeNode;
        DateTimeOffset? acceptedAt = null, decidedAt = null, deliveredAt = null;
        string? decisionReason = null, certificate = null, closingReason = null, ratingComment = null;
        int? rating = null;
        var correctionRequested = false;
        IReadOnlyList<string> missing = [];
        var pauses = new List<PausedInterval>();
        DateOnly? pauseStart = null;
        var opinions = new Dictionary<string, CaseEvent>(StringComparer.Ordinal);

        foreach (var e in applied)
        {
            switch (e.Kind)
            {
                case CaseEventKind.Submitted:
                    status = CaseStatus.Submitted;
                    holder = header.Channel == CaseChannel.Online && deciding is not null ? deciding : header.IntakeNode;
                    break;
                case CaseEventKind.PreReviewPassed:
                    status = CaseStatus.PreReviewPassed;
                    break;
                case CaseEventKind.PreReviewFailed:
                    status = CaseStatus.PreReviewFailed;
                    closingReason = e.Data.Reason;
                    break;
                case CaseEventKind.Routed:
                    holder = e.Data.TargetNode ?? holder;
                    break;
                case CaseEventKind.Accepted:
                    status = CaseStatus.Accepted;
                    acceptedAt = e.At;
                    break;
                case CaseEventKind.CorrectionRequested:
                    status = CaseStatus.AwaitingCorrection;
                    correctionRequested = true;
                    missing = e.Data.Materials ?? [];
                    pauseStart = calendar.LocalDate(e.At);
                    break;
                case CaseEventKind.CorrectionSupplied:
                    status = CaseStatus.Accepted;
                    pauses.Add(new PausedInterval(pauseStart ?? calendar.LocalDate(e.At), calendar.LocalDate(e.At)));
                    pauseStart = null;
                    break;
                case CaseEventKind.OpinionRecorded when e.Data.Department is { } dept:
                    opinions.TryAdd(dept, e);
                    break;
                case CaseEventKind.Decided:
                    status = e.Data.Approved == true ? CaseStatus.Approved : CaseStatus.Rejected;
                    decidedAt = e.At;
                    decisionReason = e.Data.Reason;
                    holder = header.IntakeNode; // the result flows back down to be delivered
                    break;
                case CaseEventKind.CertificateIssued:
                    status = CaseStatus.CertificateIssued;
                    certificate = e.Data.CertificateNumber;
                    break;
                case CaseEventKind.Delivered:
                    status = CaseStatus.Delivered;
                    deliveredAt = e.At;
                    break;
                case CaseEventKind.Evaluated:
                    rating = e.Data.Rating;
                    ratingComment = e.Data.Comment;
                    break;
                case CaseEventKind.Withdrawn:
                    status = CaseStatus.Withdrawn;
                    closingReason = e.Data.Reason;
                    break;
                default:
                    break;
            }
        }

        if (pauseStart is { } open)
        {
            pauses.Add(new PausedInterval(open, null));
        }

        var today = calendar.LocalDate(now);
        var state = new CaseState
        {
            Header = header,
            Status = status,
            DecidingLevel = item.HandlingLevel,
            DecidingNode = deciding,
            Holder = holder,
            AcceptedAt = acceptedAt,
            DecidedAt = decidedAt,
            DecisionReason = decisionReason,
            DeliveredAt = deliveredAt,
            CertificateNumber = certificate,
            Paused = pauseStart is not null,
            CorrectionRequested = correctionRequested,
            MissingMaterials = missing,
            Rating = rating,
            RatingComment = ratingComment,
            ClosingReason = closingReason,
        };

        return CaseDeadlines.Apply(state, item, calendar, pauses, opinions, today);
    }
}
