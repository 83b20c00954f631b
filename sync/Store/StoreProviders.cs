namespace ServiceHall.Sync.Store;

/// <summary>
/// The configured names of the store providers. SQLite is built into ServiceHall.Sync; SQL Server is a provider of its own
/// (ServiceHall.Sync.SqlServer) that the city and township programs add to their <c>StoreProviderRegistry</c>. Its
/// name lives here, as text, because every store component keys its T-SQL migration steps by it.
/// </summary>
public static class StoreProviders
{
    /// <summary>Name of the embedded default provider.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>Name of the SQL Server provider (ServiceHall.Sync.SqlServer).</summary>
    public const string SqlServer = "sqlserver";
}

/// <summary>The store cannot be reached (server down, wrong address, login refused); <see cref="Exception.Message"/> names it and the cause.</summary>
public sealed class StoreUnavailableException(string provider, string location, string cause, Exception? inner = null)
    : Exception($"The {provider} store {location} cannot be reached: {cause}", inner)
{
    /// <summary>Where the store was looked for.</summary>
    public string Location { get; } = location;
}
