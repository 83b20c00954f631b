namespace ServiceHall.Sync.Store;

/// <summary>
/// The one place where SQL differs between store providers. A provider supplies its dialect; the engine,
/// the migrator and the domain ask it for the statement shapes that SQLite and SQL Server spell differently
/// (quoting, upsert, "insert if absent", paging, null-safe comparison, the system catalogue) and write
/// everything else once, in portable SQL with named <c>@parameters</c>.
/// </summary>
/// <remarks>
/// Every statement a dialect builds is plain text, so the SQL Server one can be parsed by the SQL Server 2022
/// parser in the ordinary test suite (<c>SqlServerStatementsTests</c>) without a server.
/// </remarks>
public abstract class SqlDialect
{
    /// <summary>Provider name this dialect belongs to (<c>sqlite</c>, <c>sqlserver</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Quotes one identifier (table or column name).</summary>
    public abstract string Quote(string identifier);

    /// <summary>In an update expression of <see cref="Upsert(string, IReadOnlyList{string}, IReadOnlyList{string}, IReadOnlyList{string}, IReadOnlyList{ValueTuple{string, string}})"/>: the row as it is.</summary>
    public const string Old = "{old}";

    /// <summary>In an update expression: the row as proposed by the statement's values.</summary>
    public const string New = "{new}";

    /// <summary>
    /// Inserts a row, or updates every non-key column of the row with the same key.
    /// Values bind to <paramref name="parameters"/> (one per column, same order); a table whose columns are all
    /// key columns gets an "insert if absent".
    /// </summary>
    public string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, IReadOnlyList<string> parameters)
    {
        CheckShape(keyColumns, columns, parameters);
        var updates = columns.Where(c => !keyColumns.Contains(c)).Select(c => (c, New + "." + Quote(c))).ToList();
        return updates.Count == 0
            ? InsertIfAbsent(table, keyColumns, columns, parameters)
            : Upsert(table, keyColumns, columns, parameters, updates);
    }

    /// <summary>
    /// Inserts a row from <paramref name="values"/> (parameters or literals, one per column), or, if a row with the same key
    /// exists, sets each column of <paramref name="updates"/> to its expression, in which <see cref="Old"/> and <see cref="New"/>
    /// stand for the existing and the proposed row (every expression sees the existing row as it was before the update).
    /// </summary>
    public abstract string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, IReadOnlyList<string> values, IReadOnlyList<(string Column, string Expression)> updates);

    /// <summary>Inserts a row unless a row with the same key exists (then nothing changes).</summary>
    public abstract string InsertIfAbsent(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, IReadOnlyList<string> parameters);

    /// <summary>
    /// The clause that limits an ordered query to the first <paramref name="countParameter"/> rows; it follows the
    /// <c>ORDER BY</c> (SQL Server requires one).
    /// </summary>
    public abstract string Limit(string countParameter);

    /// <summary>A null-safe "differs" test: true when exactly one side is NULL or both hold different values.</summary>
    public abstract string IsDistinctFrom(string left, string right);

    /// <summary>
    /// The expression <paramref name="expression"/>, written so that the planner does not pick an index on it for a lookup
    /// (SQLite's unary <c>+</c>); dialects whose planner weighs indexes by statistics return it unchanged.
    /// </summary>
    public virtual string Unindexed(string expression) => expression;

    /// <summary>A query with one <c>@name</c> parameter that returns 1 if the user table exists and 0 otherwise.</summary>
    public abstract string TableExists { get; }

    /// <summary>Creates the migrator's version table unless it exists.</summary>
    public abstract string CreateVersionTable(string table);

    /// <summary>Column type for text of any length.</summary>
    public abstract string TextType { get; }

    /// <summary>Column type for 64-bit integers (the only integer type the sync engine moves).</summary>
    public abstract string IntegerType { get; }

    /// <summary>Column type for binary data.</summary>
    public abstract string BlobType { get; }

    /// <summary>The parameter names <c>@p0 … @p(n-1)</c> used by the engine's per-table statements.</summary>
    public static IReadOnlyList<string> PositionalParameters(int count) =>
        Enumerable.Range(0, count).Select(i => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Joins quoted column names with commas, optionally qualified by an alias.</summary>
    protected string Columns(IEnumerable<string> columns, string? alias = null) =>
        string.Join(", ", columns.Select(c => alias is null ? Quote(c) : alias + "." + Quote(c)));

    /// <summary>Checks the shape shared by upsert and insert-if-absent.</summary>
    protected static void CheckShape(IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, IReadOnlyList<string> parameters)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(parameters);
        if (keyColumns.Count == 0 || columns.Count != parameters.Count || keyColumns.Any(k => !columns.Contains(k)))
        {
            throw new ArgumentException("Key columns must be among the columns, and every column needs one parameter.");
        }
    }
}
