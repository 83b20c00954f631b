using System.Data.Common;
using System.Globalization;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Store;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Catalogue;

/// <summary>Rows written by one seeding run, per table; all zero when every table already held rows.</summary>
/// <param name="Departments">Department rows written.</param>
/// <param name="Items">Item rows written.</param>
/// <param name="CalendarDays">Calendar rows written.</param>
/// <param name="Nodes">Node registry rows written.</param>
/// <param name="Agencies">Agency rows written.</param>
public sealed record CatalogueSeedResult(int Departments, int Items, int CalendarDays, int Nodes, int Agencies)
{
    /// <summary>Rows written in all.</summary>
    public int Total => Departments + Items + CalendarDays + Nodes + Agencies;
}

/// <summary>
/// Loads the shipped catalogue (<see cref="CatalogueSeedData"/>) into the city's store. Rows go through
/// <see cref="SyncStore.BeginWrite"/>, so each is captured in the change log and flows down to every node
/// like any edit made later at the city.
/// </summary>
public static class CatalogueSeeder
{
    /// <summary>
    /// Seeds each catalogue table that holds no rows yet, in one transaction. A table that already has rows
    /// is left alone, so the city's later edits (and deletions) are never overwritten by the shipped files,
    /// and a second run writes nothing. The working calendar is the exception: it is seeded per year, so a
    /// year shipped in a later release is added when the store holds no day of that year.
    /// </summary>
    /// <param name="store">The city's engine over a migrated store.</param>
    /// <param name="node">This node; it must be the city, the only writer of the catalogue (the tables are down-only).</param>
    /// <param name="data">Seed data; the embedded files when null.</param>
    /// <param name="calendarSeeded">
    /// Called inside the seeding transaction, before commit, when calendar days were written (a year shipped in a later
    /// release lands at a city that already holds cases): the node passes <see cref="CatalogueRepository.CalendarChanged"/>'s
    /// handlers, so the cases' stored figures follow as after any calendar edit.
    /// </param>
    /// <exception cref="InvalidOperationException"><paramref name="node"/> is not the city.</exception>
    public static CatalogueSeedResult SeedIfEmpty(SyncStore store, NodeIdentity node, CatalogueSeedData? data = null, Action<DbConnection, DbTransaction>? calendarSeeded = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(node);
        if (node.Level != NodeLevel.City)
        {
            // A township or village writing down-only rows would fork the catalogue: they never travel up.
            throw new InvalidOperationException($"Only the city seeds the catalogue; node {node.NodeId} is a {node.Level.ToString().ToLowerInvariant()}.");
        }

        data ??= CatalogueSeedData.LoadEmbedded();
        using var tx = store.BeginWrite();
        var result = new CatalogueSeedResult(
            Departments: SeedTable(tx, CatalogueTables.Departments, data.Departments.Select(CatalogueRows.Values)),
            Items: SeedTable(tx, CatalogueTables.Items, data.Items.Select(CatalogueRows.Values)),
            CalendarDays: SeedCalendar(tx, data.CalendarDays),
            Nodes: SeedTable(tx, CatalogueTables.Nodes, data.Nodes.Select(CatalogueRows.Values)),
            Agencies: SeedTable(tx, CatalogueTables.Agencies, data.Agencies.Select(CatalogueRows.Values)));
        if (result.CalendarDays > 0)
        {
            calendarSeeded?.Invoke(tx.Connection, tx.Transaction);
        }

        tx.Commit();
        return result;
    }

    /// <summary>
    /// The calendar is seeded per year, not per table: a release that ships next year's
    /// <c>calendar-YYYY.json</c> adds that year to a city that already holds this one, while a year
    /// the city has already entered (or edited) is left alone.
    /// </summary>
    private static int SeedCalendar(SyncWriteTransaction tx, IReadOnlyList<CalendarDay> days)
    {
        var written = 0;
        foreach (var year in days.GroupBy(d => d.Date.Year).OrderBy(g => g.Key))
        {
            using (var exists = tx.Command(CatalogueSql.For(tx.Dialect).CalendarYearSeeded)
                .With("@from", CatalogueRows.DateText(new DateOnly(year.Key, 1, 1)))
                .With("@to", CatalogueRows.DateText(new DateOnly(year.Key + 1, 1, 1))))
            {
                if (exists.ScalarInt64() != 0)
                {
                    continue;
                }
            }

            foreach (var day in year)
            {
                tx.Upsert(CatalogueTables.CalendarDays.Name, CatalogueRows.Values(day));
                written++;
            }
        }

        return written;
    }

    private static int SeedTable(SyncWriteTransaction tx, SyncTable table, IEnumerable<object?[]> rows)
    {
        using (var count = tx.Command(CatalogueSql.For(tx.Dialect).HasRows(table)))
        {
            if (count.ScalarInt64() != 0)
            {
                return 0;
            }
        }

        var written = 0;
        foreach (var row in rows)
        {
            tx.Upsert(table.Name, row);
            written++;
        }

        return written;
    }
}
