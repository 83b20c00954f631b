using System.CommandLine;
using ServiceHall.Cli.Commands;
using ServiceHall.Cli.Profiles;

// The `servicehall` command. Each command group lives in its own file under Commands/ and is added
// here with one line; a new group (cases, stats, …) is a new `XxxCommands.Create()` in this list.
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

// devnet handles SIGINT/SIGTERM itself (it must stop its node processes, which takes longer than the
// parser's default 2 s grace), so the parser installs no termination handler of its own.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
var parse = root.Parse(args);
ClerkSession.Configure(parse);
TlsProfile.DirectoryOption = ClerkSession.Directory;
return await parse.InvokeAsync(invocation).ConfigureAwait(false);
