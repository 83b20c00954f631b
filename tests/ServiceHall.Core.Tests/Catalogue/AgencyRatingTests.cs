using ServiceHall.Core.Catalogue;

namespace ServiceHall.Core.Tests.Catalogue;

public sealed class AgencyRatingTests
{
    [Theory]
    [InlineData(new[] { 5, 5, 5 }, "A")]
    [InlineData(new[] { 4, 5 }, "A")] // exactly 4.5
    [InlineData(new[] { 5, 4, 4, 4, 5, 4, 5, 4, 5, 4 }, "B")] // 4.4
    [InlineData(new[] { 5, 4, 4, 4 }, "B")] // 4.25
    [InlineData(new[] { 3, 4 }, "B")] // exactly 3.5
    [InlineData(new[] { 3, 3, 4 }, "C")] // 3.33
    [InlineData(new[] { 2, 3 }, "C")] // exactly 2.5
    [InlineData(new[] { 2, 2, 3 }, "D")] // 2.33
    [InlineData(new[] { 1 }, "D")]
    public void FromScores_Average_GivesGrade(int[] scores, string expected)
    {
        var rating = AgencyRating.FromScores(scores);

        Assert.Equal(expected, rating.Grade);
        Assert.Equal(scores.Length, rating.Evaluations);
        Assert.Equal(scores.Average(), rating.AverageScore, 10);
    }

    [Fact]
    public void FromScores_JustBelowBoundary_DoesNotRoundUp()
    {
        // 9 fives and 11 fours: 89 / 20 = 4.45, which rounds to 4.5 at one decimal but is not an A.
        var scores = Enumerable.Repeat(5, 9).Concat(Enumerable.Repeat(4, 11)).ToArray();

        var rating = AgencyRating.FromScores(scores);

        Assert.Equal(4.45, rating.AverageScore, 10);
        Assert.Equal("B", rating.Grade);
    }

    [Fact]
    public void FromScores_NoEvaluations_IsUnrated()
    {
        var rating = AgencyRating.FromScores([]);

        Assert.Equal(string.Empty, rating.Grade);
        Assert.Equal(0, rating.Evaluations);
        Assert.Equal(0, rating.AverageScore);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(-1)]
    public void FromScores_ScoreOutsideOneToFive_Throws(int bad)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AgencyRating.FromScores([5, bad]));
    }
}
