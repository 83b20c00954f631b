using Microsoft.SqlServer.TransactSql.ScriptDom;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Store.Sqlite;

namespace ServiceHall.Core.Tests.Store;

/// <summary>
/// The T-SQL migrations build the same store as the SQLite ones: same steps (numbers and names), same tables, same
/// columns with the same nullability. SQLite's side is read from a real store after its migrations ran; SQL Server's
/// from the parsed T-SQL, so a step added to one provider and forgotten in the other fails here.
/// </summary>
public sealed class ProviderSchemaParityTests
{
    [Fact]
    public void EveryComponent_HasTheSameStepsForEachProvider()
    {
        foreach (var component in NodeStoreStatements.CityNodeStore().Components)
        {
            var sqlite = component.Migrations.For(StoreProviders.Sqlite).Select(m => (m.Version, m.Name));
            var sqlServer = component.Migrations.For(StoreProviders.SqlServer).Select(m => (m.Version, m.Name));
            Assert.Equal(sqlite, sqlServer);
        }
    }

    [Fact]
    public void SqlServerMigrations_DeclareTheTablesAndColumnsOfTheSqliteStore()
    {
        var components = NodeStoreStatements.CityNodeStore().Components;
        using var dir = new TempDirectory();
        using var sqlite = new SqliteStoreProvider(dir.File("parity.db"));
        foreach (var c in components)
        {
            Migrator.Apply(sqlite, c.Migrations, TimeProvider.System);
        }

        var expected = SqliteColumns(sqlite);
        var actual = new TableCollector();
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        foreach (var c in components)
        {
            foreach (var m in c.Migrations.For(StoreProviders.SqlServer))
            {
                var script = parser.Parse(new StringReader(m.Sql), out var errors);
                Assert.Empty(errors);
                script.Accept(actual);
            }
        }

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Tables.Keys.Order(StringComparer.Ordinal));
        foreach (var (table, columns) in expected)
        {
            Assert.Equal(columns.OrderBy(c => c.Name, StringComparer.Ordinal), actual.Tables[table].OrderBy(c => c.Name, StringComparer.Ordinal));
        }
    }

    private static Dictionary<string, List<(string Name, bool NotNull)>> SqliteColumns(SqliteStoreProvider store)
    {
        var result = new Dictionary<string, List<(string, bool)>>(StringComparer.Ordinal);
        using var conn = store.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT m.name, p.name, p.\"notnull\", p.pk FROM sqlite_master m JOIN pragma_table_info(m.name) p " +
                          $"WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '{Migrator.VersionTable}'";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var table = r.GetString(0);
            if (!result.TryGetValue(table, out var columns))
            {
                result[table] = columns = [];
            }

            // A primary-key column holds no NULL in either store; SQLite only reports NOT NULL where it was spelled out.
            columns.Add((r.GetString(1), r.GetInt64(2) != 0 || r.GetInt64(3) != 0));
        }

        return result;
    }

    private sealed class TableCollector : TSqlFragmentVisitor
    {
        public Dictionary<string, List<(string Name, bool NotNull)>> Tables { get; } = new(StringComparer.Ordinal);

        public override void Visit(CreateTableStatement node)
        {
            Tables[node.SchemaObjectName.BaseIdentifier.Value] = node.Definition.ColumnDefinitions.Select(Column).ToList();
        }

        public override void Visit(AlterTableAddTableElementStatement node)
        {
            Tables[node.SchemaObjectName.BaseIdentifier.Value].AddRange(node.Definition.ColumnDefinitions.Select(Column));
        }

        private static (string, bool) Column(ColumnDefinition c) =>
            (c.ColumnIdentifier.Value, c.Constraints.OfType<NullableConstraintDefinition>().Any(n => !n.Nullable));
    }
}
