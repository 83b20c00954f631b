using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync;
using ServiceHall.Sync.SqlServer;

namespace ServiceHall.Core.Tests.Hosting;

public class NodeOptionsValidatorTests
{
    private static NodeOptions Valid(NodeLevel level) => new()
    {
        Id = level == NodeLevel.City ? "city" : level == NodeLevel.Township ? "t01" : "t01-v01",
        ListenUrl = "https://127.0.0.1:5100",
        UpstreamUrl = level == NodeLevel.City ? null : "https://127.0.0.1:5000",
        DataDir = "/tmp/servicehall-test-data",
    };

    private static IReadOnlyList<string> Errors(NodeLevel level, NodeOptions o) =>
        new NodeOptionsValidator(level, new StoreProviderRegistry(SqlServerStore.Provider)).Validate(null, o).Failures?.ToList() ?? [];

    [Theory]
    [InlineData(NodeLevel.City)]
    [InlineData(NodeLevel.Township)]
    [InlineData(NodeLevel.Village)]
    public void Validate_CompleteOptions_Succeeds(NodeLevel level)
    {
        Assert.Empty(Errors(level, Valid(level)));
    }

    [Fact]
    public void Validate_WebListenOnItsOwnLoopbackPort_Succeeds()
    {
        var o = Valid(NodeLevel.Village);
        o.WebListenUrl = "http://127.0.0.1:5107";
        Assert.Empty(Errors(NodeLevel.Village, o));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5100", "port of Node:ListenUrl")]
    [InlineData("127.0.0.1:5107", "not an http(s) URL")]
    [InlineData("http://10.1.2.3:5107", "non-loopback")]
    public void Validate_BadWebListen_NamesOptionAndSwitch(string url, string expected)
    {
        var o = Valid(NodeLevel.Township);
        o.WebListenUrl = url;
        var e = Assert.Single(Errors(NodeLevel.Township, o));
        Assert.Contains("Node:WebListenUrl", e, StringComparison.Ordinal);
        Assert.Contains(expected, e, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SecuredWebListenOffLoopback_RefusedEvenWithTheLabSwitch()
    {
        var o = Valid(NodeLevel.Township);
        o.WebListenUrl = "http://10.1.2.3:5107";
        o.AllowCleartextNonLoopback = true;
        var e = Assert.Single(Errors(NodeLevel.Township, o));
        Assert.Contains("Node:WebListenUrl", e, StringComparison.Ordinal);
        Assert.Contains("served over TLS", e, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CleartextWebListenOffLoopback_AllowedWithTheLabSwitch()
    {
        var o = Valid(NodeLevel.Township);
        (o.ListenUrl, o.UpstreamUrl, o.InsecureCleartext, o.AllowCleartextNonLoopback) = ("http://127.0.0.1:5100", "http://127.0.0.1:5000", true, true);
        o.WebListenUrl = "http://10.1.2.3:5107";
        Assert.Empty(Errors(NodeLevel.Township, o));
    }

    [Fact]
    public void Validate_MissingId_NamesOptionAndSwitch()
    {
        var o = Valid(NodeLevel.Village);
        o.Id = "";
        var e = Assert.Single(Errors(NodeLevel.Village, o));
        Assert.Contains("Node:Id", e, StringComparison.Ordinal);
        Assert.Contains("--id", e, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("T01")]
    [InlineData("t01 v01")]
    [InlineData("a-very-long-node-identifier-over-32-chars")]
    [InlineData("t01/v01")]
    public void Validate_BadId_ExplainsPattern(string id)
    {
        var o = Valid(NodeLevel.Township);
        o.Id = id;
        var e = Assert.Single(Errors(NodeLevel.Township, o));
        Assert.Contains($"'{id}'", e, StringComparison.Ordinal);
        Assert.Contains("lower-case", e, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CityWithUpstream_Refused()
    {
        var o = Valid(NodeLevel.City);
        o.UpstreamUrl = "http://127.0.0.1:5000";
        var e = Assert.Single(Errors(NodeLevel.City, o));
        Assert.Contains("Node:UpstreamUrl must be empty for the city", e, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NodeLevel.Township, "the city")]
    [InlineData(NodeLevel.Village, "its township")]
    public void Validate_ChildWithoutUpstream_SaysWhichParent(NodeLevel level, string parent)
    {
        var o = Valid(level);
        o.UpstreamUrl = null;
        var e = Assert.Single(Errors(level, o));
        Assert.Contains("Node:UpstreamUrl is required", e, StringComparison.Ordinal);
        Assert.Contains(parent, e, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CleartextOnPublicAddress_RefusedUnlessAllowed()
    {
        var o = Valid(NodeLevel.Village);
        o.ListenUrl = "http://0.0.0.0:5100";
        o.UpstreamUrl = "http://127.0.0.1:5000";
        o.InsecureCleartext = true;
        Assert.Contains(Errors(NodeLevel.Village, o), e => e.Contains("non-loopback", StringComparison.Ordinal));
        o.AllowCleartextNonLoopback = true;
        Assert.Empty(Errors(NodeLevel.Village, o));
    }

    [Fact]
    public void Validate_CleartextWithoutExplicitOption_Refused()
    {
        var o = Valid(NodeLevel.Village);
        o.ListenUrl = "http://127.0.0.1:5100";
        o.UpstreamUrl = "http://127.0.0.1:5000";
        var errors = Errors(NodeLevel.Village, o);
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Contains("--insecure-cleartext", e, StringComparison.Ordinal));
        o.InsecureCleartext = true;
        Assert.Empty(Errors(NodeLevel.Village, o));
    }

    [Fact]
    public void Validate_MixedModes_Refused()
    {
        var o = Valid(NodeLevel.Village);
        o.InsecureCleartext = true;
        o.ListenUrl = "http://127.0.0.1:5100";
        var e = Assert.Single(Errors(NodeLevel.Village, o));
        Assert.Contains("Node:UpstreamUrl", e, StringComparison.Ordinal);
        Assert.Contains("one mode", e, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("http://127.0.0.1")]
    public void Validate_BadListenUrl_NamesOption(string url)
    {
        var o = Valid(NodeLevel.City);
        o.ListenUrl = url;
        var e = Assert.Single(Errors(NodeLevel.City, o));
        Assert.Contains("Node:ListenUrl", e, StringComparison.Ordinal);
        Assert.Contains("--listen", e, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LevelOfAnotherProgram_Refused()
    {
        var o = Valid(NodeLevel.Village);
        o.Level = NodeLevel.City;
        var e = Assert.Single(Errors(NodeLevel.Village, o));
        Assert.Contains("runs a village node", e, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_LevelByName_AcceptsTheProgramsOwnAndRefusesAnUnknownOneWithTheOtherProblems()
    {
        var ex = Assert.Throws<NodeOptionsException>(() =>
            NodeProgram.Build(["--id", "X", "--level", "county", "--listen", "http://127.0.0.1:0", "--insecure-cleartext"], NodeLevel.Village, null, null, TimeProvider.System));
        Assert.Contains(ex.Errors, e => e.Contains("Node:Level 'county' is not a level", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("Node:Id 'X'", StringComparison.Ordinal));

        var wrong = Assert.Throws<NodeOptionsException>(() =>
            NodeProgram.Build(["--id", "t01-v01", "--level", "City", "--listen", "http://127.0.0.1:0", "--insecure-cleartext"], NodeLevel.Village, null, null, TimeProvider.System));
        Assert.Contains(wrong.Errors, e => e.Contains("runs a village node", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_MissingDataDir_NamesSwitch()
    {
        var o = Valid(NodeLevel.City);
        o.DataDir = " ";
        var e = Assert.Single(Errors(NodeLevel.City, o));
        Assert.Contains("--data", e, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_InvalidCommandLine_ThrowsWithEveryProblem()
    {
        var ex = Assert.Throws<NodeOptionsException>(() =>
            NodeProgram.Build(["--id", "X", "--listen", "http://127.0.0.1:0", "--insecure-cleartext"], NodeLevel.Village, null, null, TimeProvider.System));
        Assert.Equal(3, ex.Errors.Count);
    }

    [Fact]
    public void Validate_UnknownStoreProvider_NamesTheKnownOnes()
    {
        var o = Valid(NodeLevel.City);
        o.Store.Provider = "oracle";
        var e = Assert.Single(Errors(NodeLevel.City, o));
        Assert.Contains("Node:Store:Provider 'oracle'", e, StringComparison.Ordinal);
        Assert.Contains("--store sqlite or --store sqlserver", e, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "is required with --store sqlserver")]
    [InlineData("Server=db01;Integrated Security=true", "names no database")]
    [InlineData("Database=servicehall", "names no server")]
    [InlineData("Server=db01;Database=x;Bogus Key=1", "cannot be read")]
    public void Validate_SqlServerWithUnusableConnectionString_SaysWhatIsMissing(string connectionString, string expected)
    {
        var o = Valid(NodeLevel.City);
        o.Store = new NodeStoreOptions { Provider = "sqlserver", ConnectionString = connectionString };
        var e = Assert.Single(Errors(NodeLevel.City, o));
        Assert.Contains("Node:Store:ConnectionString", e, StringComparison.Ordinal);
        Assert.Contains(expected, e, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SqlServerWithServerAndDatabase_Succeeds()
    {
        var o = Valid(NodeLevel.City);
        o.Store = new NodeStoreOptions { Provider = "SqlServer", ConnectionString = "Server=tcp:db01,1433;Database=servicehall;Integrated Security=true;Encrypt=true" };
        Assert.Empty(Errors(NodeLevel.City, o));
    }

    [Fact]
    public void Validate_ConnectionStringWithSqlite_ToldToDropIt()
    {
        var o = Valid(NodeLevel.Village);
        o.Store.ConnectionString = "Server=db01;Database=x";
        var e = Assert.Single(Errors(NodeLevel.Village, o));
        Assert.Contains("drop --connection-string", e, StringComparison.Ordinal);
    }
}
