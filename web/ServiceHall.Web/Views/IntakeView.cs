using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;

namespace ServiceHall.Web.Views;

/// <summary>The intake form as entered (the item from the query on a first visit).</summary>
/// <param name="ItemCode">The item (field <c>item</c>).</param>
/// <param name="ApplicantName">Applicant's name.</param>
/// <param name="IdNumber">Applicant's ID number.</param>
/// <param name="Phone">Applicant's phone.</param>
/// <param name="Ticked">Indexes of the materials ticked off.</param>
public sealed record IntakeForm(string? ItemCode, string? ApplicantName, string? IdNumber, string? Phone, IReadOnlyList<int> Ticked);

/// <summary>The intake page's model.</summary>
/// <param name="Desk">The request's desk.</param>
/// <param name="Form">What was entered.</param>
/// <param name="Errors">What was wrong with it.</param>
/// <param name="Items">Items a case can be filed for here: those decided at this level or above (a higher node never files a lower item).</param>
/// <param name="Item">The chosen item, if it is one of them.</param>
/// <param name="DueIfAcceptedToday">The due date if the case were accepted today (null for an on-the-spot item).</param>
public sealed record IntakeView(Desk Desk, IntakeForm Form, FormErrors Errors, IReadOnlyList<ServiceItem> Items, ServiceItem? Item, DateOnly? DueIfAcceptedToday);
