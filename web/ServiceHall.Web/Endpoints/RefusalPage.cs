using Microsoft.AspNetCore.Http;
using ServiceHall.Web.Views;

namespace ServiceHall.Web.Endpoints;

/// <summary>The page that only says what was refused (<see cref="RefusedView"/>), as 403 Forbidden.</summary>
internal static class RefusalPage
{
    /// <summary>The refusal page when <paramref name="denial"/> (from <see cref="Core.Clerks.ClerkPermissions"/>) is not null, else null.</summary>
    public static IResult? Unless(Desk desk, string title, string headline, string? denial) =>
        denial is null ? null : Desk.Page<Slices.Refused, RefusedView>(new RefusedView(desk, title, new PageRefusal(headline, denial)), StatusCodes.Status403Forbidden);
}
