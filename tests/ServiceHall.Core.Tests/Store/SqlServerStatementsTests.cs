using Microsoft.SqlServer.TransactSql.ScriptDom;
using ServiceHall.Sync.SqlServer;

namespace ServiceHall.Core.Tests.Store;

/// <summary>
/// Every statement the SQL Server provider can send is parsed by the SQL Server 2022 parser (ScriptDom TSql160Parser,
/// quoted identifiers on as SqlClient sets them), so T-SQL mistakes fail the ordinary suite without a server.
/// </summary>
public sealed class SqlServerStatementsTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryStatement_ParsesAsSqlServer2022_WithoutErrors()
    {
        var statements = NodeStoreStatements.All(SqlServerDialect.Instance);
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        var failures = new List<string>();
        foreach (var s in statements)
        {
            parser.Parse(new StringReader(s.Sql), out var errors);
            failures.AddRange(errors.Select(e => $"{s.Source}: line {e.Line}, column {e.Column}: {e.Message}\n{s.Sql}"));
        }

        if (Environment.GetEnvironmentVariable("SERVICEHALL_DUMP_TSQL") is { Length: > 0 } dump)
        {
            File.WriteAllLines(dump, statements.Select(s => $"-- {s.Source}\n{s.Sql}\n"));
        }

        output.WriteLine($"{statements.Count} SQL Server statements parsed by TSql160Parser, {failures.Count} errors");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.Contains(statements, s => s.Source.StartsWith("migration servicehall", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Source.StartsWith("engine cases", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Source == "engine cases bulk apply: merge");
        Assert.Contains(statements, s => s.Source == "engine HeldVersions");
        Assert.Contains(statements, s => s.Source == "domain WriteCaseView");
        Assert.Contains(statements, s => s.Source == "domain ItemsAll");
    }

    [Fact]
    public void Parser_SqliteSpelling_Reported()
    {
        // The check above can fail: SQLite's upsert is not T-SQL.
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        parser.Parse(new StringReader("INSERT INTO t (a) VALUES (@a) ON CONFLICT(a) DO NOTHING"), out var errors);
        Assert.NotEmpty(errors);
    }
}
