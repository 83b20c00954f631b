using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceHall.Core.Catalogue;
using ServiceHall.Web.Views;

namespace ServiceHall.Web.Endpoints;

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
