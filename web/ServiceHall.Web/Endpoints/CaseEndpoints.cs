using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using ServiceHall.Web.Views;

namespace ServiceHall.Web.Endpoints;

/// <summary>
/// One case, if it lies inside the clerk's subtree (<see cref="ClerkPermissions.ReadCase"/>; else 403 and nothing of it):
/// its deadline, its parallel review, its history as a timeline, and a form for each action that this node and this clerk
/// may take now (<see cref="ClerkPermissions"/>, then <see cref="CaseDesk.AvailableActions"/>). A posted action is checked
/// by the same permissions before the desk sees it, whatever the page offered; a refused action comes back with what was
/// entered and the reason next to the field, or on the action's form.
/// </summary>
internal static class CaseEndpoints
{
    public static void Map(IEndpointRouteBuilder clerks)
    {
        clerks.MapGet("/Cases/{number}", (HttpContext http, string number, CaseDesk cases, CatalogueRepository catalogue) =>
        {
            var desk = Desk.For(http);
            return Load(desk, number, new ActionForm(default), cases, catalogue, out var view) ?? Desk.Page<Slices.Cases.Show, CaseView>(view!);
        });
        clerks.MapPost("/Cases/{number}", Post);
    }

    private static IResult Post(HttpContext http, string number, IFormCollection form, CaseDesk cases, CatalogueRepository catalogue)
    {
        var desk = Desk.For(http);
        var posted = ActionForm.Read(form);
        if (Load(desk, number, posted, cases, catalogue, out var view) is { } refused)
        {
            return refused;
        }

        var actor = desk.SignedIn.Actor;
        var opinionDepartment = OpinionDepartment(desk, posted);
        if (Denial(desk, posted.Kind, opinionDepartment) is { } denied)
        {
            view!.Errors.Add(posted.Kind.ToString(), denied);
            return Desk.Page<Slices.Cases.Show, CaseView>(view!);
        }

        try
        {
            _ = posted.Kind switch
            {
                CaseEventKind.PreReviewPassed => cases.PreReview(number, actor, passed: true, posted.Reason),
                CaseEventKind.PreReviewFailed => cases.PreReview(number, actor, passed: false, posted.Reason),
                CaseEventKind.Accepted => cases.Accept(number, actor),
                CaseEventKind.CorrectionRequested => cases.RequestCorrection(number, actor, Lines(posted.MissingMaterials)),
                CaseEventKind.CorrectionSupplied => cases.SupplyCorrection(number, actor),
                CaseEventKind.Routed => cases.RouteUp(number, actor),
                CaseEventKind.OpinionRecorded => cases.RecordOpinion(number, actor, opinionDepartment, posted.Opinion, posted.Reason),
                CaseEventKind.Decided => cases.Decide(number, actor, posted.Approved, posted.Reason),
                CaseEventKind.CertificateIssued => cases.IssueCertificate(number, actor, posted.CertificateNumber),
                CaseEventKind.Delivered => cases.Deliver(number, actor),
                CaseEventKind.Evaluated => cases.Evaluate(number, actor, posted.Rating, posted.Comment, posted.Agency, string.IsNullOrEmpty(posted.Agency) ? 0 : posted.AgencyScore),
                CaseEventKind.Withdrawn => cases.Withdraw(number, actor, posted.Reason),
                _ => throw new CaseActionException("kind", $"Unknown action {posted.Kind}."),
            };
        }
        catch (CaseActionException e)
        {
            view!.Errors.Add(e, posted.Kind.ToString(), f => f switch
            {
                "reason" => posted.Key("Reason"),
                "missing_materials" => posted.Key("MissingMaterials"),
                "certificate_number" => posted.Key("CertificateNumber"),
                "rating" => posted.Key("Rating"),
                "comment" => posted.Key("Comment"),
                "agency" => posted.Key("Agency"),
                "agency_score" => posted.Key("AgencyScore"),
                _ => null,
            });
            return Desk.Page<Slices.Cases.Show, CaseView>(view!);
        }

        // Post/redirect/get: a reload does not repeat the action.
        return Results.Redirect("/Cases/" + number);
    }

    private static List<string> Lines(string? text) =>
        (text ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>The department an opinion post names: the form's, else the clerk's own.</summary>
    private static string OpinionDepartment(Desk desk, ActionForm posted) => posted.Department ?? desk.SignedIn.Department;

    /// <summary>Why the clerk may not take <paramref name="kind"/> at this node, or null: the permissions of the client API.</summary>
    private static string? Denial(Desk desk, CaseEventKind kind, string opinionDepartment) => kind == CaseEventKind.OpinionRecorded
        ? ClerkPermissions.RecordOpinion(desk.SignedIn, desk.Node, opinionDepartment)
        : ClerkPermissions.HandleCases(desk.SignedIn, desk.Node);

    /// <summary>Loads the case into <paramref name="view"/>; null when the page can show it, else 404 (no such case here) or 403 (outside the clerk's subtree).</summary>
    private static IResult? Load(Desk desk, string number, ActionForm posted, CaseDesk cases, CatalogueRepository catalogue, out CaseView? view)
    {
        view = null;
        CaseState? c;
        try
        {
            c = cases.Find(number);
        }
        catch (CaseActionException)
        {
            return Results.NotFound();
        }

        if (c is null)
        {
            return Results.NotFound();
        }

        if (RefusalPage.Unless(desk, "", "This case lies outside your node's subtree; it is not shown.", ClerkPermissions.ReadCase(desk.SignedIn, c.Header.IntakeScope, c.Number)) is { } refused)
        {
            return refused;
        }

        var actions = cases.AvailableActions(c, desk.SignedIn.Actor).Where(k => Denial(desk, k, OpinionDepartment(desk, posted)) is null).ToHashSet();
        view = new CaseView(desk, c, catalogue.GetItem(c.Header.ItemCode), actions, catalogue.ListAgencies(), posted, new FormErrors());
        return null;
    }
}
