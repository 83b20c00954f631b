using System.Data.Common;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Core.Cases;

/// <summary>The case rules' view of the node's own synced catalogue: items, agencies and the working calendar as this node holds them.</summary>
public sealed class CatalogueCaseCatalogue(CatalogueRepository catalogue) : ICaseCatalogue
{
    /// <inheritdoc />
    public ServiceItem? FindItem(string code) => catalogue.GetItem(code);

    /// <inheritdoc />
    public Agency? FindAgency(string code) => catalogue.GetAgency(code);

    /// <inheritdoc />
    public IReadOnlyList<CalendarDay> CalendarDays() => catalogue.GetCalendar();

    /// <inheritdoc />
    public IReadOnlyList<CalendarDay> CalendarDays(DbConnection connection, DbTransaction? transaction) => catalogue.GetCalendar(connection, transaction);
}
