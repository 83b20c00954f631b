using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using ServiceHall.Web.Views;

namespace ServiceHall.Web.Endpoints;

/// <summary>
/// Case intake at the window: the item, the applicant, the materials checklist ticked off, and the due date shown before
/// submitting, for a clerk who may handle cases at this node (<see cref="ClerkPermissions.HandleCases"/>). The desk checks
/// the input; a refused submission comes back with every entry kept and the error by its field.
/// </summary>
internal static class IntakeEndpoints
{
    private const string Title = "New case";

    public static void Map(IEndpointRouteBuilder clerks)
    {
        clerks.MapGet("/Cases/New", (HttpContext http, string? item, CatalogueRepository catalogue, CaseRepository cases, TimeProvider time) =>
        {
            var desk = Desk.For(http);
            return Refused(desk) ?? Page(desk, new IntakeForm(FormValues.Text(item), null, null, null, []), new FormErrors(), catalogue, cases, time);
        });
        clerks.MapPost("/Cases/New", Post);
    }

    private static IResult Post(HttpContext http, IFormCollection form, string? handler, CaseDesk cases, CatalogueRepository catalogue, CaseRepository store, TimeProvider time)
    {
        var desk = Desk.For(http);
        if (Refused(desk) is { } refused)
        {
            return refused;
        }

        var errors = new FormErrors();
        var ticked = form["Ticked"].Select(v => FormValues.Parse(v, -1, "Ticked", errors)).Where(k => k >= 0).ToList();
        var entered = new IntakeForm(
            form.ContainsKey("item") ? FormValues.Text(form["item"]) : FormValues.Text(http.Request.Query["item"]),
            FormValues.Text(form["ApplicantName"]),
            FormValues.Text(form["IdNumber"]),
            FormValues.Text(form["Phone"]),
            ticked);

        // The item was changed: show its checklist and due date, keep what was typed, validate nothing. The page's script and
        // its no-script button send the handler as a form field; an address may carry it in the query.
        if (string.Equals(handler ?? FormValues.Text(form["handler"]), "Reload", StringComparison.OrdinalIgnoreCase))
        {
            return Page(desk, entered with { Ticked = [] }, new FormErrors(), catalogue, store, time);
        }

        if (Offered(catalogue, desk, entered.ItemCode) is { } item
            && item.Materials.Select((m, k) => (m, k)).Any(x => x.m.Required && !ticked.Contains(x.k)))
        {
            errors.Add("Ticked", "Every required material must be ticked off.");
        }

        if (!errors.IsValid)
        {
            return Page(desk, entered, errors, catalogue, store, time);
        }

        try
        {
            var c = cases.Submit(entered.ItemCode, entered.ApplicantName, entered.IdNumber, entered.Phone, CaseChannel.Window, desk.SignedIn.Actor);
            return Results.Redirect("/Cases/" + c.Number);
        }
        catch (CaseActionException e)
        {
            errors.Add(e, FormErrors.Form, FieldOf);
            return Page(desk, entered, errors, catalogue, store, time);
        }
    }

    private static string? FieldOf(string deskField) => deskField switch
    {
        "item" => "ItemCode",
        "applicant_name" => "ApplicantName",
        "id_number" => "IdNumber",
        "phone" => "Phone",
        _ => null,
    };

    private static IResult? Refused(Desk desk) =>
        RefusalPage.Unless(desk, desk.T[Title], "You may not file cases at this node.", ClerkPermissions.HandleCases(desk.SignedIn, desk.Node));

    private static List<ServiceItem> Items(CatalogueRepository catalogue, Desk desk) =>
        catalogue.ListItems().Where(i => i.HandlingLevel <= desk.Node.Level).OrderBy(i => i.HandlingLevel).ThenBy(i => i.Code, StringComparer.Ordinal).ToList();

    private static ServiceItem? Offered(CatalogueRepository catalogue, Desk desk, string? code) =>
        string.IsNullOrEmpty(code) ? null : Items(catalogue, desk).FirstOrDefault(i => i.Code == code);

    private static IResult Page(Desk desk, IntakeForm form, FormErrors errors, CatalogueRepository catalogue, CaseRepository cases, TimeProvider time)
    {
        var items = Items(catalogue, desk);
        var item = string.IsNullOrEmpty(form.ItemCode) ? null : items.FirstOrDefault(i => i.Code == form.ItemCode);
        DateOnly? due = null;
        if (item is { OnTheSpot: false })
        {
            var calendar = cases.Calendar();
            var today = calendar.LocalDate(time.GetUtcNow());
            due = calendar.Deadline(today, item.PromisedLimitDays, [], today);
        }

        return Desk.Page<Slices.Cases.New, IntakeView>(new(desk, form, errors, items, item, due));
    }
}
