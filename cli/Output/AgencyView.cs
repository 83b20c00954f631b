using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Output;

/// <summary>What <c>catalogue agencies --json</c> prints per intermediary agency (中介机构).</summary>
/// <param name="Code">Agency code, e.g. "AG-001".</param>
/// <param name="Name">Name in Chinese.</param>
/// <param name="Service">Services offered, e.g. "资产评估".</param>
/// <param name="Rating">Grade A–D from its per-job evaluations; null while it has none.</param>
/// <param name="Evaluations">Number of evaluations behind the grade.</param>
/// <param name="Average">Average 1–5 score of those evaluations; 0 with none.</param>
internal sealed record AgencyView(string Code, string Name, string Service, string? Rating, int Evaluations, double Average)
{
    /// <summary>The view of an agency message.</summary>
    public static AgencyView From(Agency a) => new(
        a.Code,
        a.Name,
        a.Service,
        string.IsNullOrEmpty(a.Rating) ? null : a.Rating,
        a.Evaluations,
        a.AverageScore);
}
