using System.Data.Common;

namespace ServiceHall.Sync.Store;

/// <summary>
/// Commands through the provider-neutral ADO.NET types, for every statement that is not one of SQLite's raw fast paths.
/// A command is always bound to the open transaction: SqlClient refuses a command without it while one is pending.
/// </summary>
public static class StoreCommands
{
    /// <summary>A new command with <paramref name="sql"/> in <paramref name="transaction"/> (if any).</summary>
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = transaction;
        return cmd;
    }

    /// <summary>Adds a named parameter (null becomes <see cref="DBNull"/>); returns the command for chaining.</summary>
    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
        return command;
    }

    /// <summary>Adds named parameters without values, for a command that is executed many times.</summary>
    public static DbCommand WithParameters(this DbCommand command, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var name in names)
        {
            command.With(name, null);
        }

        return command;
    }

    /// <summary>Executes a scalar query and returns the value as a 64-bit integer (0 for NULL).</summary>
    public static long ScalarInt64(this DbCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var v = command.ExecuteScalar();
        return v is null or DBNull ? 0 : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A column as a 32-bit integer whatever the store's integer type is (SQLite INTEGER, SQL Server BIGINT:
    /// <see cref="DbDataReader.GetInt32"/> refuses a BIGINT on SqlClient).
    /// </summary>
    public static int GetInt32Any(this DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return checked((int)reader.GetInt64(ordinal));
    }

    /// <summary>A column as a boolean stored as 0/1 in a 64-bit integer column.</summary>
    public static bool GetFlag(this DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.GetInt64(ordinal) != 0;
    }

    /// <summary>A text column, or null.</summary>
    public static string? GetStringOrNull(this DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }
}
