using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Store;

/// <summary>
/// Schema steps of the domain tables (store component <see cref="Component"/>), loaded from the
/// SQL files embedded from <c>core/Store/Migrations/NNNN_name.sql</c> (SQLite) and
/// <c>core/Store/Migrations/SqlServer/NNNN_name.sql</c> (T-SQL), ordered by their number.
/// A new step is a new file with the next number in each folder; nothing here needs to change
/// (a test checks that both folders hold the same steps).
/// </summary>
public static partial class ServiceHallMigrations
{
    /// <summary>Store component name of the domain tables in <c>_schema_versions</c>.</summary>
    public const string Component = "servicehall";

    private const string ResourcePrefix = "ServiceHall.Core.Store.Migrations.";

    /// <summary>Sub-folder (and resource name part) of the T-SQL steps.</summary>
    private const string SqlServerFolder = "SqlServer.";

    private static readonly Lazy<IReadOnlyList<Migration>> Loaded = new(() => Load(typeof(ServiceHallMigrations).Assembly, ""));

    private static readonly Lazy<IReadOnlyList<Migration>> LoadedSqlServer = new(() => Load(typeof(ServiceHallMigrations).Assembly, SqlServerFolder));

    /// <summary>Every SQLite step, ordered by version (1, 2, 3 …).</summary>
    public static IReadOnlyList<Migration> All => Loaded.Value;

    /// <summary>Every T-SQL step for the SQL Server provider, numbered and named as <see cref="All"/>.</summary>
    public static IReadOnlyList<Migration> SqlServer => LoadedSqlServer.Value;

    /// <summary>The steps for every store provider.</summary>
    public static MigrationSet Set { get; } = new(Component, new Dictionary<string, IReadOnlyList<Migration>>
    {
        [StoreProviders.Sqlite] = All,
        [StoreProviders.SqlServer] = SqlServer,
    });

    /// <summary>Brings the domain tables of <paramref name="store"/> up to the newest step of its provider; returns the resulting version.</summary>
    public static int Apply(StoreProvider store, TimeProvider time) => Migrator.Apply(store, Set, time);

    /// <summary>Reads the migration files embedded in <paramref name="assembly"/> from one provider's folder (<c>""</c> = SQLite).</summary>
    internal static IReadOnlyList<Migration> Load(Assembly assembly, string folder)
    {
        var result = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix + folder, StringComparison.Ordinal)
                || (folder.Length == 0 && resource.StartsWith(ResourcePrefix + SqlServerFolder, StringComparison.Ordinal)))
            {
                continue;
            }

            var file = resource[(ResourcePrefix.Length + folder.Length)..];
            var match = FileName().Match(file);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Embedded migration '{file}' is not named NNNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded migration '{resource}' cannot be read.");
            using var reader = new StreamReader(stream);
            var version = int.Parse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            result.Add(new Migration(version, match.Groups["name"].Value, reader.ReadToEnd()));
        }

        // Migrator checks 1..n without gaps; a duplicate number is a packaging mistake, reported here by name.
        var duplicate = result.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two embedded migrations share number {duplicate.Key}: {string.Join(", ", duplicate.Select(m => m.Name))}.");
        }

        return result.OrderBy(m => m.Version).ToList();
    }

    [GeneratedRegex(@"^(?<n>[0-9]{4})_(?<name>[A-Za-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileName();
}
