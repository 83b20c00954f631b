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
};
var profile = new Option<string>("--profile")
{
    Description = $"Directory of the operator profile ({TlsProfile.FileName}) used for https nodes; default ${TlsProfile.EnvironmentVariable}, else {DevnetCommands.DefaultDirectory}",
    Recursive = true,
};
root.Options.Add(profile);

// devnet handles SIGINT/SIGTERM itself (it must stop its node processes, which takes longer than the
// parser's default 2 s grace), so the parser installs no termination handler of its own.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
var parsed = root.Parse(args);
TlsProfile.DirectoryOption = parsed.GetValue(profile);
return await parsed.InvokeAsync(invocation).ConfigureAwait(false);
