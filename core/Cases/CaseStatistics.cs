using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Cases;

/// <summary>Counts and rates of a group of cases (one row of the city dashboard).</summary>
/// <param name="Key">Township node id, item code, department code, or <c>total</c>.</param>
public sealed record CaseStatisticsRow(string Key)
{
    /// <summary>Cases in the group.</summary>
    public int Cases { get; init; }

    /// <summary>Cases accepted (受理), withdrawn ones excluded.</summary>
    public int Accepted { get; init; }

    /// <summary>Cases decided (办结).</summary>
    public int Decided { get; init; }

    /// <summary>Decided on the acceptance day.</summary>
    public int DecidedOnTheSpot { get; init; }

    /// <summary>Decided within 3 working days.</summary>
    public int DecidedWithinThreeWorkingDays { get; init; }

    /// <summary>Accepted cases that are on time.</summary>
    public int OnTime { get; init; }

    /// <summary>Cases overdue (open past due, or decided late).</summary>
    public int Overdue { get; init; }

    /// <summary>Open cases with one working day or less left.</summary>
    public int NearDue { get; init; }

    /// <summary>Cases rated.</summary>
    public int Rated { get; init; }

    /// <summary>Sum of ratings.</summary>
    public int RatingSum { get; init; }

    /// <summary>Department rows: opinions required of the department.</summary>
    public int Reviews { get; init; }

    /// <summary>Department rows: opinions missing past their limit on open cases.</summary>
    public int ReviewsOverdue { get; init; }

    /// <summary>Department rows: opinions given after their limit.</summary>
    public int ReviewsAnsweredLate { get; init; }

    /// <summary>Department rows: opinions not given with one working day or less left.</summary>
    public int ReviewsNearDue { get; init; }

    /// <summary>Cases with an unmerged conflict.</summary>
    public int Conflicts { get; init; }

    /// <summary>Share of decided cases decided on the spot (0 when none decided).</summary>
    public double OnTheSpotShare => Share(DecidedOnTheSpot, Decided);

    /// <summary>Share of decided cases decided within 3 working days.</summary>
    public double WithinThreeWorkingDaysShare => Share(DecidedWithinThreeWorkingDays, Decided);

    /// <summary>Share of accepted cases on time.</summary>
    public double OnTimeRate => Share(OnTime, Accepted);

    /// <summary>Average rating of rated cases; 0 if none.</summary>
    public double AverageRating => Share(RatingSum, Rated);

    /// <summary>The row of the two groups together (the counts of disjoint sets of cases add up); keeps this key.</summary>
    public CaseStatisticsRow Plus(CaseStatisticsRow other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this with
        {
            Cases = Cases + other.Cases,
            Accepted = Accepted + other.Accepted,
            Decided = Decided + other.Decided,
            DecidedOnTheSpot = DecidedOnTheSpot + other.DecidedOnTheSpot,
            DecidedWithinThreeWorkingDays = DecidedWithinThreeWorkingDays + other.DecidedWithinThreeWorkingDays,
            OnTime = OnTime + other.OnTime,
            Overdue = Overdue + other.Overdue,
            NearDue = NearDue + other.NearDue,
            Rated = Rated + other.Rated,
            RatingSum = RatingSum + other.RatingSum,
            Reviews = Reviews + other.Reviews,
            ReviewsOverdue = ReviewsOverdue + other.ReviewsOverdue,
            ReviewsAnsweredLate = ReviewsAnsweredLate + other.ReviewsAnsweredLate,
            ReviewsNearDue = ReviewsNearDue + other.ReviewsNearDue,
            Conflicts = Conflicts + other.Conflicts,
        };
    }

    private static double Share(int part, int whole) => whole == 0 ? 0 : (double)part / whole;
}

/// <summary>The city dashboard figures.</summary>
/// <param name="Total">All cases.</param>
/// <param name="ByTownship">By township of intake (<c>city</c> for cases taken at the city).</param>
/// <param name="ByItem">By item code.</param>
/// <param name="ByDepartment">By department: cases it leads or reviews.</param>
public sealed record CaseStatisticsReport(
    CaseStatisticsRow Total,
    IReadOnlyList<CaseStatisticsRow> ByTownship,
    IReadOnlyList<CaseStatisticsRow> ByItem,
    IReadOnlyList<CaseStatisticsRow> ByDepartment);

/// <summary>Computes the dashboard from derived case states (a pure function).</summary>
public static class CaseStatistics
{
    /// <summary>Computes the report; <paramref name="findItem"/> gives each case's item (for its lead department).</summary>
    public static CaseStatisticsReport Compute(IEnumerable<CaseState> cases, Func<string, ServiceItem?> findItem)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(findItem);
        var list = cases.ToList();
        var total = Row("total", list);
        var byTownship = list.GroupBy(c => new CasePath(c.Header.IntakeScope).NodeAt(NodeLevel.Township) ?? "city", StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Row(g.Key, g)).ToList();
        var byItem = list.GroupBy(c => c.Header.ItemCode, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Row(g.Key, g)).ToList();

        var departments = new SortedDictionary<string, List<CaseState>>(StringComparer.Ordinal);
        foreach (var c in list)
        {
            var lead = findItem(c.Header.ItemCode)?.LeadDepartment;
            foreach (var d in c.Reviews.Select(r => r.Department).Append(lead).OfType<string>().Where(d => d.Length > 0).Distinct(StringComparer.Ordinal))
            {
                if (!departments.TryGetValue(d, out var group))
                {
                    departments[d] = group = [];
                }

                group.Add(c);
            }
        }

        var byDepartment = departments.Select(kv =>
        {
            var reviews = kv.Value.SelectMany(c => c.Reviews).Where(r => r.Department == kv.Key).ToList();
            return Row(kv.Key, kv.Value) with
            {
                Reviews = reviews.Count,
                ReviewsOverdue = reviews.Count(r => r.Overdue),
                ReviewsAnsweredLate = reviews.Count(r => r.AnsweredLate),
                ReviewsNearDue = reviews.Count(r => r.NearDue),
            };
        }).ToList();

        return new CaseStatisticsReport(total, byTownship, byItem, byDepartment);
    }

    /// <summary>
    /// The report of two disjoint sets of cases together: rows of the same key are added (<see cref="CaseStatisticsRow.Plus"/>),
    /// every list stays ordered by key as <see cref="Compute"/> orders it.
    /// </summary>
    public static CaseStatisticsReport Merge(CaseStatisticsReport a, CaseStatisticsReport b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new CaseStatisticsReport(
            a.Total.Plus(b.Total),
            Merge(a.ByTownship, b.ByTownship),
            Merge(a.ByItem, b.ByItem),
            Merge(a.ByDepartment, b.ByDepartment));
    }

    /// <summary>Rows of the same key added, ordered by key (ordinal).</summary>
    internal static IReadOnlyList<CaseStatisticsRow> Merge(IEnumerable<CaseStatisticsRow> a, IEnumerable<CaseStatisticsRow> b)
    {
        var rows = new SortedDictionary<string, CaseStatisticsRow>(StringComparer.Ordinal);
        foreach (var r in a.Concat(b))
        {
            rows[r.Key] = rows.TryGetValue(r.Key, out var existing) ? existing.Plus(r) : r;
        }

        return [.. rows.Values];
    }

    private static CaseStatisticsRow Row(string key, IEnumerable<CaseState> group)
    {
        var g = group as IReadOnlyCollection<CaseState> ?? group.ToList();
        var accepted = g.Where(c => c.AcceptedAt is not null && c.Status != CaseStatus.Withdrawn).ToList();
        var decided = g.Where(c => c.IsDecided).ToList();
        var rated = g.Where(c => c.Rating is not null).ToList();
        return new CaseStatisticsRow(key)
        {
            Cases = g.Count,
            Accepted = accepted.Count,
            Decided = decided.Count,
            DecidedOnTheSpot = decided.Count(c => c.DecidedOnTheSpot),
            DecidedWithinThreeWorkingDays = decided.Count(c => c.DecidedWithinThreeWorkingDays),
            OnTime = accepted.Count(c => c.OnTime),
            Overdue = g.Count(c => c.Overdue),
            NearDue = g.Count(c => c.NearDue),
            Rated = rated.Count,
            RatingSum = rated.Sum(c => c.Rating!.Value),
            Conflicts = g.Count(c => c.HasConflict),
        };
    }
}
