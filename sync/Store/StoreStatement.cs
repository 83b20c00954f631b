namespace ServiceHall.Sync.Store;

/// <summary>One SQL statement (or script) a store may be sent, with where it comes from, for checking it against the provider's parser.</summary>
/// <param name="Source">Who issues it, e.g. <c>migration sync 1</c> or <c>engine cases upsert</c>.</param>
/// <param name="Sql">Its text.</param>
public sealed record StoreStatement(string Source, string Sql);
