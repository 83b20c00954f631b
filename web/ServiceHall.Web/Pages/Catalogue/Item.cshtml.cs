using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Web.Pages.Catalogue;

/// <summary>One item's full service guide (办事指南) and its materials checklist.</summary>
public sealed class ItemModel(CatalogueRepository catalogue) : PageModel
{
    public ServiceItem Item { get; private set; } = null!;

    public IActionResult OnGet(string code)
    {
        var item = catalogue.GetItem(code);
        if (item is null)
        {
            return NotFound();
        }

        Item = item;
        return Page();
    }
}
