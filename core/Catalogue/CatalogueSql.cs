using ServiceHall.Core.Store;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Catalogue;

/// <summary>
/// Every statement of the catalogue (items, departments, the working calendar and its edits, the node registry, agencies,
/// the seeder's checks), built once per store dialect (see <see cref="DialectStatements"/>).
/// </summary>
public sealed class CatalogueSql : IDialectStatements<CatalogueSql>
{
    private readonly SqlDialect _d;

    private CatalogueSql(SqlDialect d)
    {
        _d = d;
        CalendarYearSeeded = "SELECT CASE WHEN EXISTS (SELECT 1 FROM calendar_days WHERE date >= @from AND date < @to) THEN 1 ELSE 0 END";
        CalendarDayCount = "SELECT COUNT(*) FROM calendar_days WHERE date = @d";
        DepartmentCount = "SELECT COUNT(*) FROM departments WHERE code = @p";

        string Select(SyncTable t) => $"SELECT {string.Join(", ", t.Columns.Select(d.Quote))} FROM {d.Quote(t.Name)}";
        ItemsAll = Select(CatalogueTables.Items) + " ORDER BY code";
        ItemsAtLevel = Select(CatalogueTables.Items) + " WHERE handling_level = @p ORDER BY code";
        ItemByCode = Select(CatalogueTables.Items) + " WHERE code = @p";
        DepartmentsAll = Select(CatalogueTables.Departments) + " ORDER BY code";
        CalendarAll = Select(CatalogueTables.CalendarDays) + " ORDER BY date";
        CalendarBetween = Select(CatalogueTables.CalendarDays) + " WHERE date >= @p AND date < @q ORDER BY date";
        NodesAll = Select(CatalogueTables.Nodes) + " ORDER BY scope";
        NodeById = Select(CatalogueTables.Nodes) + " WHERE id = @p";
        NodesByParent = Select(CatalogueTables.Nodes) + " WHERE parent_id = @p ORDER BY id";
        AgenciesAll = Select(CatalogueTables.Agencies) + " ORDER BY code";
        AgencyByCode = Select(CatalogueTables.Agencies) + " WHERE code = @p";
    }

    /// <summary>The statements in <paramref name="dialect"/> (built once per dialect).</summary>
    public static CatalogueSql For(SqlDialect dialect) => DialectStatements.For<CatalogueSql>(dialect);

    /// <inheritdoc />
    static CatalogueSql IDialectStatements<CatalogueSql>.Build(SqlDialect dialect) => new(dialect);

    /// <summary>Every statement in <paramref name="dialect"/>, named <c>domain &lt;name&gt;</c> (for the parser test).</summary>
    public static IEnumerable<StoreStatement> Statements(SqlDialect dialect) =>
    [
        .. DialectStatements.Listed<CatalogueSql>(dialect),
        .. CatalogueTables.All.Select(t => new StoreStatement($"domain HasRows {t.Name}", For(dialect).HasRows(t))),
    ];

    /// <summary>True if the table holds any row (the seeder fills only empty tables).</summary>
    public string HasRows(SyncTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return $"SELECT CASE WHEN EXISTS (SELECT 1 FROM {_d.Quote(table.Name)}) THEN 1 ELSE 0 END";
    }

    public string ItemsAll { get; }

    public string ItemsAtLevel { get; }

    public string ItemByCode { get; }

    public string DepartmentsAll { get; }

    public string DepartmentCount { get; }

    public string CalendarAll { get; }

    public string CalendarBetween { get; }

    public string CalendarDayCount { get; }

    public string CalendarYearSeeded { get; }

    public string NodesAll { get; }

    public string NodeById { get; }

    public string NodesByParent { get; }

    public string AgenciesAll { get; }

    public string AgencyByCode { get; }
}
