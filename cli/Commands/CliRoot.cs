using System.CommandLine;
using ServiceHall.Cli.Profiles;

namespace ServiceHall.Cli.Commands;

/// <summary>
/// The <c>servicehall</c> command tree. Each command group lives in its own file under Commands/ and is added here with
/// one line; a new group is a new <c>XxxCommands.Create()</c> in this list. Tests parse through the same tree.
/// </summary>
internal static class CliRoot
{
    /// <summary>The root command with every group and the global options (<c>--as</c>, <c>--profile</c>).</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("ServiceHall operator and clerk client: talks to ServiceHall nodes over gRPC, and runs a local devnet.")
        {
            NodeCommands.Create(),
            CatalogueCommands.Create(),
            SyncCommands.Create(),
            DevnetCommands.Create(),
            CaseCommands.Create(),
            StatsCommands.Create(),
            ClerkCommands.Create(),
        };
        root.Options.Add(ClerkSession.AsOption);
        root.Options.Add(ClerkSession.ProfileOption);
        return root;
    }
}
