using System.CommandLine;
using ServiceHall.Cli.Commands;

namespace ServiceHall.Integration.Tests.Cli;

public sealed class CommandLineTests
{
    private static RootCommand Root() => CliRoot.Create();

    [Theory]
    [InlineData("node status --node http://127.0.0.1:5100 --json")]
    [InlineData("node register --node http://127.0.0.1:5100 --id t03 --level township --parent city --name 某镇")]
    [InlineData("catalogue list --node http://127.0.0.1:5100 --level village")]
    [InlineData("catalogue agencies --node http://127.0.0.1:5100 --json")]
    [InlineData("catalogue agencies --node http://127.0.0.1:5100")]
    [InlineData("sync now --node https://hall.example:443")]
    [InlineData("devnet up --townships 3 --villages-per-township 1 --data /tmp/x --base-port 6200 --detach")]
    [InlineData("devnet down --data /tmp/x")]
    [InlineData("devnet status --data /tmp/x --json")]
    public void Parse_ValidCommand_NoErrors(string line)
    {
        var result = Root().Parse(line.Split(' '));

        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("node status", "--node")]
    [InlineData("node status --node 127.0.0.1:5100", "not a node URL")]
    [InlineData("node status --node ftp://x/", "not a node URL")]
    [InlineData("catalogue list --node http://127.0.0.1:5100 --level county", "county")]
    [InlineData("catalogue agencies", "--node")]
    [InlineData("node register --node http://127.0.0.1:5100 --id t03 --level city --parent city", "city")]
    [InlineData("node register --node http://127.0.0.1:5100 --level township --parent city", "--id")]
    public void Parse_InvalidCommand_ErrorNamesTheProblem(string line, string expected)
    {
        var result = Root().Parse(line.Split(' '));

        Assert.Contains(result.Errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_DevnetUpWithoutOptions_DocumentedDefaults()
    {
        var result = Root().Parse(["devnet", "up"]);

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.GetValue<int>("--townships"));
        Assert.Equal(2, result.GetValue<int>("--villages-per-township"));
        Assert.Equal(5100, result.GetValue<int>("--base-port"));
        Assert.Equal("./devnet-data", result.GetValue<string>("--data"));
        Assert.False(result.GetValue<bool>("--detach"));
    }
}
