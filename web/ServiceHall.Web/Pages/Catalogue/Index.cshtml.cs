using Microsoft.AspNetCore.Mvc.RazorPages;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Web.Pages.Catalogue;

/// <summary>The catalogue of service items as this node holds it (synced from the city).</summary>
public sealed class IndexModel(CatalogueRepository catalogue) : PageModel
{
    public IReadOnlyList<ServiceItem> Items { get; private set; } = [];

    public void OnGet() => Items = catalogue.ListItems().OrderBy(i => i.HandlingLevel).ThenBy(i => i.Code, StringComparer.Ordinal).ToList();
}
