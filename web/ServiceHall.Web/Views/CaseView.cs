using Microsoft.AspNetCore.Http;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;

namespace ServiceHall.Web.Views;

/// <summary>An action posted on the case page (each action's form posts its own fields; the rest keep their defaults).</summary>
public sealed record ActionForm(
    CaseEventKind Kind,
    string? Reason = null,
    string? MissingMaterials = null,
    bool Approved = false,
    OpinionKind Opinion = OpinionKind.Approve,
    string? Department = null,
    string? CertificateNumber = null,
    int Rating = 5,
    string? Comment = null,
    string? Agency = null,
    int AgencyScore = 0)
{
    /// <summary>Reads the posted form as form binding did: the first value of each field, a value that does not parse left at its default.</summary>
    public static ActionForm Read(IFormCollection form) => new(
        FormValues.Enum(form["Kind"], default(CaseEventKind)),
        FormValues.Text(form["Reason"]),
        FormValues.Text(form["MissingMaterials"]),
        FormValues.Parse(form["Approved"], false, "Approved"),
        FormValues.Enum(form["Opinion"], OpinionKind.Approve),
        FormValues.Text(form["Department"]),
        FormValues.Text(form["CertificateNumber"]),
        FormValues.Parse(form["Rating"], 5, "Rating"),
        FormValues.Text(form["Comment"]),
        FormValues.Text(form["Agency"]),
        FormValues.Parse(form["AgencyScore"], 0, "AgencyScore"));

    /// <summary>The error key of a field of this action (each action's form shows its own errors).</summary>
    public string Key(string field) => $"{Kind}.{field}";
}

/// <summary>The case page's model.</summary>
/// <param name="Desk">The request's desk.</param>
/// <param name="Case">The case.</param>
/// <param name="Item">Its item, if the catalogue holds it.</param>
/// <param name="Actions">The actions this clerk may take on it here now.</param>
/// <param name="Agencies">Agencies an evaluation may rate.</param>
/// <param name="Posted">The action posted (its values are shown again when it was refused).</param>
/// <param name="Errors">Why it was refused: under the action's kind, or the key of its field.</param>
public sealed record CaseView(Desk Desk, CaseState Case, ServiceItem? Item, IReadOnlySet<CaseEventKind> Actions, IReadOnlyList<Agency> Agencies, ActionForm Posted, FormErrors Errors);
