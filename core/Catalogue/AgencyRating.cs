namespace ServiceHall.Core.Catalogue;

/// <summary>
/// Credit grade (信誉等级) of an intermediary agency (中介机构), from the 1–5 scores of its per-job
/// evaluations (一事一评): A for an average of at least 4.5, B at least 3.5, C at least 2.5, otherwise D.
/// </summary>
/// <param name="Grade">"A" to "D"; empty when the agency has no evaluations yet.</param>
/// <param name="Evaluations">Number of evaluations behind the grade.</param>
/// <param name="AverageScore">Average score; 0 with no evaluations.</param>
public sealed record AgencyRating(string Grade, int Evaluations, double AverageScore)
{
    /// <summary>The rating of an agency nobody has evaluated.</summary>
    public static AgencyRating Unrated { get; } = new(string.Empty, 0, 0);

    /// <summary>Computes the grade from evaluation scores.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A score lies outside 1–5.</exception>
    public static AgencyRating FromScores(IEnumerable<int> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        long sum = 0;
        var count = 0;
        foreach (var s in scores)
        {
            if (s is < 1 or > 5)
            {
                throw new ArgumentOutOfRangeException(nameof(scores), s, "An evaluation score lies between 1 and 5.");
            }

            sum += s;
            count++;
        }

        if (count == 0)
        {
            return Unrated;
        }

        // Grade on the exact average (sum/count compared in integers) so that 4.4999… never rounds up to A.
        var grade = sum * 10 >= 45L * count ? "A"
            : sum * 10 >= 35L * count ? "B"
            : sum * 10 >= 25L * count ? "C"
            : "D";
        return new AgencyRating(grade, count, (double)sum / count);
    }
}

/// <summary>
/// Where agency evaluation scores come from. The cases component records per-job evaluations and
/// implements this; while none is registered, every agency is unrated.
/// </summary>
public interface IAgencyEvaluationSource
{
    /// <summary>The 1–5 scores of every evaluation of the agency with this code.</summary>
    IReadOnlyList<int> ScoresFor(string agencyCode);

    /// <summary>
    /// The scores of every evaluated agency at once, keyed by agency code (ordinal); agencies without evaluations
    /// are absent. Listing the catalogue uses this so that it reads the evaluations once, not once per agency.
    /// </summary>
    IReadOnlyDictionary<string, IReadOnlyList<int>> ScoresByAgency();
}
