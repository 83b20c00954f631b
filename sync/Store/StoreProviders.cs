using System.Diagnostics.CodeAnalysis;
using ServiceHall.Sync.Store.SqlServer;

namespace ServiceHall.Sync.Store;

/// <summary>Chooses a store provider by its configured name: the embedded SQLite default, or SQL Server.</summary>
public static class StoreProviders
{
    /// <summary>Name of the embedded default provider.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>Name of the SQL Server provider.</summary>
    public const string SqlServer = SqlServerStoreProvider.ProviderName;

    /// <summary>The switch a program sets to <c>false</c> to be built without SQL Server (see <see cref="SqlServerSupported"/>).</summary>
    public const string SqlServerSwitch = "ServiceHall.Store.SqlServer.IsSupported";

    /// <summary>
    /// False in a program built without SQL Server: the village sets <see cref="SqlServerSwitch"/> to false in its project
    /// (<c>RuntimeHostConfigurationOption</c>, trimmed), so its native build leaves Microsoft.Data.SqlClient out altogether
    /// and its JIT build refuses <c>--store sqlserver</c> the same way. True everywhere else.
    /// </summary>
    [FeatureSwitchDefinition(SqlServerSwitch)]
    public static bool SqlServerSupported => !AppContext.TryGetSwitch(SqlServerSwitch, out var supported) || supported;

    /// <summary>Every provider name this program knows, for messages.</summary>
    public static IReadOnlyList<string> Names { get; } = [Sqlite, SqlServer];

    /// <summary>True if <paramref name="name"/> names a known provider (case-insensitive).</summary>
    public static bool IsKnown(string? name) => Names.Contains(name ?? "", StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Creates the provider <paramref name="name"/>: SQLite in the file <paramref name="sqlitePath"/>, or SQL Server in the
    /// database named by <paramref name="connectionString"/>. Nothing is opened yet.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown provider name, or a connection string the provider cannot use.</exception>
    public static StoreProvider Create(string name, string? connectionString, string sqlitePath)
    {
        if (string.Equals(name, Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            return new SqliteStoreProvider(sqlitePath);
        }

        if (string.Equals(name, SqlServer, StringComparison.OrdinalIgnoreCase))
        {
            return SqlServerSupported
                ? CreateSqlServer(connectionString ?? "")
                : throw new ArgumentException("This node program is built without SQL Server: keep its store in SQLite (--store sqlite).", nameof(name));
        }

        throw new ArgumentException($"Unknown store provider '{name}': use one of {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>
    /// In a method of its own: compiling a method that names the SQL Server provider loads Microsoft.Data.SqlClient, which a
    /// node on SQLite (every village) must not carry.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static SqlServerStoreProvider CreateSqlServer(string connectionString) => new(connectionString);
}

/// <summary>The store cannot be reached (server down, wrong address, login refused); <see cref="Exception.Message"/> names it and the cause.</summary>
public sealed class StoreUnavailableException(string provider, string location, string cause, Exception? inner = null)
    : Exception($"The {provider} store {location} cannot be reached: {cause}", inner)
{
    /// <summary>Where the store was looked for.</summary>
    public string Location { get; } = location;
}
