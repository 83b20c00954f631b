using ServiceHall.Core.Catalogue;

namespace ServiceHall.Web.Views;

/// <summary>The catalogue page's model: the items as this node holds them.</summary>
/// <param name="Desk">The request's desk.</param>
/// <param name="Items">Items by handling level, then code.</param>
public sealed record CatalogueView(Desk Desk, IReadOnlyList<ServiceItem> Items);

/// <summary>One item's page: its full service guide (办事指南) and its materials checklist.</summary>
/// <param name="Desk">The request's desk.</param>
/// <param name="Item">The item.</param>
public sealed record CatalogueItemView(Desk Desk, ServiceItem Item);
