namespace ServiceHall.Sync.Store.SqlServer;

/// <summary>
/// SQL Server's spelling (SQL Server 2022, compatibility level 160): bracketed identifiers, <c>MERGE … WITH (HOLDLOCK)</c>
/// for upserts (the lock hint makes the existence test and the write one atomic step, as SQLite's single writer does),
/// <c>OFFSET … FETCH</c> for paging, <c>IS DISTINCT FROM</c>, <c>OBJECT_ID</c> for the catalogue.
/// </summary>
public sealed class SqlServerDialect : SqlDialect
{
    /// <summary>The one instance (the dialect holds no state).</summary>
    public static SqlServerDialect Instance { get; } = new();

    /// <summary>
    /// Collation of every text column: binary, so that equality, ordering and <c>LIKE</c> on keys and scope paths
    /// behave as in SQLite (ordinal, case-sensitive) whatever the server's default collation is.
    /// </summary>
    public const string Collation = "Latin1_General_100_BIN2";

    /// <inheritdoc />
    public override string Name => SqlServerStoreProvider.ProviderName;

    /// <inheritdoc />
    public override string TextType => "NVARCHAR(MAX) COLLATE " + Collation;

    /// <inheritdoc />
    public override string IntegerType => "BIGINT";

    /// <inheritdoc />
    public override string BlobType => "VARBINARY(MAX)";

    /// <inheritdoc />
    public override string TableExists => "SELECT CASE WHEN OBJECT_ID(@name, N'U') IS NULL THEN 0 ELSE 1 END";

    /// <inheritdoc />
    public override string Quote(string identifier) => "[" + identifier.Replace("]", "]]", StringComparison.Ordinal) + "]";

    /// <inheritdoc />
    public override string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, IReadOnlyList<string> values, IReadOnlyList<(string Column, string Expression)> updates)
    {
        CheckShape(keyColumns, columns, values);
        ArgumentNullException.ThrowIfNull(updates);
        var set = string.Join(", ", updates.Select(u => $"t.{Quote(u.Column)} = {u.Expression.Replace(Old, "t", StringComparison.Ordinal).Replace(New, "s", StringComparison.Ordinal)}"));
        return $"MERGE INTO {Quote(table)} WITH (HOLDLOCK) AS t " +
               $"USING (VALUES ({string.Join(", ", values)})) AS s ({Columns(columns)}) ON {Match(keyColumns)} " +
               $"WHEN MATCHED THEN UPDATE SET {set} " +
               $"WHEN NOT MATCHED THEN INSERT ({Columns(columns)}) VALUES ({Columns(columns, "s")});";
    }

    /// <inheritdoc />
    public override string InsertIfAbsent(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, IReadOnlyList<string> parameters)
    {
        CheckShape(keyColumns, columns, parameters);
        return $"MERGE INTO {Quote(table)} WITH (HOLDLOCK) AS t " +
               $"USING (VALUES ({string.Join(", ", parameters)})) AS s ({Columns(columns)}) ON {Match(keyColumns)} " +
               $"WHEN NOT MATCHED THEN INSERT ({Columns(columns)}) VALUES ({Columns(columns, "s")});";
    }

    /// <inheritdoc />
    public override string Limit(string countParameter) => $"OFFSET 0 ROWS FETCH NEXT {countParameter} ROWS ONLY";

    /// <inheritdoc />
    public override string IsDistinctFrom(string left, string right) => $"{left} IS DISTINCT FROM {right}";

    /// <inheritdoc />
    public override string CreateVersionTable(string table) =>
        $"IF OBJECT_ID(N'{table}', N'U') IS NULL CREATE TABLE {Quote(table)} (" +
        $"component NVARCHAR(128) COLLATE {Collation} NOT NULL PRIMARY KEY, version INT NOT NULL, " +
        $"name NVARCHAR(400) COLLATE {Collation} NOT NULL, applied_at NVARCHAR(40) COLLATE {Collation} NOT NULL);";

    private string Match(IReadOnlyList<string> keyColumns) =>
        string.Join(" AND ", keyColumns.Select(k => $"t.{Quote(k)} = s.{Quote(k)}"));
}
