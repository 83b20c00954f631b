using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Network;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Api;

/// <summary>
/// The <c>servicehall.v1.Statistics</c> gRPC service: the dashboard over every case this node holds as of now
/// (<see cref="CaseRepository.Statistics"/>: settled cases summed in SQL, live ones derived).
/// </summary>
public sealed class StatisticsService : P.Statistics.StatisticsBase
{
    private readonly CaseRepository _cases;
    private readonly TimeProvider _time;
    private readonly NodeHealthView? _nodes;

    /// <summary>Creates the service; <paramref name="nodes"/> adds every node's sync health to the reply.</summary>
    public StatisticsService(CaseRepository cases, TimeProvider time, NodeHealthView? nodes = null)
    {
        _nodes = nodes;
        _cases = cases ?? throw new ArgumentNullException(nameof(cases));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <inheritdoc />
    public override Task<P.StatisticsReply> GetStatistics(P.GetStatisticsRequest request, ServerCallContext context)
    {
        ClerkCalls.Require(context, c => ClerkPermissions.ReadStatistics(c, _cases.Node));
        var report = _cases.Statistics();
        var reply = new P.StatisticsReply { Total = ToProto(report.Total), ComputedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()) };
        reply.ByTownship.AddRange(report.ByTownship.Select(ToProto));
        reply.ByItem.AddRange(report.ByItem.Select(ToProto));
        reply.ByDepartment.AddRange(report.ByDepartment.Select(ToProto));
        if (_nodes is not null)
        {
            reply.Nodes.AddRange(_nodes.Read());
        }

        return Task.FromResult(reply);
    }

    private static P.StatisticsRow ToProto(CaseStatisticsRow r) => new()
    {
        Key = r.Key,
        Cases = r.Cases,
        Accepted = r.Accepted,
        Decided = r.Decided,
        OnTheSpotShare = r.OnTheSpotShare,
        WithinThreeWorkingDaysShare = r.WithinThreeWorkingDaysShare,
        OnTimeRate = r.OnTimeRate,
        Overdue = r.Overdue,
        NearDue = r.NearDue,
        AverageRating = r.AverageRating,
        Rated = r.Rated,
        Reviews = r.Reviews,
        ReviewsOverdue = r.ReviewsOverdue,
        ReviewsAnsweredLate = r.ReviewsAnsweredLate,
        ReviewsNearDue = r.ReviewsNearDue,
        Conflicts = r.Conflicts,
    };
}
