using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Web.Endpoints;

/// <summary>The catalogue page's model: the items as this node holds them.</summary>
/// <param name="Desk">The request's desk.</param>
/// <param name="Items">Items by handling level, then code.</param>
public sealed record CatalogueView(Desk Desk, IReadOnlyList<ServiceItem> Items);

/// <summary>One item's page: its full service guide (办事指南) and its materials checklist.</summary>
/// <param name="Desk">The request's desk.</param>
/// <param name="Item">The item.</param>
public sealed record CatalogueItemView(Desk Desk, ServiceItem Item);

/// <summary>The catalogue of service items as this node holds it (synced from the city); open to anyone at the hall.</summary>
internal static class CatalogueEndpoints
{
    public static void Map(IEndpointRouteBuilder anonymous)
    {
        foreach (var path in new[] { "/Catalogue", "/Catalogue/Index" })
        {
            anonymous.MapGet(path, (HttpContext http, CatalogueRepository catalogue) =>
                Desk.Page<Slices.Catalogue.Index, CatalogueView>(new(
                    Desk.For(http),
                    catalogue.ListItems().OrderBy(i => i.HandlingLevel).ThenBy(i => i.Code, StringComparer.Ordinal).ToList())));
        }

        anonymous.MapGet("/Catalogue/{code}", (HttpContext http, string code, CatalogueRepository catalogue) =>
            catalogue.GetItem(code) is { } item
                ? Desk.Page<Slices.Catalogue.Item, CatalogueItemView>(new(Desk.For(http), item))
                : Results.NotFound());
    }
}
