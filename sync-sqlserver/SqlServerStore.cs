using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Sync.SqlServer;

/// <summary>
/// The SQL Server store provider as a node program adds it: <c>NodeProgram.RunAsync(args, level, …, SqlServerStore.Provider)</c>
/// in the city and township programs. The village program does not reference this assembly, so it carries no SQL Server client.
/// </summary>
public static class SqlServerStore
{
    /// <summary>
    /// Name <c>sqlserver</c>; creates a <see cref="SqlServerStoreProvider"/> from a SqlClient connection string, checks one
    /// (<see cref="SqlServerStoreProvider.Problem"/>), and needs culture data (SqlClient refuses a globalization-invariant process).
    /// </summary>
    public static StoreProviderDescriptor Provider { get; } =
        new(SqlServerStoreProvider.ProviderName, cs => new SqlServerStoreProvider(cs), SqlServerStoreProvider.Problem) { NeedsCultureData = true };

    /// <summary>
    /// The statements this provider sends besides the engine's portable ones (<see cref="SyncStore.Statements"/>): the bulk
    /// apply path for <paramref name="schema"/> and the start-up setting, for the T-SQL parser test.
    /// </summary>
    public static IEnumerable<StoreStatement> Statements(SyncSchema schema) =>
        [.. SqlServerApplyWriter.Statements(schema), new("provider snapshot isolation", SqlServerStoreProvider.EnableSnapshotIsolation)];
}
