using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Store;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Cases;

/// <summary>
/// Agency evaluation scores (一事一评) from the cases this node holds: the agency score carried by each case's
/// evaluation. The city holds every case of the network, so its ratings are the network's; a township or village
/// rates from the cases in its own scope.
/// </summary>
/// <remarks>
/// One query over the <c>evaluated</c> rows of <c>case_events</c> — no case is re-derived. A case counts once, with its
/// first evaluation in history order (order key, then id), which is the one derivation applies: a later evaluation of
/// the same case is a conflict ("one rating per case") and does not count.
/// </remarks>
public sealed class CaseAgencyEvaluations : IAgencyEvaluationSource
{
    private readonly SyncStore _sync;

    /// <summary>Creates the source over the node's store.</summary>
    public CaseAgencyEvaluations(SyncStore sync) => _sync = sync ?? throw new ArgumentNullException(nameof(sync));

    /// <inheritdoc />
    public IReadOnlyList<int> ScoresFor(string agencyCode) =>
        ScoresByAgency().TryGetValue(agencyCode, out var scores) ? scores : [];

    /// <inheritdoc />
    public IReadOnlyDictionary<string, IReadOnlyList<int>> ScoresByAgency()
    {
        var result = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        using var conn = _sync.Store.Open();
        using var cmd = conn.Command(CaseSql.For(_sync.Store.Dialect).Evaluations).With("@k", nameof(CaseEventKind.Evaluated));
        using var r = cmd.ExecuteReader();
        string? lastCase = null;
        while (r.Read())
        {
            var number = r.GetString(0);
            if (number == lastCase)
            {
                continue; // not the case's first evaluation
            }

            lastCase = number;
            var data = CaseRows.ReadPayload(r.GetString(1));

            // A score outside 1–5 cannot pass the rules; one that arrived by sync anyway is a conflict, not a score.
            if (!string.IsNullOrWhiteSpace(data.Agency) && data.AgencyScore is >= 1 and <= 5 && data.Rating is >= 1 and <= 5)
            {
                if (!result.TryGetValue(data.Agency, out var list))
                {
                    result[data.Agency] = list = [];
                }

                list.Add(data.AgencyScore.Value);
            }
        }

        return result.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<int>)kv.Value, StringComparer.Ordinal);
    }
}
