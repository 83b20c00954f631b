using Microsoft.AspNetCore.Builder;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Tests.Hosting;

public sealed class NodeProgramTests
{
    /// <summary>
    /// The web module costs a village about 17 MiB resident (the pages, cookies, anti-forgery, data protection), so a node
    /// adds it only when it has a web address for browsers to reach it.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Build_WebModule_AddedOnlyWithAWebAddress(bool webListen)
    {
        using var dir = new TempDirectory();
        string[] args = ["--id", "city", "--listen", "http://127.0.0.1:0", "--data", dir.Path, "--insecure-cleartext"];
        if (webListen)
        {
            args = [.. args, "--web-listen", "http://127.0.0.1:1"];
        }

        var (added, mapped) = (false, false);
        await using var app = NodeProgram.Build(args, NodeLevel.City, _ => added = true, _ => mapped = true, TimeProvider.System);
        Assert.Equal((webListen, webListen), (added, mapped));
    }
}
