using ServiceHall.Sync.Store;

namespace ServiceHall.Sync.SqlServer;

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
        return Merge(table, keyColumns, columns, $"(VALUES ({string.Join(", ", values)})) AS s ({Columns(columns)})", updates);
    }

    /// <inheritdoc />
    public override string InsertIfAbsent(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, IReadOnlyList<string> parameters)
    {
        CheckShape(keyColumns, columns, parameters);
        return Merge(table, keyColumns, columns, $"(VALUES ({string.Join(", ", parameters)})) AS s ({Columns(columns)})", []);
    }

    /// <summary>
    /// Upserts every row of the table (or temp table) <paramref name="source"/>, whose columns are named as the target's:
    /// each non-key column of a matched row is set from the source, an unmatched row is inserted. One statement for a whole
    /// batch (the applier's bulk path).
    /// </summary>
    public string MergeFrom(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, string source)
    {
        CheckShape(keyColumns, columns, columns);
        return Merge(table, keyColumns, columns, source + " AS s",
            columns.Where(c => !keyColumns.Contains(c)).Select(c => (c, New + "." + Quote(c))).ToList());
    }

    /// <summary>
    /// <c>MERGE … WITH (HOLDLOCK)</c> from <paramref name="usingClause"/> (a source aliased <c>s</c>): matched rows get
    /// <paramref name="updates"/> (none: insert if absent), unmatched rows are inserted. Terminated by the semicolon MERGE requires.
    /// </summary>
    private string Merge(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, string usingClause, IReadOnlyList<(string Column, string Expression)> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var set = string.Join(", ", updates.Select(u => $"t.{Quote(u.Column)} = {u.Expression.Replace(Old, "t", StringComparison.Ordinal).Replace(New, "s", StringComparison.Ordinal)}"));
        return $"MERGE INTO {Quote(table)} WITH (HOLDLOCK) AS t " +
               $"USING {usingClause} ON {Match(keyColumns)} " +
               (updates.Count == 0 ? "" : $"WHEN MATCHED THEN UPDATE SET {set} ") +
               $"WHEN NOT MATCHED THEN INSERT ({Columns(columns)}) VALUES ({Columns(columns, "s")});";
    }

    /// <inheritdoc />
    public override string Limit(string countParameter) => $"OFFSET 0 ROWS FETCH NEXT {countParameter} ROWS ONLY";

    /// <inheritdoc />
    /// <remarks>
    /// OPENJSON's value is NVARCHAR(MAX) in the database's default collation: cast to a bounded type (so a key column
    /// is compared by seek) in the binary collation of every text column (so no collation conflict, and ordinal).
    /// </remarks>
    public override string TextList(string jsonParameter) =>
        $"SELECT CAST([value] AS NVARCHAR(4000)) COLLATE {Collation} AS [value] FROM OPENJSON({jsonParameter})";

    /// <inheritdoc />
    /// <remarks>LEN ignores trailing spaces; with a character appended and taken off again it counts them.</remarks>
    public override string Length(string expression) => $"(LEN({expression} + N'.') - 1)";

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
