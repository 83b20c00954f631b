namespace ServiceHall.Sync.Store.Sqlite;

/// <summary>SQLite's spelling: double-quoted identifiers, <c>INSERT … ON CONFLICT</c>, <c>LIMIT</c>, <c>IS NOT</c>, <c>sqlite_master</c>.</summary>
public sealed class SqliteDialect : SqlDialect
{
    /// <summary>The one instance (the dialect holds no state).</summary>
    public static SqliteDialect Instance { get; } = new();

    /// <inheritdoc />
    public override string Name => "sqlite";

    /// <inheritdoc />
    public override string TextType => "TEXT";

    /// <inheritdoc />
    public override string IntegerType => "INTEGER";

    /// <inheritdoc />
    public override string BlobType => "BLOB";

    /// <inheritdoc />
    public override string TableExists => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @name";

    /// <inheritdoc />
    public override string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <inheritdoc />
    public override string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, IReadOnlyList<string> values, IReadOnlyList<(string Column, string Expression)> updates)
    {
        CheckShape(keyColumns, columns, values);
        ArgumentNullException.ThrowIfNull(updates);
        var set = string.Join(", ", updates.Select(u => $"{Quote(u.Column)} = {u.Expression.Replace(Old, Quote(table), StringComparison.Ordinal).Replace(New, "excluded", StringComparison.Ordinal)}"));
        return $"INSERT INTO {Quote(table)} ({Columns(columns)}) VALUES ({string.Join(", ", values)}) ON CONFLICT({Columns(keyColumns)}) DO UPDATE SET {set}";
    }

    /// <inheritdoc />
    public override string InsertIfAbsent(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, IReadOnlyList<string> parameters)
    {
        CheckShape(keyColumns, columns, parameters);
        return $"INSERT INTO {Quote(table)} ({Columns(columns)}) VALUES ({string.Join(", ", parameters)}) ON CONFLICT({Columns(keyColumns)}) DO NOTHING";
    }

    /// <inheritdoc />
    public override string Limit(string countParameter) => "LIMIT " + countParameter;

    /// <inheritdoc />
    public override string TextList(string jsonParameter) => $"SELECT value FROM json_each({jsonParameter})";

    /// <inheritdoc />
    public override string Length(string expression) => $"length({expression})";

    /// <inheritdoc />
    public override string Unindexed(string expression) => "+" + expression;

    /// <inheritdoc />
    public override string IsDistinctFrom(string left, string right) => $"{left} IS NOT {right}";

    /// <inheritdoc />
    public override string CreateVersionTable(string table) =>
        $"CREATE TABLE IF NOT EXISTS {table} (component TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL);";
}
