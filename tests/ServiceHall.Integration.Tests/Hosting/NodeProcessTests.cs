using Microsoft.Data.Sqlite;

namespace ServiceHall.Integration.Tests.Hosting;

/// <summary>The real node programs as an operator starts them.</summary>
[Trait("Category", "Process")]
public sealed class NodeProcessTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "servicehall-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Start_VillageWithoutUpstream_ExitsWithOptionMessage()
    {
        using var node = NodeProcess.Start("village", "--id", "t01-v01", "--listen", "http://127.0.0.1:0", "--insecure-cleartext", "--data", _dir);
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, code);
        Assert.Contains("Node:UpstreamUrl is required for a village node", node.Output, StringComparison.Ordinal);
        Assert.Contains("--upstream", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_StoreFromNewerVersion_RefusesAndLeavesStore()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "city.db");
        using (var conn = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "CREATE TABLE _schema_versions (component TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL);" +
                              "INSERT INTO _schema_versions VALUES ('sync', 99, 'from the future', '2030-01-01');";
            cmd.ExecuteNonQuery();
        }

        var before = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        using var node = NodeProcess.Start("city", "--id", "city", "--listen", "http://127.0.0.1:0", "--insecure-cleartext", "--data", _dir);
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(3, code);
        Assert.Contains("schema version 99", node.Output, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Start_UnknownStoreProvider_ExitsWithOptionMessageNamingTheProviders()
    {
        using var node = NodeProcess.Start("city", "--id", "city", "--listen", "http://127.0.0.1:0", "--data", _dir, "--insecure-cleartext", "--store", "oracle");
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, code);
        Assert.Contains("Node:Store:Provider 'oracle' is not a known store provider", node.Output, StringComparison.Ordinal);
        Assert.Contains("--store sqlite or --store sqlserver", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_VillageOnSqlServer_ExitsWithOptionMessage_SinceTheVillageProgramIsBuiltWithoutSqlServer()
    {
        // The village program is built without SQL Server (its native build leaves SqlClient out) and without ICU, to stay small.
        using var node = NodeProcess.Start("village", "--id", "t01-v01", "--listen", "http://127.0.0.1:0", "--data", _dir, "--insecure-cleartext", "--store", "sqlserver",
            "--connection-string", "Server=tcp:127.0.0.1,1;Database=servicehall;User ID=servicehall;Password=unused;Encrypt=false");
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, code);
        Assert.Contains("--store sqlserver: this node program is built without SQL Server", node.Output, StringComparison.Ordinal);
        Assert.Contains("--store sqlite", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SqlServerNotListening_ExitsWithStoreMessageNamingServerAndCause()
    {
        // A real SqlClient attempt at a loopback port nothing listens on.
        var port = TestPorts.Unused();
        var server = $"tcp:127.0.0.1,{port}";
        using var node = NodeProcess.Start("city", "--id", "city", "--listen", "http://127.0.0.1:0", "--data", _dir, "--insecure-cleartext", "--store", "sqlserver",
            "--connection-string", $"Server={server};Database=servicehall;User ID=servicehall;Password=unused;Encrypt=false;Connect Timeout=5");
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(3, code);
        Assert.Contains($"The sqlserver store {server}/servicehall cannot be reached:", node.Output, StringComparison.Ordinal);
        Assert.Contains("error", node.Output, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(Path.Combine(_dir, "city.db")));
    }

    [Fact]
    public async Task Sigterm_RunningCity_ShutsDownGracefully()
    {
        using var node = NodeProcess.Start("city", "--id", "city", "--listen", "http://127.0.0.1:0", "--insecure-cleartext", "--data", _dir);
        await node.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));
        node.Terminate();
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, code);
        Assert.Contains("shutting down", node.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "city.db")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_dir, "logs"), "node-*.json"));
    }

    [Fact]
    public async Task Start_CorruptStore_ExitsWithStoreMessage()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "city.db");
        await File.WriteAllTextAsync(path, new string('x', 4096), TestContext.Current.CancellationToken);
        using var node = NodeProcess.Start("city", "--id", "city", "--listen", "http://127.0.0.1:0", "--insecure-cleartext", "--data", _dir);
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(3, code);
        Assert.Contains("cannot be opened", node.Output, StringComparison.Ordinal);
        Assert.Contains(path, node.Output, StringComparison.Ordinal);
    }
}
