using System.Globalization;
using Grpc.Core;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Nodes;
using V1 = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Api;

/// <summary>
/// The <c>servicehall.v1.Catalogue</c> gRPC service: read access to the catalogue held by this node,
/// mapped from the domain records (open to any caller: it is the published service guide), and the working calendar's
/// changes, for city administrators at the city only. Bad input gets INVALID_ARGUMENT, an unknown item NOT_FOUND.
/// </summary>
public sealed class CatalogueService : V1.Catalogue.CatalogueBase
{
    /// <summary>Longest item code accepted in a request; real codes are far shorter.</summary>
    public const int MaxCodeLength = 64;

    private readonly CatalogueRepository _repository;
    private readonly IAgencyEvaluationSource? _evaluations;

    /// <summary>Creates the service.</summary>
    /// <param name="repository">The catalogue of this node.</param>
    /// <param name="evaluations">Agency evaluation scores; null while no component records them (every agency is then unrated).</param>
    public CatalogueService(CatalogueRepository repository, IAgencyEvaluationSource? evaluations = null)
    {
        _repository = repository ?? throw new ArgumentNullException(nameof(repository));
        _evaluations = evaluations;
    }

    /// <inheritdoc />
    public override Task<V1.ListItemsReply> ListItems(V1.ListItemsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var level = NodeLevels.FromProto(request.HandlingLevel);
        if (level is null && request.HandlingLevel != V1.NodeLevel.Unspecified)
        {
            throw Invalid($"handling_level {(int)request.HandlingLevel} is not a known level.");
        }

        var reply = new V1.ListItemsReply();
        reply.Items.AddRange(_repository.ListItems(level).Select(ToProto));
        return Task.FromResult(reply);
    }

    /// <inheritdoc />
    public override Task<V1.ServiceItem> GetItem(V1.GetItemRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Code))
        {
            throw Invalid("code is required.");
        }

        if (request.Code.Length > MaxCodeLength)
        {
            throw Invalid($"code is longer than {MaxCodeLength} characters.");
        }

        var item = _repository.GetItem(request.Code)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Service item '{request.Code}' is not in the catalogue."));
        return Task.FromResult(ToProto(item));
    }

    /// <inheritdoc />
    public override Task<V1.ListDepartmentsReply> ListDepartments(V1.ListDepartmentsRequest request, ServerCallContext context)
    {
        var reply = new V1.ListDepartmentsReply();
        reply.Departments.AddRange(_repository.ListDepartments().Select(d => new V1.Department { Code = d.Code, Name = d.Name, NameEn = d.NameEn }));
        return Task.FromResult(reply);
    }

    /// <inheritdoc />
    public override Task<V1.WorkingCalendar> GetCalendar(V1.GetCalendarRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Year is < 0 or > 9998)
        {
            throw Invalid($"year {request.Year} is not 0 (every year) or a year between 1 and 9998.");
        }

        var reply = new V1.WorkingCalendar();
        reply.Days.AddRange(_repository.GetCalendar(request.Year == 0 ? null : request.Year).Select(ToProto));
        return Task.FromResult(reply);
    }

    /// <inheritdoc />
    public override Task<V1.CalendarDay> SetCalendarDay(V1.SetCalendarDayRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ClerkCalls.Require(context, c => ClerkPermissions.Administer(c, _repository.Node));
        var date = ParseDate(request.Date);
        try
        {
            return Task.FromResult(ToProto(_repository.SetCalendarDay(date, request.Working, request.Name)));
        }
        catch (CatalogueException ex)
        {
            throw ToRpcException(ex);
        }
    }

    /// <inheritdoc />
    public override Task<V1.ClearCalendarDayReply> ClearCalendarDay(V1.ClearCalendarDayRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ClerkCalls.Require(context, c => ClerkPermissions.Administer(c, _repository.Node));
        var date = ParseDate(request.Date);
        try
        {
            return Task.FromResult(new V1.ClearCalendarDayReply { Removed = _repository.ClearCalendarDay(date) });
        }
        catch (CatalogueException ex)
        {
            throw ToRpcException(ex);
        }
    }

    /// <inheritdoc />
    public override Task<V1.ListNodesReply> ListNodes(V1.ListNodesRequest request, ServerCallContext context)
    {
        var reply = new V1.ListNodesReply();
        reply.Nodes.AddRange(_repository.ListNodes().Select(ToProto));
        return Task.FromResult(reply);
    }

    /// <inheritdoc />
    public override Task<V1.ListAgenciesReply> ListAgencies(V1.ListAgenciesRequest request, ServerCallContext context)
    {
        var reply = new V1.ListAgenciesReply();
        var scores = _evaluations?.ScoresByAgency();
        foreach (var a in _repository.ListAgencies())
        {
            var rating = scores is not null && scores.TryGetValue(a.Code, out var s) ? AgencyRating.FromScores(s) : AgencyRating.Unrated;
            reply.Agencies.Add(new V1.Agency
            {
                Code = a.Code,
                Name = a.Name,
                Service = a.Service,
                Rating = rating.Grade,
                Evaluations = rating.Evaluations,
                AverageScore = rating.AverageScore,
            });
        }

        return Task.FromResult(reply);
    }

    /// <summary>Maps a registered node to the contract's (an absent parent becomes the empty string).</summary>
    public static V1.RegisteredNode ToProto(RegisteredNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new V1.RegisteredNode
        {
            Id = node.Id,
            Level = NodeLevels.ToProto(node.Level),
            ParentId = node.ParentId ?? string.Empty,
            Name = node.Name,
            Scope = node.Scope,
        };
    }

    /// <summary>Maps a service item with its whole service guide to the contract's.</summary>
    public static V1.ServiceItem ToProto(ServiceItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var pb = new V1.ServiceItem
        {
            Code = item.Code,
            Name = item.Name,
            NameEn = item.NameEn,
            Category = item.Category,
            LeadDepartment = item.LeadDepartment,
            HandlingLevel = NodeLevels.ToProto(item.HandlingLevel),
            LegalBasis = item.LegalBasis,
            Conditions = item.Conditions,
            LegalLimitDays = item.LegalLimitDays,
            PromisedLimitDays = item.PromisedLimitDays,
            Fees = item.Fees,
            ReviewRule = item.ReviewRule switch
            {
                ReviewRule.AllMustApprove => V1.ReviewRule.AllMustApprove,
                ReviewRule.LeadDecides => V1.ReviewRule.LeadDecides,
                _ => V1.ReviewRule.Unspecified,
            },
            OnTheSpot = item.OnTheSpot,
            SilentConsent = item.SilentConsent,
            ReviewLimitDays = item.ReviewLimitDays,
            ServiceLocation = item.ServiceLocation,
            Phone = item.Phone,
            OnlinePreReview = item.OnlinePreReview,
        };
        pb.Materials.AddRange(item.Materials.Select(m => new V1.Material { Name = m.Name, Copies = m.Copies, Original = m.Original, Required = m.Required }));
        pb.ReviewDepartments.AddRange(item.ReviewDepartments);
        return pb;
    }

    /// <summary>The gRPC status for a refused catalogue request (for services that call the repository, such as node administration).</summary>
    public static RpcException ToRpcException(CatalogueException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var code = error.Kind switch
        {
            CatalogueErrorKind.NotFound => StatusCode.NotFound,
            CatalogueErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
            _ => StatusCode.InvalidArgument,
        };
        return new RpcException(new Status(code, error.Message));
    }

    private static V1.CalendarDay ToProto(Calendar.CalendarDay d) => new()
    {
        Date = d.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Working = d.Working,
        Name = d.Name,
    };

    private static DateOnly ParseDate(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 2000 and <= 9998
            ? date
            : throw Invalid($"date '{(text is { Length: > 20 } ? text[..20] + "…" : text)}' is not an ISO date yyyy-MM-dd between 2000 and 9998.");

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
