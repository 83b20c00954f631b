namespace ServiceHall.Sync.Store;

/// <summary>
/// A server-based store provider a node program is built with, as the provider registry (<c>ServiceHall.Sync.StoreProviderRegistry</c>) and the node's
/// option validator use it (e.g. <c>SqlServerStore.Provider</c> in ServiceHall.Sync.SqlServer).
/// </summary>
/// <param name="Name">Configured name (<c>--store</c>), compared case-insensitively.</param>
/// <param name="Create">Creates the provider for a connection string; nothing is opened yet.</param>
/// <param name="ConnectionStringProblem">What is wrong with a connection string for a store, or null if it is usable.</param>
public sealed record StoreProviderDescriptor(string Name, Func<string, StoreProvider> Create, Func<string, string?> ConnectionStringProblem)
{
    /// <summary>True if the provider's client cannot run without culture data (ICU): SqlClient refuses a globalization-invariant process.</summary>
    public bool NeedsCultureData { get; init; }
}
