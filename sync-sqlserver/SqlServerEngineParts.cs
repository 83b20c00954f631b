using System.Data.Common;
using Microsoft.Data.SqlClient;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Sync.SqlServer;

/// <summary>
/// How the sync engine scans and writes a SQL Server store (<see cref="EngineParts"/>, engine-internal, visible to this
/// assembly through the engine's InternalsVisibleTo): the log and row scans through ADO.NET readers, the apply path
/// set-based through <see cref="SqlServerApplyWriter"/>.
/// </summary>
internal sealed class SqlServerEngineParts : EngineParts
{
    public static SqlServerEngineParts Instance { get; } = new();

    /// <inheritdoc />
    public override LogRows ScanLog(DbConnection connection, DbTransaction transaction, string sql, long after, long upto, string? excludeVia, bool viaInSql, long scan) =>
        AdoScanLog(connection, transaction, sql, after, upto, excludeVia, viaInSql, scan);

    /// <inheritdoc />
    public override TableRows ScanRows(DbConnection connection, DbTransaction transaction, string sql, string table, long after, long through) =>
        AdoScanRows(connection, transaction, sql, table, after, through);

    /// <inheritdoc />
    public override ApplyWriter CreateApplyWriter(DbConnection connection, DbTransaction transaction, SyncSchema schema, string applyLogSql) =>
        new SqlServerApplyWriter((SqlConnection)connection, (SqlTransaction)transaction, schema);
}
